/**
 * `rushes mhl info`: a summary of a loaded history — its generations (who, where, when,
 * what process, how many files and with which outcomes) and its nested histories — as
 * data for the API and as text lines for the CLI.
 */
import type { HashFormat } from '../hash/index.ts';
import type { Author, DirectoryHash, HashAction, HistoryProblem, MhlHistory, ProcessType } from './model.ts';

export interface GenerationSummary {
  number: number;
  fileName: string;
  creationDate: Date;
  hostName: string;
  tool: { name: string; version: string };
  authors: Author[];
  location?: string;
  comment?: string;
  process: ProcessType;
  files: number;
  folders: number;
  actions: Record<HashAction | 'none', number>;
  formats: HashFormat[];
  rootHashes: DirectoryHash[];
  references: number;
  ignore: string[];
  c4: string;
}

export interface HistoryDescription {
  root: string;
  relativePath: string;
  generations: GenerationSummary[];
  /** Distinct file paths recorded across all generations of this history. */
  files: number;
  children: HistoryDescription[];
  problems: HistoryProblem[];
}

export function describeHistory(h: MhlHistory): HistoryDescription {
  const paths = new Set<string>();
  const generations = h.generations.map((g): GenerationSummary => {
    const actions: GenerationSummary['actions'] = { original: 0, verified: 0, failed: 0, none: 0 };
    const formats = new Set<HashFormat>();
    for (const f of g.files) {
      paths.add(f.path);
      for (const x of f.hashes) {
        actions[x.action ?? 'none']++;
        formats.add(x.format);
      }
    }
    return {
      number: g.number,
      fileName: g.fileName,
      creationDate: g.creator.creationDate,
      hostName: g.creator.hostName,
      tool: g.creator.tool,
      authors: g.creator.authors,
      location: g.creator.location,
      comment: g.creator.comment,
      process: g.process,
      files: g.files.length,
      folders: g.directories.length,
      actions,
      formats: [...formats],
      rootHashes: g.rootHashes,
      references: g.references.length,
      ignore: g.ignore,
      c4: g.c4,
    };
  });
  return { root: h.root, relativePath: h.relativePath, generations, files: paths.size, children: h.children.map(describeHistory), problems: h.problems };
}

/** Text for a terminal, one generation per block, nested histories indented. */
export function formatHistoryDescription(d: HistoryDescription, indent = ''): string[] {
  const lines = [`${indent}History at ${d.relativePath || d.root}: ${d.generations.length} generation(s), ${d.files} file(s)`];
  for (const g of d.generations) {
    const who = [g.hostName, `${g.tool.name} ${g.tool.version}`.trim(), ...g.authors.map((a) => a.name + (a.role ? ` [${a.role}]` : ''))].join(', ');
    lines.push(`${indent}  Generation ${g.number} (${g.creationDate.toISOString()}) ${g.process}: ${who}`);
    if (g.location) lines.push(`${indent}    location: ${g.location}`);
    if (g.comment) lines.push(`${indent}    comment: ${g.comment}`);
    const a = g.actions;
    lines.push(`${indent}    ${g.files} file(s) [${g.formats.join(', ')}]: ${a.original} original, ${a.verified} verified, ${a.failed} failed; ${g.folders} folder(s)`);
    for (const r of g.rootHashes) lines.push(`${indent}    root ${r.format}: ${r.content} (content), ${r.structure} (structure)`);
    lines.push(`${indent}    ${g.fileName}  ${g.c4}`);
  }
  for (const p of d.problems) lines.push(`${indent}  ! ${p.message}`);
  for (const c of d.children) lines.push(...formatHistoryDescription(c, indent + '  '));
  return lines;
}
