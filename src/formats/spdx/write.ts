import { createHash } from 'node:crypto';
import { type Component, normalizeLicense, type SbomDocument } from '../../sbom/index.js';

import { MODEL_TO_SPDX_ALG as SPDX_CHECKSUM } from './checksum.js';

type Json = Record<string, unknown>;

const PURPOSE: Readonly<Record<Component['type'], string>> = {
  library: 'LIBRARY',
  application: 'APPLICATION',
  framework: 'FRAMEWORK',
  'operating-system': 'OPERATING-SYSTEM',
  container: 'CONTAINER',
  file: 'FILE',
};

/**
 * Serialise a neutral SBOM as SPDX 2.3 JSON. Scope survives as the relationship type
 * (DEPENDS_ON, DEV_DEPENDENCY_OF, OPTIONAL_DEPENDENCY_OF); licence names that are not SPDX become
 * `LicenseRef-` ids with their text in `hasExtractedLicensingInfos`; document properties go to
 * `creationInfo.comment` as `name=value` lines, since SPDX 2.3 has no property field.
 */
export function writeSpdxJson(doc: SbomDocument): string {
  return `${JSON.stringify(toSpdx(doc), null, 2)}\n`;
}

export function toSpdx(doc: SbomDocument): Json {
  const ids = new SpdxIds();
  const extracted = new Map<string, string>();
  const all = doc.subject ? [doc.subject, ...doc.components] : doc.components;
  const packages = all.map((c) => spdxPackage(c, ids.of(c.ref), extracted));
  const name = doc.name ?? doc.subject?.name ?? 'sbom';
  const out: Json = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name,
    documentNamespace: namespaceOf(doc, name),
    creationInfo: creationInfo(doc),
    packages,
    relationships: relationships(doc, ids),
  };
  if (doc.subject) out['documentDescribes'] = [ids.of(doc.subject.ref)];
  if (extracted.size > 0) {
    out['hasExtractedLicensingInfos'] = [...extracted].map(([licenseId, extractedText]) => ({
      licenseId,
      extractedText,
      name: extractedText,
    }));
  }
  return out;
}

function creationInfo(doc: SbomDocument): Json {
  const info: Json = {
    // SPDX requires `created`; without a timestamp (reproducible mode) the epoch stands in.
    created: (doc.timestamp ?? '1970-01-01T00:00:00Z').replace(/\.\d+Z$/, 'Z'),
    creators: [
      ...doc.tools.map((t) => `Tool: ${t.name}${t.version ? `-${t.version}` : ''}`),
      ...doc.authors.map((a) => `Person: ${a}`),
    ],
  };
  const props = Object.entries(doc.properties);
  if (props.length > 0) info['comment'] = props.map(([k, v]) => `${k}=${v}`).join('\n');
  return info;
}

function spdxPackage(c: Component, spdxId: string, extracted: Map<string, string>): Json {
  const p: Json = { name: displayName(c), SPDXID: spdxId };
  if (c.version !== undefined) p['versionInfo'] = c.version;
  p['supplier'] = c.supplier ? `Organization: ${oneLine(c.supplier)}` : 'NOASSERTION';
  if (c.author) p['originator'] = `Person: ${oneLine(c.author)}`;
  p['downloadLocation'] = 'NOASSERTION';
  p['filesAnalyzed'] = false;
  const checksums = c.hashes.flatMap((h) => {
    const algorithm = SPDX_CHECKSUM[h.alg];
    return algorithm ? [{ algorithm, checksumValue: h.content }] : [];
  });
  if (checksums.length > 0) p['checksums'] = checksums;
  p['licenseConcluded'] = 'NOASSERTION';
  p['licenseDeclared'] = licenseExpression(c.licenses, extracted);
  p['copyrightText'] = 'NOASSERTION';
  if (c.description) p['description'] = c.description;
  const refs: Json[] = [];
  if (c.purl)
    refs.push({
      referenceCategory: 'PACKAGE-MANAGER',
      referenceType: 'purl',
      referenceLocator: c.purl,
    });
  if (c.cpe) {
    const type = c.cpe.startsWith('cpe:2.3:') ? 'cpe23Type' : 'cpe22Type';
    refs.push({ referenceCategory: 'SECURITY', referenceType: type, referenceLocator: c.cpe });
  }
  if (refs.length > 0) p['externalRefs'] = refs;
  p['primaryPackagePurpose'] = PURPOSE[c.type];
  return p;
}

function licenseExpression(declared: readonly string[], extracted: Map<string, string>): string {
  if (declared.length === 0) return 'NOASSERTION';
  const parts = declared.map((raw) => {
    const n = normalizeLicense(raw);
    if (n.kind === 'name') {
      if (n.value === '') return 'NOASSERTION';
      const id = `LicenseRef-${n.value.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-|-$/g, '') || 'unknown'}`;
      extracted.set(id, n.value);
      return id;
    }
    return n.value;
  });
  if (parts.length === 1) return parts[0] ?? 'NOASSERTION';
  if (parts.includes('NOASSERTION') || parts.includes('NONE')) return 'NOASSERTION';
  return parts.map((p) => (/\s/.test(p) ? `(${p})` : p)).join(' AND ');
}

function relationships(doc: SbomDocument, ids: SpdxIds): Json[] {
  const out: Json[] = [];
  if (doc.subject) {
    out.push(rel('SPDXRef-DOCUMENT', 'DESCRIBES', ids.of(doc.subject.ref)));
  }
  const scopeOf = new Map(doc.components.map((c) => [c.ref, c.scope]));
  const all = doc.subject ? [doc.subject, ...doc.components] : doc.components;
  for (const c of all) {
    for (const dep of c.dependsOn) {
      const scope = scopeOf.get(dep);
      if (scope === 'dev') out.push(rel(ids.of(dep), 'DEV_DEPENDENCY_OF', ids.of(c.ref)));
      else if (scope === 'optional') {
        out.push(rel(ids.of(dep), 'OPTIONAL_DEPENDENCY_OF', ids.of(c.ref)));
      } else out.push(rel(ids.of(c.ref), 'DEPENDS_ON', ids.of(dep)));
    }
  }
  return out;
}

function rel(a: string, type: string, b: string): Json {
  return { spdxElementId: a, relationshipType: type, relatedSpdxElement: b };
}

// SPDXIDs allow letters, digits, `.` and `-` only; refs (purls) do not fit, so derive a readable id
// plus a short digest of the ref, which keeps them unique and stable across runs.
class SpdxIds {
  private readonly ids = new Map<string, string>();
  of(ref: string): string {
    let id = this.ids.get(ref);
    if (id === undefined) {
      const readable = ref
        .replace(/^pkg:/, '')
        .replace(/[^A-Za-z0-9.-]+/g, '-')
        .slice(0, 80);
      const digest = createHash('sha256').update(ref).digest('hex').slice(0, 8);
      id = `SPDXRef-Package-${readable}-${digest}`;
      this.ids.set(ref, id);
    }
    return id;
  }
}

function namespaceOf(doc: SbomDocument, name: string): string {
  const serial = doc.serialNumber ?? '';
  if (/^[a-z][a-z0-9+.-]*:/i.test(serial) && !serial.includes('#')) return serial;
  return `https://spdx.org/spdxdocs/${encodeURIComponent(name)}-${serial || 'unknown'}`;
}

function displayName(c: Component): string {
  // Some catalogers keep the namespace in the name already (npm's `@scope/name`).
  if (!c.namespace || c.name.startsWith(`${c.namespace}/`)) return c.name;
  return c.ecosystem === 'maven' ? `${c.namespace}:${c.name}` : `${c.namespace}/${c.name}`;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
