/**
 * Helpers for the ASC MHL suites: scratch folders, independent digests (xxhsum, node:crypto
 * with our own base58 for C4 — so tests never check our hashing with itself), and XML Schema
 * validation with xmllint against schemas written here from the ASC MHL v2.0 constraints.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { xxhsum } from './card.ts';
export { removeTree, writeFile as put } from './card.ts';

/** XXH64 of a file by the xxhsum command (not our code). */
export function xxhsum64(path: string): string {
  return xxhsum(path, '1');
}

export function md5(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** C4 ID (SMPTE ST 2114): SHA-512 as a big-endian integer in base58, padded with '1' to 88, prefixed "c4". */
export function c4Of(data: Buffer | string): string {
  let n = BigInt('0x' + createHash('sha512').update(data).digest('hex'));
  let s = '';
  while (n > 0n) {
    s = BASE58[Number(n % 58n)] + s;
    n /= 58n;
  }
  return 'c4' + s.padStart(88, '1');
}

const digest = (name: string, pattern: string): string =>
  `<xs:element name="${name}" type="m:${pattern}"/>`;

/**
 * Manifest schema (namespace urn:ASC:MHL:v2.0), written for these tests from the standard's
 * constraints and tightened where the standard's prose is stricter than its schema: digests
 * must have the format's length and alphabet, paths must be non-empty.
 */
export const MANIFEST_XSD = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:m="urn:ASC:MHL:v2.0"
           targetNamespace="urn:ASC:MHL:v2.0" elementFormDefault="qualified">
  <xs:simpleType name="Hex16"><xs:restriction base="xs:string"><xs:pattern value="[0-9a-f]{16}"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="Hex32"><xs:restriction base="xs:string"><xs:pattern value="[0-9a-f]{32}"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="Hex40"><xs:restriction base="xs:string"><xs:pattern value="[0-9a-f]{40}"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="C4Id"><xs:restriction base="xs:string"><xs:pattern value="c4[1-9A-HJ-NP-Za-km-z]{88}"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="Action"><xs:restriction base="xs:string">
    <xs:enumeration value="original"/><xs:enumeration value="verified"/><xs:enumeration value="failed"/>
  </xs:restriction></xs:simpleType>
  <xs:simpleType name="Process"><xs:restriction base="xs:string">
    <xs:enumeration value="in-place"/><xs:enumeration value="transfer"/><xs:enumeration value="flatten"/>
  </xs:restriction></xs:simpleType>
  <xs:simpleType name="RelPath"><xs:restriction base="xs:string"><xs:minLength value="1"/></xs:restriction></xs:simpleType>
  ${['Hex16', 'Hex32', 'Hex40', 'C4Id']
    .map(
      (t) => `<xs:complexType name="${t}Hash"><xs:simpleContent><xs:extension base="m:${t}">
    <xs:attribute name="action" type="m:Action"/><xs:attribute name="hashdate" type="xs:dateTime"/>
  </xs:extension></xs:simpleContent></xs:complexType>`,
    )
    .join('\n  ')}
  <xs:group name="AnyHash"><xs:choice>
    ${digest('md5', 'Hex32Hash')}${digest('sha1', 'Hex40Hash')}${digest('c4', 'C4IdHash')}
    ${digest('xxh64', 'Hex16Hash')}${digest('xxh3', 'Hex16Hash')}${digest('xxh128', 'Hex32Hash')}
  </xs:choice></xs:group>
  <xs:complexType name="HashSet"><xs:sequence><xs:group ref="m:AnyHash" maxOccurs="unbounded"/></xs:sequence></xs:complexType>
  <xs:complexType name="Free" mixed="true"><xs:sequence>
    <xs:any processContents="skip" minOccurs="0" maxOccurs="unbounded" namespace="##any"/>
  </xs:sequence></xs:complexType>
  <xs:complexType name="Author"><xs:simpleContent><xs:extension base="xs:string">
    <xs:attribute name="email" type="xs:string"/><xs:attribute name="phone" type="xs:string"/><xs:attribute name="role" type="xs:string"/>
  </xs:extension></xs:simpleContent></xs:complexType>
  <xs:complexType name="Tool"><xs:simpleContent><xs:extension base="xs:string">
    <xs:attribute name="version" type="xs:string"/>
  </xs:extension></xs:simpleContent></xs:complexType>
  <xs:complexType name="FilePath"><xs:simpleContent><xs:extension base="m:RelPath">
    <xs:attribute name="size" type="xs:nonNegativeInteger"/>
    <xs:attribute name="creationdate" type="xs:dateTime"/>
    <xs:attribute name="lastmodificationdate" type="xs:dateTime"/>
  </xs:extension></xs:simpleContent></xs:complexType>
  <xs:complexType name="FolderPath"><xs:simpleContent><xs:extension base="m:RelPath">
    <xs:attribute name="creationdate" type="xs:dateTime"/>
    <xs:attribute name="lastmodificationdate" type="xs:dateTime"/>
  </xs:extension></xs:simpleContent></xs:complexType>
  <xs:element name="hashlist"><xs:complexType>
    <xs:sequence>
      <xs:element name="creatorinfo"><xs:complexType><xs:sequence>
        <xs:element name="creationdate" type="xs:dateTime"/>
        <xs:element name="hostname" type="xs:string"/>
        <xs:element name="tool" type="m:Tool"/>
        <xs:element name="author" type="m:Author" minOccurs="0" maxOccurs="unbounded"/>
        <xs:element name="location" type="xs:string" minOccurs="0"/>
        <xs:element name="comment" type="xs:string" minOccurs="0"/>
      </xs:sequence></xs:complexType></xs:element>
      <xs:element name="processinfo"><xs:complexType><xs:sequence>
        <xs:element name="process" type="m:Process"/>
        <xs:element name="roothash" minOccurs="0"><xs:complexType><xs:sequence>
          <xs:element name="content" type="m:HashSet"/><xs:element name="structure" type="m:HashSet"/>
        </xs:sequence></xs:complexType></xs:element>
        <xs:element name="ignore" minOccurs="0"><xs:complexType><xs:sequence>
          <xs:element name="pattern" type="xs:string" maxOccurs="unbounded"/>
        </xs:sequence></xs:complexType></xs:element>
      </xs:sequence></xs:complexType></xs:element>
      <xs:element name="hashes" minOccurs="0"><xs:complexType><xs:choice maxOccurs="unbounded">
        <xs:element name="hash"><xs:complexType><xs:sequence>
          <xs:element name="path" type="m:FilePath"/>
          <xs:group ref="m:AnyHash" maxOccurs="unbounded"/>
          <xs:element name="previousPath" type="m:RelPath" minOccurs="0"/>
          <xs:element name="metadata" type="m:Free" minOccurs="0"/>
        </xs:sequence></xs:complexType></xs:element>
        <xs:element name="directoryhash"><xs:complexType><xs:sequence>
          <xs:element name="path" type="m:FolderPath"/>
          <xs:element name="content" type="m:HashSet"/>
          <xs:element name="structure" type="m:HashSet"/>
          <xs:element name="previousPath" type="m:RelPath" minOccurs="0"/>
          <xs:element name="metadata" type="m:Free" minOccurs="0"/>
        </xs:sequence></xs:complexType></xs:element>
      </xs:choice></xs:complexType></xs:element>
      <xs:element name="metadata" type="m:Free" minOccurs="0"/>
      <xs:element name="references" minOccurs="0"><xs:complexType><xs:sequence>
        <xs:element name="hashlistreference" maxOccurs="unbounded"><xs:complexType><xs:sequence>
          <xs:element name="path" type="m:RelPath"/><xs:element name="c4" type="m:C4IdHash"/>
        </xs:sequence></xs:complexType></xs:element>
      </xs:sequence></xs:complexType></xs:element>
    </xs:sequence>
    <xs:attribute name="version" type="xs:string" fixed="2.0" use="required"/>
  </xs:complexType></xs:element>
</xs:schema>
`;

/** Chain file schema (namespace urn:ASC:MHL:DIRECTORY:v2.0), written the same way. */
export const CHAIN_XSD = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:d="urn:ASC:MHL:DIRECTORY:v2.0"
           targetNamespace="urn:ASC:MHL:DIRECTORY:v2.0" elementFormDefault="qualified">
  <xs:simpleType name="C4Id"><xs:restriction base="xs:string"><xs:pattern value="c4[1-9A-HJ-NP-Za-km-z]{88}"/></xs:restriction></xs:simpleType>
  <xs:element name="ascmhldirectory"><xs:complexType><xs:sequence>
    <xs:element name="hashlist" maxOccurs="unbounded"><xs:complexType>
      <xs:sequence>
        <xs:element name="path"><xs:simpleType><xs:restriction base="xs:string"><xs:pattern value="\\d{4,}_.+\\.mhl"/></xs:restriction></xs:simpleType></xs:element>
        <xs:element name="c4" type="d:C4Id"/>
      </xs:sequence>
      <xs:attribute name="sequencenr" type="xs:positiveInteger" use="required"/>
    </xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>
`;

/** Validates a file with xmllint; returns xmllint's complaint, or undefined when valid. */
export function xmllintErrors(file: string, xsd: string, scratch: string): string | undefined {
  const schema = join(scratch, `schema-${createHash('md5').update(xsd).digest('hex').slice(0, 8)}.xsd`);
  writeFileSync(schema, xsd);
  const r = spawnSync('xmllint', ['--noout', '--nonet', '--schema', schema, file], { encoding: 'utf8' });
  if (r.error) throw r.error;
  return r.status === 0 ? undefined : r.stderr;
}
