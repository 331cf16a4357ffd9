/**
 * Manifest and chain XML: what we write validates against the official ASC MHL v2.0 schemas
 * (xmllint, the XSDs from the peers folder), hash elements come in the schema's order, names of every kind survive a round trip, and hostile or broken input ends in a
 * RushesError that names the file and the cause — never an exception without context.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RushesError } from '../core/errors.ts';
import { parseChain, serializeChain } from '../core/mhl/chain.ts';
import { formatDateTime, parseDateTime, wholeSecond } from '../core/mhl/datetime.ts';
import { generationOfFileName, manifestFileName } from '../core/mhl/paths.ts';
import { parseManifest } from '../core/mhl/xml-read.ts';
import { serializeManifest, type ManifestToWrite } from '../core/mhl/xml-write.ts';
import { c4Of } from './helpers/mhl.ts';
import { schemaErrors, schemasMissing } from './helpers/peer.ts';
import { scratchFolders } from './helpers/scratch.ts';

const scratch = scratchFolders('rushes-mhl-');

const when = new Date('2020-01-16T09:15:00Z');
const NAMES = [
  'Clips/A001C001_200116_R1AB.mov',
  'Clip/A001C003_Szene_Über.mov', // NFC
  'Clip/日本語_テイク.mov',
  'odd/a & b <c> "d" \'e\'.mov',
  'odd/ leading and trailing space .mov',
  'odd/tab\there.mov',
  'odd/line\nbreak.mov',
  'odd/carriage\rreturn.mov',
  'odd/emoji 🎬.mov',
  'odd/100% #1 ?.mov',
];

function sample(): ManifestToWrite {
  return {
    creator: {
      creationDate: when,
      hostName: 'cart-01.local',
      tool: { name: 'rushes', version: '0.1.0' },
      author: { name: 'Dana DIT', email: 'dana@example.com', phone: '+1 555 0100', role: 'DIT' },
      location: 'Stage 5 & "Backlot"',
      comment: 'Day 1 <unit A>',
    },
    process: 'transfer',
    rootHashes: [{ format: 'xxh64', content: '7a82373c131cf40a', structure: '1131a950fcc55e4b', hashDate: when }],
    ignore: ['.DS_Store', 'ascmhl', 'ascmhl/', '*.tmp & <x>'],
    entries: [
      ...NAMES.map((path, i) => ({
        kind: 'file' as const,
        file: {
          path,
          size: 1000 + i,
          lastModified: when,
          hashes: [
            { format: 'xxh64' as const, digest: '52392f79a36d6571', action: 'original' as const, hashDate: when },
            { format: 'md5' as const, digest: 'f5ac8127b3b6b85cdc13f237c6005d80', action: 'verified' as const, hashDate: when },
            { format: 'c4' as const, digest: c4Of(path), action: 'failed' as const, hashDate: when },
          ],
        },
      })),
      { kind: 'directory', directory: { path: 'Clips', lastModified: when, hashes: [{ format: 'xxh64', content: 'f2afc6434255a53d', structure: 'a25d5ca89c95f9e2', hashDate: when }] } },
    ],
    references: [{ path: 'A002R2EC/ascmhl/0002_A002R2EC_2020-01-17_143000Z.mhl', c4: c4Of('x') }],
  };
}

/** The sample without any optional element. */
const bare = (): ManifestToWrite => ({ ...sample(), rootHashes: [], ignore: [], entries: [], references: [] });

function expectMhlError(fn: () => unknown, file: string, cause: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(RushesError);
  const e = caught as RushesError;
  expect(e.code).toBe('MHL_INVALID');
  expect(e.path).toBe(file);
  expect(e.message).toContain(file);
  expect(e.message).toMatch(cause);
}

const manifestWith = (hashes: string, extra = ''): string => `<?xml version="1.0" encoding="UTF-8"?>
<hashlist version="2.0" xmlns="urn:ASC:MHL:v2.0">${extra}
  <creatorinfo>
    <creationdate>2020-01-16T09:15:00+00:00</creationdate>
    <hostname>myHost.local</hostname>
    <tool version="1.0">ascmhl</tool>
  </creatorinfo>
  <processinfo>
    <process>in-place</process>
  </processinfo>
  <hashes>
${hashes}
  </hashes>
</hashlist>
`;
const fileHash = (path: string, inner = '<xxh64 action="original">94c399c2a9a21f9a</xxh64>') =>
  `    <hash>\n      <path size="6">${path}</path>\n      ${inner}\n    </hash>`;

