/** ASC MHL v2.0: the public interface of core/mhl. */
export * from './model.ts';
export { writeGeneration, writeGenerationTo, type WrittenGeneration, type WrittenManifest } from './write.ts';
export {
  loadHistory,
  listHistoryFolders,
  allHistories,
  allProblems,
  historyFor,
  latestIgnorePatterns,
  nextGenerationNumber,
  type LoadOptions,
} from './history.ts';
export { indexHistory, expectationFor, type HistoryIndex, type FileExpectation, type FolderExpectation, type FileRecord } from './records.ts';
export { classifyHashes, formatsToVerify, type Classification } from './classify.ts';
export { verifyHistory, type VerifyOptions, type VerifyReport, type AlteredFile, type UnverifiableFile, type DirectoryMismatch } from './verify.ts';
export { createGeneration, type CreateOptions, type CreateResult } from './create.ts';
export { diffHistory, type DiffReport } from './diff.ts';
export { describeHistory, formatHistoryDescription, type HistoryDescription, type GenerationSummary } from './info.ts';
export { computeFolderHashes, type FolderHash, type FolderHashes } from './dirhash.ts';
export { parseManifest } from './xml-read.ts';
export { serializeManifest, type ManifestToWrite, type EntryToWrite } from './xml-write.ts';
export { parseChain, serializeChain } from './chain.ts';
export { manifestFileName, generationOfFileName } from './paths.ts';
export { formatDateTime, parseDateTime } from './datetime.ts';
export { formatVerifyReport, formatDiffReport, formatCreateResult } from './report-text.ts';
export { walkTree, type DiskFile, type DiskFolder, type DiskTree, type WalkError } from '../fs/walk.ts';
