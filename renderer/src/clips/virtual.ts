/**
 * The geometry of a virtualised list or grid: which items a scrolled window shows, and
 * where each goes. 10,000 clips would be 10,000 elements; drawn this way they are the
 * forty or so on screen.
 */
export interface Layout {
  columns: number;
  cellWidth: number;
  rowHeight: number;
  rows: number;
  height: number;
}

export function layout(total: number, width: number, o: { minCellWidth: number; rowHeight: number }): Layout {
  const columns = Math.max(1, Math.floor(width / o.minCellWidth));
  const rows = Math.ceil(total / columns);
  return { columns, cellWidth: width / columns, rowHeight: o.rowHeight, rows, height: rows * o.rowHeight };
}

/** The first and last index (inclusive) to draw, with `overscan` rows either side. */
export function visibleRange(l: Layout, total: number, scrollTop: number, viewHeight: number, overscan = 2): { first: number; last: number } {
  if (total === 0) return { first: 0, last: -1 };
  const firstRow = Math.max(0, Math.floor(scrollTop / l.rowHeight) - overscan);
  const lastRow = Math.min(l.rows - 1, Math.ceil((scrollTop + viewHeight) / l.rowHeight) + overscan);
  return { first: firstRow * l.columns, last: Math.min(total - 1, (lastRow + 1) * l.columns - 1) };
}

/** Where the item at `index` is drawn. */
export const position = (l: Layout, index: number) => ({ top: Math.floor(index / l.columns) * l.rowHeight, left: (index % l.columns) * l.cellWidth });

/** The index a key moves to from `index` (arrows, Home, End, Page Up/Down), or undefined for other keys. */
export function moveIndex(key: string, index: number, total: number, columns: number, pageRows: number): number | undefined {
  const clamp = (i: number) => Math.max(0, Math.min(total - 1, i));
  switch (key) {
    case 'ArrowRight':
      return clamp(index + 1);
    case 'ArrowLeft':
      return clamp(index - 1);
    case 'ArrowDown':
      return clamp(index + columns);
    case 'ArrowUp':
      return clamp(index - columns);
    case 'PageDown':
      return clamp(index + columns * pageRows);
    case 'PageUp':
      return clamp(index - columns * pageRows);
    case 'Home':
      return 0;
    case 'End':
      return total - 1;
    default:
      return undefined;
  }
}

/** The pages (of `pageSize` items) a range of indexes touches. */
export function pagesOf(first: number, last: number, pageSize: number): number[] {
  if (last < first) return [];
  const out: number[] = [];
  for (let p = Math.floor(first / pageSize); p <= Math.floor(last / pageSize); p++) out.push(p);
  return out;
}