describe('manifest XML', () => {
  it('reads back exactly what it wrote', () => {
    const m = sample();
    const text = serializeManifest(m);
    const back = parseManifest(Buffer.from(text), '0001_test_2020-01-16_091500Z.mhl');
    expect(back.creator).toMatchObject({ hostName: 'cart-01.local', location: 'Stage 5 & "Backlot"', comment: 'Day 1 <unit A>' });
    expect(back.creator.authors).toEqual([{ name: 'Dana DIT', email: 'dana@example.com', phone: '+1 555 0100', role: 'DIT' }]);
    expect(back.creator.creationDate).toEqual(when);
    expect(back.process).toBe('transfer');
    expect(back.ignore).toEqual(m.ignore);
    expect(back.rootHashes).toEqual(m.rootHashes);
    expect(back.files.map((f) => f.path)).toEqual(NAMES);
    expect(back.files[1].path).toBe('Clip/A001C003_Szene_Über.mov'.normalize('NFC'));
    expect(back.files[0]).toMatchObject({ size: 1000, lastModified: when });
    expect(back.files[0].hashes.map((h) => [h.format, h.action])).toEqual([
      ['c4', 'failed'],
      ['md5', 'verified'],
      ['xxh64', 'original'],
    ]);
    expect(back.directories).toEqual([{ path: 'Clips', lastModified: when, creationDate: undefined, previousPath: undefined, hashes: [{ format: 'xxh64', content: 'f2afc6434255a53d', structure: 'a25d5ca89c95f9e2', hashDate: when }] }]);
    expect(back.references).toEqual(m.references);
  });

  it('writes the reference tool\'s layout: declaration, namespace, two-space indent, hash elements by format name', () => {
    const text = serializeManifest(sample());
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<hashlist version="2.0" xmlns="urn:ASC:MHL:v2.0">\n  <creatorinfo>\n    <creationdate>2020-01-16T09:15:00+00:00</creationdate>\n')).toBe(true);
    expect(text).toContain(
      `\n    <hash>\n      <path size="1000" lastmodificationdate="2020-01-16T09:15:00+00:00">Clips/A001C001_200116_R1AB.mov</path>\n      <c4 action="failed" hashdate="2020-01-16T09:15:00+00:00">${c4Of(NAMES[0])}</c4>\n`,
    );
    expect(text).toContain('    <roothash>\n      <content>\n        <xxh64 hashdate="2020-01-16T09:15:00+00:00">7a82373c131cf40a</xxh64>\n      </content>\n      <structure>\n');
    expect(text).toContain('<path>odd/a &amp; b &lt;c&gt; "d" \'e\'.mov</path>'.replace('<path>', '<path size="1003" lastmodificationdate="2020-01-16T09:15:00+00:00">'));
    expect(text).toContain('odd/carriage&#13;return.mov');
    expect(text.endsWith('</hashlist>\n')).toBe(true);
  });

  it('leaves out empty optional elements instead of writing invalid empty ones', () => {
    const text = serializeManifest(bare());
    expect(text).not.toMatch(/<hashes>|<ignore>|<roothash>|<references>/);
  });

  it('writes hash elements in the schema\'s order (c4, md5, sha1, xxh128, xxh3, xxh64) whatever order they come in', () => {
    const digests = { c4: c4Of('x'), md5: 'f5ac8127b3b6b85cdc13f237c6005d80', sha1: 'a'.repeat(40), xxh128: 'b'.repeat(32), xxh3: 'c'.repeat(16), xxh64: '52392f79a36d6571' };
    const gathered = (['xxh64', 'md5', 'xxh3', 'c4', 'sha1', 'xxh128'] as const).map((format) => ({ format, digest: digests[format], action: 'original' as const, hashDate: when }));
    const text = serializeManifest({
      ...bare(),
      rootHashes: gathered.map((h) => ({ format: h.format, content: h.digest, structure: h.digest, hashDate: when })),
      entries: [
        { kind: 'file', file: { path: 'a.mov', size: 1, lastModified: when, hashes: gathered } },
        { kind: 'directory', directory: { path: 'Clips', hashes: gathered.map((h) => ({ format: h.format, content: h.digest, structure: h.digest })) } },
      ],
    });
    const order = (block: string): string[] => [...block.matchAll(/<(c4|md5|sha1|xxh128|xxh3|xxh64)[ >]/g)].map((m) => m[1]);
    const inSchemaOrder = ['c4', 'md5', 'sha1', 'xxh128', 'xxh3', 'xxh64'];
    const blocks = [...text.matchAll(/<hash>[\s\S]*?<\/hash>|<content>[\s\S]*?<\/content>|<structure>[\s\S]*?<\/structure>/g)].map((m) => m[0]);
    expect(blocks).toHaveLength(5); // the file, and content and structure of the root and of the folder
    for (const block of blocks) expect(order(block)).toEqual(inSchemaOrder);
  });

  it('refuses names XML cannot carry with BAD_FILENAME', () => {
    const m = sample();
    m.entries = [{ kind: 'file', file: { path: 'bad\u0001name.mov', size: 1, lastModified: when, hashes: [{ format: 'xxh64', digest: '52392f79a36d6571', action: 'original', hashDate: when }] } }];
    expect(() => serializeManifest(m)).toThrow(expect.objectContaining({ code: 'BAD_FILENAME' }));
  });

  it('reads what other tools write: prefixes, any xs:dateTime form, uppercase hex, missing action and dates', () => {
    const file = '/x/0001_other.mhl';
    const text = `<?xml version='1.0' encoding='utf-8'?>
<a:hashlist xmlns:a="urn:ASC:MHL:v2.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" a:version="2.0" version="2.0" xsi:schemaLocation="urn:ASC:MHL:v2.0 ASCMHL.xsd">
  <a:creatorinfo><a:creationdate>2020-01-16T10:15:00.123456+01:00</a:creationdate><a:hostname>h</a:hostname><a:tool>t</a:tool></a:creatorinfo>
  <a:processinfo><a:process>transfer</a:process><a:ignore/></a:processinfo>
  <a:hashes>
    <a:hash><a:path lastmodificationdate="2020-01-15T13:00:00Z">S&#252;&#x00DF;.txt</a:path><a:XXH64>94C399C2A9A21F9A</a:XXH64></a:hash>
  </a:hashes>
  <a:metadata><anything xmlns="urn:other">goes <b>here</b></anything></a:metadata>
</a:hashlist>`.replace('<a:XXH64>94C399C2A9A21F9A</a:XXH64>', '<a:xxh64>94C399C2A9A21F9A</a:xxh64>');
    const m = parseManifest(Buffer.from(text), file);
    expect(m.creator.creationDate.toISOString()).toBe('2020-01-16T09:15:00.123Z');
    expect(m.files).toEqual([
      { path: 'Süß.txt', size: undefined, lastModified: new Date('2020-01-15T13:00:00Z'), creationDate: undefined, previousPath: undefined, foreignHashes: [], hashes: [{ format: 'xxh64', digest: '94c399c2a9a21f9a', action: undefined, hashDate: undefined }] },
    ]);
  });

  it('keeps hashes in formats it cannot compute (sha256) as foreign, not as an error', () => {
    const m = parseManifest(Buffer.from(manifestWith(fileHash('a.mov', `<sha256 action="original">${'ab'.repeat(32)}</sha256>`))), 'f.mhl');
    expect(m.files[0].hashes).toEqual([]);
    expect(m.files[0].foreignHashes).toEqual([{ format: 'sha256', digest: 'ab'.repeat(32), action: 'original', hashDate: undefined }]);
  });

  describe('refuses bad input with a RushesError naming the file and the cause', () => {
    const file = '/cards/A001/ascmhl/0001_A001_2020-01-16_091500Z.mhl';
    const cases: [string, string | Buffer, RegExp][] = [
      ['XXE (external entity)', `<?xml version="1.0"?>\n<!DOCTYPE hashlist [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<hashlist version="2.0" xmlns="urn:ASC:MHL:v2.0">&xxe;</hashlist>`, /DOCTYPE/],
      [
        'billion laughs',
        `<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n<hashlist>&lol3;</hashlist>`,
        /DOCTYPE/,
      ],
      ['an entity declaration without DOCTYPE', `<?xml version="1.0"?>\n<!ENTITY x "y"><hashlist/>`, /ENTITY/],
      ['an undeclared entity', manifestWith(fileHash('a&nbsp;b.mov')), /undeclared entity "&nbsp;"/],
      ['malformed XML', manifestWith(fileHash('a.mov')).replace('</hashes>', ''), /not well-formed/],
      ['truncated XML', manifestWith(fileHash('a.mov')).slice(0, 300), /not well-formed|missing/],
      ['invalid UTF-8', Buffer.concat([Buffer.from(manifestWith(fileHash('a'))).subarray(0, 400), Buffer.from([0xc3, 0x28]), Buffer.from(manifestWith(fileHash('a'))).subarray(400)]), /UTF-8/],
      ['a ".." path', manifestWith(fileHash('Clips/../../etc/passwd')), /"\.\." segment/],
      ['an absolute path', manifestWith(fileHash('/etc/passwd')), /absolute/],
      ['a Windows absolute path', manifestWith(fileHash('C:\\Windows\\x.dll')), /absolute/],
      ['an empty path', manifestWith(fileHash('')), /empty/],
      ['an unknown hash format', manifestWith(fileHash('a.mov', '<sha512 action="original">00</sha512>')), /unknown hash format <sha512>/],
      ['a digest of the wrong length', manifestWith(fileHash('a.mov', '<xxh64 action="original">94c399c2a9a21f9</xxh64>')), /not a xxh64 digest/],
      ['a non-hex digest', manifestWith(fileHash('a.mov', '<md5>zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz</md5>')), /not a md5 digest/],
      ['an unknown action', manifestWith(fileHash('a.mov', '<xxh64 action="trusted">94c399c2a9a21f9a</xxh64>')), /action "trusted"/],
      ['a bad date', manifestWith(fileHash('a.mov', '<xxh64 hashdate="yesterday">94c399c2a9a21f9a</xxh64>')), /not an xs:dateTime/],
      ['a negative size', manifestWith(fileHash('a.mov')).replace('size="6"', 'size="-6"'), /size "-6"/],
      ['a duplicate path', manifestWith(fileHash('a.mov') + '\n' + fileHash('a.mov')), /recorded twice/],
      ['the wrong namespace', manifestWith(fileHash('a.mov')).replace('urn:ASC:MHL:v2.0', 'urn:ASC:MHL:v1.0'), /namespace/],
      ['the wrong version', manifestWith(fileHash('a.mov')).replace('version="2.0"', 'version="1.1"'), /version/],
      ['the wrong root element', '<?xml version="1.0"?><hashlists xmlns="urn:ASC:MHL:v2.0"/>', /root element/],
      ['a missing creatorinfo', manifestWith(fileHash('a.mov')).replace(/<creatorinfo>[\s\S]*<\/creatorinfo>/, ''), /missing <creatorinfo>/],
      ['an unknown process', manifestWith(fileHash('a.mov')).replace('in-place', 'teleport'), /process "teleport"/],
      ['an undeclared prefix', manifestWith(fileHash('a.mov')).replace('<hashes>', '<x:hashes>').replace('</hashes>', '</x:hashes>'), /undeclared namespace prefix/],
      ['a non-UTF-8 encoding', manifestWith(fileHash('a.mov')).replace('UTF-8', 'ISO-8859-1'), /encoding/],
      ['an empty file', '', /empty/],
    ];
    for (const [what, input, cause] of cases) {
      it(what, () => expectMhlError(() => parseManifest(typeof input === 'string' ? Buffer.from(input) : input, file), file, cause));
    }
  });
});

