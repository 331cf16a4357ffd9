/**
 * ASC MHL ignore patterns (the `<ignore><pattern>` list): a name or glob matched against
 * every path component; a trailing '/' restricts it to folders; a pattern with an inner
 * '/' is matched against the whole relative path. `*` and `?` never cross a '/'.
 */
export interface IgnoreMatcher {
  readonly patterns: readonly string[];
  ignores(relPath: string, isDirectory: boolean): boolean;
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

export function ignoreMatcher(patterns: readonly string[]): IgnoreMatcher {
  const rules = patterns.map((p) => {
    const dirOnly = p.endsWith('/');
    const core = dirOnly ? p.slice(0, -1) : p;
    return { dirOnly, anchored: core.includes('/'), re: globToRegExp(core.replace(/^\//, '')) };
  });
  return {
    patterns,
    ignores(relPath, isDirectory) {
      const name = relPath.slice(relPath.lastIndexOf('/') + 1);
      return rules.some((r) => (!r.dirOnly || isDirectory) && r.re.test(r.anchored ? relPath : name));
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
