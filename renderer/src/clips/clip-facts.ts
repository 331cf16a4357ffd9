/** A clip record as labelled facts, grouped as a DIT reads them; a fact the files did not state is left out. */
import type { ClipRecord } from '../api/types.ts';
import { formatBytes, formatCount, formatDuration, formatRational } from '../format.ts';

export type Facts = { title: string; facts: [string, string][] }[];

const fact = (label: string, value: string | number | undefined | false): [string, string][] => (value === undefined || value === '' || value === false ? [] : [[label, String(value)]]);

export function clipFacts(r: ClipRecord): Facts {
  const c = r.camera;
  const l = r.lens;
  return [
    {
      title: 'Camera',
      facts: [
        ...fact('Make and model', [c.make, c.model].filter(Boolean).join(' ')),
        ...fact('Serial number', c.serialNumber),
        ...fact('Camera', c.label),
        ...fact('ISO', c.isoSpeed),
        ...fact('White balance', c.whiteBalance !== undefined && `${c.whiteBalance} K${c.tint !== undefined ? `, tint ${c.tint}` : ''}`),
        ...fact('Shutter', c.shutterAngle !== undefined && `${c.shutterAngle}°`),
        ...fact('Sensor frame rate', formatRational(c.captureFrameRate)),
        ...fact('Sensor mode', c.sensorMode),
        ...fact('ND', c.ndStops !== undefined && `${c.ndStops} stops`),
        ...fact('Anamorphic squeeze', formatRational(c.anamorphicSqueeze)),
      ],
    },
    {
      title: 'Lens',
      facts: [
        ...fact('Lens', [l.make, l.model].filter(Boolean).join(' ')),
        ...fact('Serial number', l.serialNumber),
        ...fact('Focal length', l.focalLength !== undefined && `${l.focalLength} mm`),
        ...fact('T-stop', l.tStop !== undefined && `T${l.tStop}`),
        ...fact('f-stop', l.fStop !== undefined && `f/${l.fStop}`),
        ...fact('Focus distance', l.focusDistance !== undefined && `${l.focusDistance} m`),
      ],
    },
    {
      title: 'Timecode',
      facts: [
        ...fact('Start', r.timecode?.start),
        ...fact('End', r.timecode?.end),
        ...fact('Timecode rate', r.timecode && `${r.timecode.rate}${r.timecode.dropFrame ? ' drop-frame' : ''}`),
        ...fact('Project frame rate', formatRational(r.projectFrameRate)),
        ...fact('Duration', r.durationSeconds !== undefined && `${formatDuration(r.durationSeconds)} (${formatCount(r.durationFrames)} frames)`),
        ...fact('Recorded', r.recordedAt),
      ],
    },
    {
      title: 'Colour',
      facts: [...fact('Gamut', r.colour.space), ...fact('Transfer', r.colour.gamma), ...fact('Look', r.colour.look)],
    },
    {
      title: 'Picture and sound',
      facts: [
        ...fact('Format', r.container),
        ...fact('Codec', [r.video.codec, r.video.profile].filter(Boolean).join(' ')),
        ...fact('Resolution', r.video.width && r.video.height && `${r.video.width} × ${r.video.height}`),
        ...fact('Bit depth', r.video.bitDepth),
        ...fact('Chroma', r.video.chroma),
        ...fact('Audio', r.audio && `${r.audio.tracks} tracks, ${r.audio.channels} channels${r.audio.sampleRate ? `, ${r.audio.sampleRate / 1000} kHz` : ''}`),
        ...fact('Sequence', r.sequence && `${r.sequence.pattern}, frames ${r.sequence.firstFrame}–${r.sequence.lastFrame}${r.sequence.missingCount ? `, ${r.sequence.missingCount} missing` : ''}`),
      ],
    },
    {
      title: 'Source',
      facts: [
        ...fact('Roll', r.roll),
        ...fact('Reel', r.reel),
        ...fact('Scene / take', (r.scene || r.take) && `${r.scene ?? '—'} / ${r.take ?? '—'}`),
        ...fact('Path', r.source.path),
        ...fact('Size', `${formatBytes(r.source.size)} in ${formatCount(r.source.files)} files`),
      ],
    },
  ].filter((g) => g.facts.length > 0);
}