describe('the XML reader (one pass, no library): well-formedness', () => {
  const file = '/cards/A001/ascmhl/0001_A001_2020-01-16_091500Z.mhl';
  const good = manifestWith(fileHash('a.mov'));
  const cases: [string, string, RegExp][] = [
    ['an end tag that closes another element', good.replace('</path>', '</pathx>'), /not well-formed XML: <\/pathx> does not close <path> \(line \d+, column \d+\)/],
    ['an unclosed root', good.replace('</hashlist>', ''), /not well-formed XML: <hashlist> is not closed/],
    ['an unquoted attribute', good.replace('size="6"', 'size=6'), /not well-formed XML: the value of attribute "size" of <path> is not quoted/],
    ['an attribute given twice', good.replace('size="6"', 'size="6" size="6"'), /not well-formed XML: attribute "size" appears twice in <path>/],
    ['an attribute without a value', good.replace('size="6"', 'size'), /not well-formed XML: attribute "size" of <path> has no value/],
    ['attributes without whitespace between them', good.replace('version="2.0" xmlns', 'version="2.0"xmlns'), /not well-formed XML: expected whitespace/],
    ['"<" in an attribute value', good.replace('size="6"', 'size="<6"'), /not well-formed XML: "<" in the value of attribute "size"/],
    ['a bad element name', good.replace('<hashes>', '<1hashes>'), /not well-formed XML: expected an element name/],
    ['text after the root', good + 'trailing', /text outside the root element/],
    ['a second root', good + '<hashlist/>', /more than one root element/],
    ['an unclosed comment', good.replace('<hashes>', '<hashes><!-- open'), /not well-formed XML: a comment is not closed/],
    ['"--" inside a comment', good.replace('<hashes>', '<hashes><!-- a -- b -->'), /not well-formed XML: "--" inside a comment/],
    ['"]]>" in text', good.replace('>a.mov<', '>a]]>.mov<'), /not well-formed XML: "\]\]>" in text in <path>/],
    ['a control character', good.replace('a.mov', 'a\u0001.mov'), /not well-formed XML: character U\+0001 is not allowed in XML/],
    ['an XML declaration later on', good.replace('<hashes>', '<hashes><?xml version="1.0"?>'), /not well-formed XML: an XML declaration is allowed only at the start/],
    ['a stray end tag after the root', good + '</hashlist>', /not well-formed XML: unexpected markup outside the root element/],
    ['a name that is not a qualified name', good.replace('<hashes>', '<:hashes>').replace('</hashes>', '</:hashes>'), /not well-formed XML: <:hashes> is not a qualified name/],
  ];
  for (const [what, input, cause] of cases) {
    it(`refuses ${what}`, () => expectMhlError(() => parseManifest(Buffer.from(input), file), file, cause));
  }

  it('reads comments, processing instructions, CDATA, single quotes, references and prefixed elements as XML means them', () => {
    const text = manifestWith(fileHash('a.mov'))
      .replace('<hashes>', '<!-- a comment --><?tool some data?><hashes>')
      .replace('<path size="6"', "<path size='6'")
      .replace('>a.mov<', '><![CDATA[a <&> ]]>&#x62;&amp;c.mov<')
      .replace('<hashlist version="2.0" xmlns="urn:ASC:MHL:v2.0">', '<m:hashlist version="2.0" xmlns:m="urn:ASC:MHL:v2.0">')
      .replace('</hashlist>', '</m:hashlist>')
      .replace(/<(\/?)(creatorinfo|creationdate|hostname|tool|processinfo|process|hashes|hash|path|xxh64)\b/g, '<$1m:$2');
    const m = parseManifest(Buffer.from(text), file);
    expect(m.files.map((f) => [f.path, f.size])).toEqual([['a <&> b&c.mov', 6]]);
  });
});

