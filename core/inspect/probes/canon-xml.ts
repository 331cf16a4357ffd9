/**
 * Canon's clip XML (`…_CANON.XML` beside a Cinema RAW Light `.CRM` or an XF-AVC `.MXF`): a
 * `VideoClip` document in the http://www.canon.com/ns/VideoClip namespace with the clip's
 * Title, Creator, Description, Device (Manufacturer, ModelName, SerialNo, FirmVersion) and
 * Location, flattened to "Device.ModelName" keys for the vendor table. Pure, on the file's text.
 */
import { XMLParser } from 'fast-xml-parser';
import { flattenTree, parseSidecarXml } from './sidecar-text.ts';

// Values stay text: a serial number "0012345" is not the number 12345.
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true, parseTagValue: false });

/** The clip XML's values, or undefined when the XML is some other document (not Canon's to read). */
export function parseCanonXml(text: string): Record<string, string> | undefined {
  const root = parseSidecarXml(text, parser).VideoClip;
  if (root === undefined) return undefined;
  return flattenTree(typeof root === 'object' ? root : {});
}
