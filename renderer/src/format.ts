/** Numbers as a DIT reads them at arm's length: sizes in GB, rates in MB/s, times as 1:05:09. */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** Decimal units, as drive makers and camera menus count. */
export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '—';
  let i = 0;
  let v = n;
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)} ${UNITS[i]}`;
}

export const formatRate = (bytesPerSecond: number) => `${(bytesPerSecond / 1e6).toFixed(bytesPerSecond < 10e6 ? 1 : 0)} MB/s`;

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (x: number) => String(x).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

export const formatTime = (ms: number | undefined) => (ms === undefined ? '—' : new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }));

export const formatCount = (n: number | undefined) => (n === undefined ? '—' : n.toLocaleString('en-US'));

export const formatRational = (r: { num: number; denom: number } | undefined) => (r ? String(Math.round((r.num / r.denom) * 1000) / 1000) : undefined);

/** "0.42" → "42 %". */
export const formatPercent = (fraction: number) => `${Math.floor(Math.max(0, Math.min(1, fraction)) * 100)} %`;

/** The last folder of a path: what people call a destination ("RAID2") or a card ("A001"). */
export const lastFolder = (path: string) => path.split('/').filter(Boolean).at(-1) ?? path;
