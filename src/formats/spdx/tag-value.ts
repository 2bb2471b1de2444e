import { SbomError } from '../../sbom/index.js';

type Json = Record<string, unknown>;
type Section = 'document' | 'package' | 'file' | 'snippet' | 'license' | 'annotation' | 'review';

/**
 * Read an SPDX 2.x tag-value document (untrusted) into the SPDX JSON shape, so the JSON reader
 * and JSON schema serve it too. Follows SPDX 2.3 §§6–12 and Annex (tag-value format): one
 * `Tag: value` per line, `<text>…</text>` values may span lines, `#` starts a comment line, and
 * the element a tag belongs to is the last one opened (PackageName, FileName, SnippetSPDXID,
 * LicenseID, Annotator, Reviewer). Files that follow a package belong to it (`hasFiles`).
 * Unknown tags are ignored.
 *
 * @throws SbomError SBOM_PARSE for a line that is not `Tag: value` or an unterminated `<text>`
 */
export function parseSpdxTagValue(text: string, what: string): Json {
  const doc: Json = {};
  const state: State = { doc, section: 'document', current: doc, lastPackage: undefined };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const m = /^\s*([A-Za-z][A-Za-z0-9]*)\s*:\s?(.*)$/.exec(line);
    if (!m?.[1]) {
      throw new SbomError(
        'SBOM_PARSE',
        `${what} line ${i + 1} is not "Tag: value": ${clip(line)}`,
        {
          details: { file: what, line: i + 1 },
        },
      );
    }
    let value = (m[2] ?? '').trim();
    if (value.startsWith('<text>')) {
      const startLine = i;
      let body = value.slice('<text>'.length);
      while (!body.includes('</text>')) {
        i++;
        if (i >= lines.length) {
          throw new SbomError(
            'SBOM_PARSE',
            `${what} line ${startLine + 1}: <text> is never closed`,
            {
              details: { file: what, line: startLine + 1 },
            },
          );
        }
        body += `\n${lines[i]}`;
      }
      value = body.slice(0, body.indexOf('</text>'));
    }
    apply(state, m[1], value);
  }
  finish(doc);
  return doc;
}

// Files that followed a package become its `hasFiles`; annotations move to the element their
// SPDXREF names (the JSON form nests them there), or stay on the document.
function finish(doc: Json): void {
  for (const p of arr(doc['packages']) as Json[]) {
    const files = arr(p['custody:files']) as Json[];
    delete p['custody:files'];
    const ids = files.map((f) => f['SPDXID']).filter((id) => typeof id === 'string');
    if (ids.length > 0) p['hasFiles'] = ids;
  }
  const annotations = arr(doc['annotations']) as Json[];
  if (annotations.length === 0) return;
  const byId = new Map<unknown, Json>();
  for (const key of ['packages', 'files', 'snippets']) {
    for (const e of arr(doc[key]) as Json[]) byId.set(e['SPDXID'], e);
  }
  const kept: Json[] = [];
  for (const a of annotations) {
    const target = byId.get(a['custody:annotated']);
    delete a['custody:annotated'];
    if (target) push(target, 'annotations', a);
    else kept.push(a);
  }
  if (kept.length > 0) doc['annotations'] = kept;
  else delete doc['annotations'];
}

interface State {
  doc: Json;
  section: Section;
  current: Json;
  lastPackage: Json | undefined;
}

/** Tags whose value is a list in the JSON form: tag → JSON member. */
const LISTS: Readonly<Record<string, string>> = {
  PackageLicenseInfoFromFiles: 'licenseInfoFromFiles',
  PackageAttributionText: 'attributionTexts',
  FileType: 'fileTypes',
  LicenseInfoInFile: 'licenseInfoInFiles',
  FileContributor: 'fileContributors',
  FileAttributionText: 'attributionTexts',
  LicenseInfoInSnippet: 'licenseInfoInSnippets',
  SnippetAttributionText: 'attributionTexts',
  LicenseCrossReference: 'seeAlsos',
};

