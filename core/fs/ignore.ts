/**
 * ASC MHL ignore patterns (the `<ignore><pattern>` list): a name or glob matched against
 * every path component; a trailing '/' restricts it to folders; a pattern with an inner
 * '/' is matched against the whole relative path. `*` and `?` never cross a '/'.
 */
export interface IgnoreMatcher {
  readonly patterns: readonly string[];
  ignores(relPath: string, isDirectory: boolean): boolean;
}

/** The regular expression (unanchored) a glob stands for: `*` and `?` never cross a '/'. */
function globBody(glob: string): string {
  return glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
}

/** One expression that matches whole text when any of the bodies does; undefined for none. */
function anyOf(bodies: string[]): RegExp | undefined {
  return bodies.length > 0 ? new RegExp(`^(?:${bodies.join('|')})$`) : undefined;
}

export function ignoreMatcher(patterns: readonly string[]): IgnoreMatcher {
  const rules = patterns.map((p) => {
    const dirOnly = p.endsWith('/');
    const core = dirOnly ? p.slice(0, -1) : p;
    return { dirOnly, anchored: core.includes('/'), body: globBody(core.replace(/^\//, '')) };
  });
  // The rules folded into one expression per case: a path is tested once or twice, not once per pattern (a walk asks for every file).
  const matchers = (isDirectory: boolean) => {
    const applies = rules.filter((r) => !r.dirOnly || isDirectory);
    return { byPath: anyOf(applies.filter((r) => r.anchored).map((r) => r.body)), byName: anyOf(applies.filter((r) => !r.anchored).map((r) => r.body)) };
  };
  const forFiles = matchers(false);
  const forFolders = matchers(true);
  return {
    patterns,
    ignores(relPath, isDirectory) {
      const { byPath, byName } = isDirectory ? forFolders : forFiles;
      if (byPath?.test(relPath)) return true;
      return byName !== undefined && byName.test(relPath.slice(relPath.lastIndexOf('/') + 1));
    },
  };
}

/** Folders and files that say nothing about a card's content and change on their own. */
export const VOLUME_JUNK: readonly string[] = [
  '._*',
  '.Trashes/',
  '.Trash-*/',
  '.Spotlight-V100/',
  '.fseventsd/',
  '.TemporaryItems/',
  '.DocumentRevisions-V100/',
  'System Volume Information/',
  '$RECYCLE.BIN/',
  'lost+found/',
];