const entries = [
  { sequence: 1, path: '0001_A002R2EC_2020-01-16_091500Z.mhl', format: 'c4' as const, digest: c4Of('one') },
  { sequence: 2, path: '0002_A002R2EC_2020-01-17_143000Z.mhl', format: 'c4' as const, digest: c4Of('two') },
];

describe('chain XML', () => {

  it('writes the reference tool\'s layout and reads back', () => {
    const file = 'ascmhl_chain.xml';
    const text = serializeChain(entries);
    expect(text).toContain(`<ascmhldirectory xmlns="urn:ASC:MHL:DIRECTORY:v2.0">\n  <hashlist sequencenr="1">\n    <path>0001_A002R2EC_2020-01-16_091500Z.mhl</path>\n    <c4>${entries[0].digest}</c4>\n  </hashlist>`);
    expect(parseChain(Buffer.from(text), file)).toEqual(entries);
  });

  it('refuses a path out of the ascmhl folder, a bad C4 ID, and duplicate sequence numbers', () => {
    const file = '/r/ascmhl/ascmhl_chain.xml';
    const text = serializeChain(entries);
    expectMhlError(() => parseChain(Buffer.from(text.replace('0001_A002R2EC_2020-01-16_091500Z.mhl', '../../etc/passwd')), file), file, /"\.\." segment/);
    expectMhlError(() => parseChain(Buffer.from(text.replace(entries[1].digest, 'c4notanid')), file), file, /not a c4 digest/);
    expectMhlError(() => parseChain(Buffer.from(text.replace('sequencenr="2"', 'sequencenr="1"')), file), file, /appears twice/);
    expectMhlError(() => parseChain(Buffer.from(text.replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?><!DOCTYPE x>')), file), file, /DOCTYPE/);
  });
});

describe.skipIf(schemasMissing !== undefined)(`the official ASC MHL v2.0 schemas${schemasMissing ? ` (skipped: ${schemasMissing})` : ''}`, () => {
  const written = (name: string, text: string): string => {
    const file = join(scratch(), name);
    writeFileSync(file, text);
    return file;
  };

  it('accept a manifest with every optional part, one with none, and a chain', () => {
    expect(schemaErrors(written('0001_full_2020-01-16_091500Z.mhl', serializeManifest(sample())))).toBeUndefined();
    expect(schemaErrors(written('0001_bare_2020-01-16_091500Z.mhl', serializeManifest(bare())))).toBeUndefined();
    expect(schemaErrors(written('ascmhl_chain.xml', serializeChain(entries)))).toBeUndefined();
  });

  it('refuse hash elements out of order and a chain entry with an unknown action, so a pass means something', () => {
    // Rushes up to 0.1.0 wrote its preferred order (xxh64 before md5); the schema's sequence forbids that.
    const swapped = serializeManifest(sample()).replace(/(\n *<c4 [^\n]*)(\n *<md5 [^\n]*)/, '$2$1');
    expect(schemaErrors(written('0001_swapped_2020-01-16_091500Z.mhl', swapped))).toMatch(/c4': This element is not expected/);
    // The chain's <c4> has a type the chain schema imports from ASCMHL.xsd: refusing it proves the import was resolved.
    const chain = serializeChain(entries).replace('<c4>', '<c4 action="trusted">');
    expect(schemaErrors(written('ascmhl_chain.xml', chain))).toMatch(/'action': \[facet 'enumeration'\] The value 'trusted'/);
  });
});

describe('names and dates', () => {
  it('names manifests NNNN_<folder>_<UTC date>_<time>Z.mhl and reads the generation back', () => {
    expect(manifestFileName(1, 'A002R2EC', new Date('2020-01-16T09:15:00Z'))).toBe('0001_A002R2EC_2020-01-16_091500Z.mhl');
    expect(manifestFileName(12345, 'Reels', new Date('2020-01-17T14:30:00.999Z'))).toBe('12345_Reels_2020-01-17_143000Z.mhl');
    expect(generationOfFileName('0002_A002R2EC_2020-01-17_143000.mhl')).toBe(2); // older, without Z
    expect(generationOfFileName('0003_A_2020-01-17_143000Z.mhl')).toBe(3);
    expect(generationOfFileName('A002R2EC_2020-01-16_091500_0001.mhl')).toBeUndefined(); // pre-release naming
    expect(generationOfFileName('0001.mhl.tmp')).toBeUndefined();
  });

  it('writes xs:dateTime in UTC and reads every lexical form', () => {
    expect(formatDateTime(new Date('2020-01-16T09:15:00.789Z'))).toBe('2020-01-16T09:15:00+00:00');
    expect(parseDateTime('2020-01-16T10:15:00+01:00')).toEqual(new Date('2020-01-16T09:15:00Z'));
    expect(parseDateTime('2020-01-16T09:15:00.5Z')).toEqual(new Date('2020-01-16T09:15:00.500Z'));
    expect(parseDateTime('2020-01-16T09:15:00')).toEqual(new Date('2020-01-16T09:15:00Z'));
    expect(parseDateTime('2020-02-30T09:15:00Z')).toBeUndefined();
    expect(parseDateTime('16.01.2020')).toBeUndefined();
  });

  it('reads and writes a date repeated thousands of times (as in a manifest) the same each time, a Date of its own each time', () => {
    for (const text of ['2020-01-16T10:15:00+01:00', '2020-01-16T10:15:00+01:00', 'nonsense', 'nonsense', '2021-05-01T00:00:00Z', '2020-01-16T10:15:00+01:00']) {
      const a = parseDateTime(text);
      const b = parseDateTime(text);
      expect(b).toEqual(a);
      if (a) {
        expect(b).not.toBe(a);
        a.setTime(0); // a caller changing its Date does not change the next answer
        expect(parseDateTime(text)).toEqual(b);
      }
    }
    for (const ms of [1_579_166_100_000, 1_579_166_100_999, 1_579_166_101_000, 1_579_166_100_500]) {
      expect(formatDateTime(new Date(ms))).toBe(new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', '+00:00'));
    }
    expect(() => formatDateTime(new Date(NaN))).toThrow(RangeError);
    // A generation being written shares one Date per whole second.
    expect(wholeSecond(1_579_166_100_999).toISOString()).toBe('2020-01-16T09:15:00.000Z');
    expect(wholeSecond(1_579_166_100_001)).toBe(wholeSecond(1_579_166_100_999));
    expect(wholeSecond(1_579_166_101_000)).not.toBe(wholeSecond(1_579_166_100_999));
  });
});