/** Tags that set one string member of the current element: tag → JSON member. */
const FIELDS: Readonly<Record<string, string>> = {
  DataLicense: 'dataLicense',
  DocumentName: 'name',
  DocumentNamespace: 'documentNamespace',
  DocumentComment: 'comment',
  PackageVersion: 'versionInfo',
  PackageFileName: 'packageFileName',
  PackageSupplier: 'supplier',
  PackageOriginator: 'originator',
  PackageDownloadLocation: 'downloadLocation',
  PackageHomePage: 'homepage',
  PackageSourceInfo: 'sourceInfo',
  PackageLicenseConcluded: 'licenseConcluded',
  PackageLicenseDeclared: 'licenseDeclared',
  PackageLicenseComments: 'licenseComments',
  PackageCopyrightText: 'copyrightText',
  PackageSummary: 'summary',
  PackageDescription: 'description',
  PackageComment: 'comment',
  PrimaryPackagePurpose: 'primaryPackagePurpose',
  ReleaseDate: 'releaseDate',
  BuiltDate: 'builtDate',
  ValidUntilDate: 'validUntilDate',
  LicenseConcluded: 'licenseConcluded',
  LicenseComments: 'licenseComments',
  FileCopyrightText: 'copyrightText',
  FileComment: 'comment',
  FileNotice: 'noticeText',
  SnippetFromFileSPDXID: 'snippetFromFile',
  SnippetLicenseConcluded: 'licenseConcluded',
  SnippetLicenseComments: 'licenseComments',
  SnippetCopyrightText: 'copyrightText',
  SnippetComment: 'comment',
  SnippetName: 'name',
  ExtractedText: 'extractedText',
  LicenseName: 'name',
  LicenseComment: 'comment',
  AnnotationDate: 'annotationDate',
  AnnotationType: 'annotationType',
  AnnotationComment: 'comment',
  ReviewDate: 'reviewDate',
  ReviewComment: 'comment',
};

function apply(s: State, tag: string, value: string): void {
  switch (tag) {
    case 'SPDXVersion':
      s.doc['spdxVersion'] = value;
      return;
    case 'SPDXID':
      s.current['SPDXID'] = value;
      return;
    case 'LicenseListVersion':
    case 'Creator':
    case 'Created':
    case 'CreatorComment':
      creationInfo(s.doc, tag, value);
      return;
    case 'ExternalDocumentRef':
      push(s.doc, 'externalDocumentRefs', externalDocumentRef(value));
      return;
    case 'PackageName':
      open(s, 'package', 'packages', { name: value });
      s.lastPackage = s.current;
      return;
    case 'FileName':
      open(s, 'file', 'files', { fileName: value });
      return;
    case 'SnippetSPDXID':
      open(s, 'snippet', 'snippets', { SPDXID: value });
      return;
    case 'LicenseID':
      open(s, 'license', 'hasExtractedLicensingInfos', { licenseId: value });
      return;
    case 'Annotator':
      open(s, 'annotation', 'annotations', { annotator: value });
      return;
    case 'Reviewer':
      open(s, 'review', 'revieweds', { reviewer: value });
      return;
    case 'SPDXREF':
      s.current['custody:annotated'] = value;
      return;
    case 'FilesAnalyzed':
      s.current['filesAnalyzed'] = value.toLowerCase() === 'true';
      return;
    case 'PackageVerificationCode':
      s.current['packageVerificationCode'] = verificationCode(value);
      return;
    case 'PackageChecksum':
    case 'FileChecksum':
      push(s.current, 'checksums', checksum(value));
      return;
    case 'ExternalRef':
      push(s.current, 'externalRefs', externalRef(value));
      return;
    case 'ExternalRefComment': {
      const refs = s.current['externalRefs'];
      const last = Array.isArray(refs) ? (refs[refs.length - 1] as Json | undefined) : undefined;
      if (last) last['comment'] = value;
      return;
    }
    case 'SnippetByteRange':
    case 'SnippetLineRange':
      push(s.current, 'ranges', range(tag, value, s.current));
      return;
    case 'Relationship':
      relationship(s.doc, value);
      return;
    case 'RelationshipComment': {
      const rels = s.doc['relationships'];
      const last = Array.isArray(rels) ? (rels[rels.length - 1] as Json | undefined) : undefined;
      if (last) last['comment'] = value;
      return;
    }
  }
  const list = LISTS[tag];
  if (list !== undefined) push(s.current, list, value);
  else {
    const field = FIELDS[tag];
    if (field !== undefined) s.current[field] = value;
  }
}

