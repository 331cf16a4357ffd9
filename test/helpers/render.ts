/** Framing and colour files for render tests, written from the specifications' layouts. */

export function fdlDocument(o: { squeeze?: number; fit?: 'width' | 'height' | 'fit_all' | 'fill'; pad?: boolean } = {}): Record<string, unknown> {
  return {
    uuid: '5f6e1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b',
    version: { major: 2, minor: 0 },
    fdl_creator: 'Rushes tests',
    default_framing_intent: 'FI_239',
    framing_intents: [{ label: '2.39', id: 'FI_239', aspect_ratio: { width: 239, height: 100 }, protection: 0 }],
    contexts: [
      {
        label: 'ALEXA 35',
        canvases: [
          {
            label: 'Open Gate',
            id: 'cam',
            source_canvas_id: 'cam',
            dimensions: { width: 4448, height: 3096 },
            anamorphic_squeeze: o.squeeze ?? 1,
            framing_decisions: [{ label: '2.39', id: 'cam-2_39', framing_intent_id: 'FI_239', dimensions: { width: 4448, height: 1856 }, anchor_point: { x: 0, y: 620 } }],
          },
        ],
      },
    ],
    canvas_templates: [
      {
        label: 'HD',
        id: 'hd',
        target_dimensions: { width: 1920, height: 1080 },
        target_anamorphic_squeeze: 1,
        fit_source: 'framing_decision.dimensions',
        fit_method: o.fit ?? 'width',
        ...(o.pad ? { maximum_dimensions: { width: 1920, height: 1080 }, pad_to_maximum: true } : {}),
        round: { even: 'even', mode: 'up' },
      },
    ],
  };
}

/** A small FDL for a small test clip: a centred 2:1 framing of a W×H canvas, to a template of `target`. */
export function smallFdl(w: number, h: number, target: { width: number; height: number }): Record<string, unknown> {
  const doc = fdlDocument();
  const fh = Math.round(w / 2);
  (doc.contexts as { canvases: Record<string, unknown>[] }[])[0]!.canvases[0] = {
    id: 'cam',
    source_canvas_id: 'cam',
    dimensions: { width: w, height: h },
    framing_decisions: [{ id: 'cam-2_1', framing_intent_id: 'FI_239', dimensions: { width: w, height: fh }, anchor_point: { x: 0, y: Math.round((h - fh) / 2) } }],
  };
  (doc.canvas_templates as Record<string, unknown>[])[0] = { id: 'small', target_dimensions: target, target_anamorphic_squeeze: 1, fit_source: 'framing_decision.dimensions', fit_method: 'width', round: { even: 'even', mode: 'up' } };
  return doc;
}

export function ccXml(id: string, slopeR: number): string {
  return `<ColorCorrection id="${id}"><SOPNode><Slope>${slopeR} 1 0.9</Slope><Offset>0 0 0.01</Offset><Power>1 1 1</Power></SOPNode><SatNode><Saturation>0.85</Saturation></SatNode></ColorCorrection>`;
}

export function cubeText(size: number, f: (r: number, g: number, b: number) => [number, number, number]): string {
  const lines = ['TITLE "test"', `LUT_3D_SIZE ${size}`];
  for (let b = 0; b < size; b++) for (let g = 0; g < size; g++) for (let r = 0; r < size; r++) lines.push(f(r / (size - 1), g / (size - 1), b / (size - 1)).map((v) => v.toFixed(6)).join(' '));
  return lines.join('\n') + '\n';
}

/** An ACES Metadata File (v2 layout): ARRI IDT, a CDL look in ACEScct, a Rec.709 output transform. */
export function amfXml(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<aces:acesMetadataFile xmlns:aces="urn:ampas:aces:amf:v2.0" xmlns:cdl="urn:ASC:CDL:v1.01" version="2.0">
  <aces:amfInfo><aces:description>Day 1 look</aces:description><aces:uuid>urn:uuid:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d</aces:uuid></aces:amfInfo>
  <aces:pipeline>
    <aces:pipelineInfo><aces:systemVersion><aces:majorVersion>1</aces:majorVersion><aces:minorVersion>3</aces:minorVersion><aces:patchVersion>0</aces:patchVersion></aces:systemVersion></aces:pipelineInfo>
    <aces:inputTransform applied="false"><aces:transformId>urn:ampas:aces:transformId:v1.5:IDT.ARRI.Alexa-v3-logC-EI800.a1.v2</aces:transformId></aces:inputTransform>
    <aces:lookTransform applied="false">
      <aces:description>Show look</aces:description>
      <aces:cdlWorkingSpace><aces:toCdlWorkingSpace><aces:transformId>urn:ampas:aces:transformId:v1.5:ACEScsc.Academy.ACES_to_ACEScct.a1.0.3</aces:transformId></aces:toCdlWorkingSpace></aces:cdlWorkingSpace>
      <cdl:SOPNode><cdl:Slope>1.1 1.0 0.95</cdl:Slope><cdl:Offset>0 0 0</cdl:Offset><cdl:Power>1 1 1</cdl:Power></cdl:SOPNode>
      <cdl:SatNode><cdl:Saturation>0.9</cdl:Saturation></cdl:SatNode>
    </aces:lookTransform>
    <aces:outputTransform><aces:transformId>urn:ampas:aces:transformId:v1.5:RRTODT.Academy.Rec709_100nits_dim.a1.0.3</aces:transformId></aces:outputTransform>
  </aces:pipeline>
</aces:acesMetadataFile>
`;
}
