import { uuidV5 } from '../core/index.js';
import { type SbomDocument, SbomError } from '../sbom/index.js';
import { writeCycloneDxJson } from './cyclonedx/write.js';
import { MODEL_TO_SPDX_ALG } from './spdx/checksum.js';
import { writeSpdxJson } from './spdx/write.js';

export const CONVERT_TARGETS = ['cyclonedx-json', 'spdx-json'] as const;
export type ConvertTarget = (typeof CONVERT_TARGETS)[number];

export interface ConvertResult {
  text: string;
  /** What the source held that the target cannot: JSON pointers or field descriptions, sorted. */
  lost: string[];
}

/**
 * Convert a parsed SBOM to another format, keeping everything the target can hold. The neutral
 * model is the hub: what the reader could not map is already in `doc.unmapped`; what the target
 * writer cannot hold is added here.
 *
 * @throws SbomError SBOM_CONVERT_UNSUPPORTED
 */
export function convertSbom(doc: SbomDocument, to: ConvertTarget): ConvertResult {
  const lost = new Set(doc.unmapped);
  switch (to) {
    case 'cyclonedx-json': {
      const out: SbomDocument = { ...doc };
      const serial = cycloneDxSerial(doc.serialNumber);
      if (serial === undefined) delete out.serialNumber;
      else out.serialNumber = serial;
      return { text: writeCycloneDxJson(out, '1.6'), lost: collapse(lost) };
    }
    case 'spdx-json': {
      for (const l of spdxLosses(doc)) lost.add(l);
      return { text: writeSpdxJson(doc), lost: collapse(lost) };
    }
    default: {
      const never: never = to;
      throw new SbomError(
        'SBOM_CONVERT_UNSUPPORTED',
        `cannot convert to ${String(never)}; use one of ${CONVERT_TARGETS.join(', ')}`,
      );
    }
  }
}

// SPDX namespaces are any URI; CycloneDX wants urn:uuid, so derive a stable one from the namespace.
function cycloneDxSerial(serial: string | undefined): string | undefined {
  if (serial === undefined) return undefined;
  if (
    /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(
      serial,
    )
  ) {
    return serial;
  }
  return `urn:uuid:${uuidV5(serial)}`;
}

/** Fields of the neutral model SPDX 2.3 packages cannot carry (counted per field). */
function spdxLosses(doc: SbomDocument): string[] {
  const out: string[] = [];
  const all = doc.subject ? [doc.subject, ...doc.components] : doc.components;
  const withProps = all.filter((c) => Object.keys(c.properties ?? {}).length > 0).length;
  if (withProps > 0)
    out.push(
      `/components/*/properties (${withProps} components: SPDX packages have no properties)`,
    );
  const required = all.filter((c) => c.scope === 'required').length;
  if (required > 0 && all.every((c) => c.dependsOn.length === 0)) {
    out.push(
      `/components/*/scope (${required} components: SPDX keeps scope only on dependency relationships)`,
    );
  }
  const oddHashes = all.filter((c) =>
    c.hashes.some((h) => MODEL_TO_SPDX_ALG[h.alg] === undefined),
  ).length;
  if (oddHashes > 0)
    out.push(`/components/*/hashes (${oddHashes} components with algorithms SPDX lacks)`);
  return out;
}

/**
 * `/packages/3/copyrightText` for 700 packages is one fact, not 700: array indices become `*` and
 * the count follows, so people read a short list.
 */
function collapse(pointers: Iterable<string>): string[] {
  const counts = new Map<string, number>();
  for (const p of pointers) {
    const key = p.replace(/\/\d+(?=\/|$)/g, '/*');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => (n > 1 ? `${k} (${n})` : k)).sort();
}
