/**
 * A report as one self-contained HTML file: poster frames embedded as data URIs, styles in
 * the page, nothing fetched — it can be mailed, archived, or opened offline on set.
 */
import { readFile } from 'node:fs/promises';
import { formatBytes } from '../util/format.ts';
import type { CardSection, ClipRow, Report } from './model.ts';

const esc = (s: string | number | undefined) =>
  s === undefined ? '' : String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

async function poster(path: string | undefined): Promise<string> {
  if (!path) return '';
  const jpeg = await readFile(path).catch(() => undefined);
  return jpeg ? `<img alt="" src="data:image/jpeg;base64,${jpeg.toString('base64')}">` : '';
}

async function clipRows(clips: ClipRow[]): Promise<string> {
  const rows = await Promise.all(
    clips.map(
      async (c) =>
        `<tr><td>${await poster(c.poster)}</td><td>${esc(c.name)}</td><td>${esc(c.timecodeStart)}</td><td>${esc(c.timecodeEnd)}</td><td>${esc(c.durationFrames)}</td><td>${esc(c.fps)}</td><td>${esc(c.resolution)}</td><td>${esc(c.codec)}</td><td>${esc(c.iso)}</td><td>${esc(c.whiteBalance)}</td><td>${esc(c.lens)}</td><td>${esc([c.scene, c.take].filter(Boolean).join(' / '))}</td><td class="mono">${esc(c.xxh64)}</td></tr>`,
    ),
  );
  return rows.join('\n');
}

async function section(c: CardSection): Promise<string> {
  const dests = c.destinations
    .map(
      (d) =>
        `<tr><td>${esc(d.path)}</td><td>${esc(d.volume)}</td><td class="${d.verified ? 'ok' : 'bad'}">${d.verified ? 'verified' : 'NOT verified'}</td><td>${esc(d.how)}</td><td>${d.files}${d.failedFiles ? ` (${d.failedFiles} failed)` : ''}</td><td>${d.durationSeconds} s</td><td>${d.mbPerSecond} MB/s</td><td>${esc(d.manifest ?? '—')}${d.generation ? ` (generation ${d.generation})` : ''}<div class="mono">${esc(d.manifestC4)}</div></td></tr>`,
    )
    .join('\n');
  const card = c.card;
  return `<section>
<h2>Roll ${esc(card.roll)}${card.camera ? ` — ${esc(card.camera)}` : ''}</h2>
<p>${esc(card.label ? `label ${card.label}, ` : '')}${card.files} files, ${esc(formatBytes(card.bytes))} from ${esc(card.source)}; offload ${esc(c.offloadId)} ${esc(c.status)}, started ${esc(c.startedAt)}${card.fingerprint ? `<br>fingerprint <span class="mono">${esc(card.fingerprint)}</span>` : ''}</p>
<table><thead><tr><th>Destination</th><th>Volume</th><th>Verified</th><th>How</th><th>Files</th><th>Duration</th><th>Rate</th><th>ASC MHL generation (C4)</th></tr></thead><tbody>
${dests}
</tbody></table>
<table class="clips"><thead><tr><th>Poster</th><th>Clip</th><th>TC in</th><th>TC out</th><th>Frames</th><th>fps</th><th>Resolution</th><th>Codec</th><th>ISO</th><th>WB</th><th>Lens</th><th>Scene / take</th><th>xxh64</th></tr></thead><tbody>
${await clipRows(c.clips)}
</tbody></table>
${c.problems.length ? `<h3>Problems</h3><ul class="bad">${c.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>` : '<p class="ok">No failures or warnings.</p>'}
</section>`;
}

export async function reportHtml(r: Report): Promise<string> {
  const h = r.header;
  const t = r.totals;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(h.title)}</title>
<meta name="generator" content="${esc(h.tool)}"><meta name="author" content="${esc(h.author)}">
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:24px;color:#111}h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border:1px solid #ccc;padding:3px 5px;text-align:left;vertical-align:top}
thead{display:table-header-group}th{background:#eee}.mono{font-family:ui-monospace,monospace;font-size:11px;word-break:break-all}
img{width:96px;display:block}.ok{color:#060}.bad{color:#a00}tr{page-break-inside:avoid}
</style></head><body>
<h1>${esc(h.title)}</h1>
<p>${h.production ? `Production: ${esc(h.production)} · ` : ''}Day ${esc(h.day)}${h.author ? ` · DIT ${esc(h.author)}` : ''}${h.location ? ` · ${esc(h.location)}` : ''} · made ${esc(h.createdAt)} by ${esc(h.tool)}</p>
<p>${t.cards} card(s), ${t.files} files, ${esc(formatBytes(t.bytes))}, ${t.clips} clips; ${t.verifiedCopies} of ${t.copies} copies verified; ${t.problems} problem(s)</p>
${(await Promise.all(r.cards.map(section))).join('\n')}
</body></html>
`;
}