// Start a new element; a file that follows a package is one of its files.
function open(s: State, section: Section, member: string, element: Json): void {
  if (section !== 'file' && section !== 'snippet') s.lastPackage = undefined;
  push(s.doc, member, element);
  s.section = section;
  s.current = element;
  if (section === 'file' && s.lastPackage) {
    s.lastPackage['custody:files'] = [...arr(s.lastPackage['custody:files']), element];
  }
}

function creationInfo(doc: Json, tag: string, value: string): void {
  const info = (doc['creationInfo'] as Json | undefined) ?? {};
  doc['creationInfo'] = info;
  if (tag === 'Creator') push(info, 'creators', value);
  else if (tag === 'Created') info['created'] = value;
  else if (tag === 'CreatorComment') info['comment'] = value;
  else info['licenseListVersion'] = value;
}

// `DocumentRef-x <uri> SHA1: <hex>`
function externalDocumentRef(value: string): Json {
  const [id = '', uri = '', alg = '', sum = ''] = value.split(/\s+/);
  return {
    externalDocumentId: id,
    spdxDocument: uri,
    checksum: { algorithm: alg.replace(/:$/, ''), checksumValue: sum },
  };
}

// `SHA1: <hex>`
function checksum(value: string): Json {
  const m = /^([\w-]+)\s*:\s*(\S*)/.exec(value);
  return { algorithm: m?.[1] ?? value, checksumValue: m?.[2] ?? '' };
}

// `<hex>` or `<hex> (excludes: ./a, ./b)` (also written without the space)
function verificationCode(value: string): Json {
  const m = /^([0-9A-Fa-f]*)\s*(?:\((?:excludes:)?\s*(.*)\))?\s*$/.exec(value);
  const out: Json = { packageVerificationCodeValue: m?.[1] ?? value };
  const excluded = m?.[2]?.split(/\s*,\s*/).filter((x) => x !== '');
  if (excluded && excluded.length > 0) out['packageVerificationCodeExcludedFiles'] = excluded;
  return out;
}

// `<CATEGORY> <type> <locator>`
function externalRef(value: string): Json {
  const [category = '', type = '', ...rest] = value.split(/\s+/);
  return { referenceCategory: category, referenceType: type, referenceLocator: rest.join(' ') };
}

// `310:420` → start/end pointers on the snippet's file.
function range(tag: string, value: string, snippet: Json): Json {
  const [a = '', b = ''] = value.split(':');
  const key = tag === 'SnippetByteRange' ? 'offset' : 'lineNumber';
  const reference = String(snippet['snippetFromFile'] ?? '');
  return {
    startPointer: { reference, [key]: Number.parseInt(a, 10) },
    endPointer: { reference, [key]: Number.parseInt(b, 10) },
  };
}

// `<id> <TYPE> <id>`
function relationship(doc: Json, value: string): void {
  const [a = '', type = '', b = ''] = value.split(/\s+/);
  push(doc, 'relationships', { spdxElementId: a, relationshipType: type, relatedSpdxElement: b });
}

function push(o: Json, key: string, value: unknown): void {
  const list = o[key];
  if (Array.isArray(list)) list.push(value);
  else o[key] = [value];
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
