/**
 * Converting VEX between OpenVEX 0.2, CycloneDX (1.4–1.7) and CSAF 2.0 through the model.
 *
 * What each pair loses (VEX_CONVERSION_LOSSES; the README lists the same, and the conformance
 * tests check A→B→A against it). Every conversion also loses what the model does not hold of
 * the source (see openvex.ts, cyclonedx-vex.ts, csaf.ts). Defaulted values and lossy encodings
 * in a particular document are reported by writeVex as `notes`.
 *
 * - OpenVEX → CycloneDX: the first publication time when a last-updated time exists; a
 *   non-uuid document @id (a uuid v5 of it is written); statement `@id`s.
 * - OpenVEX → CSAF: statement timestamps and versions; the role when not a CSAF publisher
 *   category; status notes become vulnerability notes (shared by all its statements).
 * - CycloneDX → OpenVEX: version ranges (written as a `vers` qualifier on the purl, Custody's
 *   convention); bom-refs of products that have a name (the name is kept); the finer analysis
 *   state and justification (kept in the text only as the five).
 * - CycloneDX → CSAF: bom-refs (product ids replace them); statement timestamps and versions;
 *   `rollback` (written as vendor_fix).
 * - CSAF → OpenVEX: product ids and names of products with a purl; remediation categories
 *   beyond the five responses (`mitigation` reads as workaround_available); version ranges (as
 *   for CycloneDX); relationship categories.
 * - CSAF → CycloneDX: product ids (they become bom-refs); subcomponents (relationships);
 *   revision history (only the current version); `mitigation` as workaround_available.
 */
import type { VexFormat } from './detect.js';
import type { VexDocument } from './model.js';
import { type VexWriteOptions, type VexWritten, writeVex } from './write.js';

/** Per source → target: what the target cannot hold of what the model held. */
export const VEX_CONVERSION_LOSSES: Readonly<
  Record<VexFormat, Readonly<Record<VexFormat, readonly string[]>>>
> = {
  openvex: {
    openvex: [],
    cyclonedx: [
      'first publication time (with a last-updated time)',
      'non-uuid document id (a uuid v5 of it is written)',
    ],
    csaf: [
      'statement timestamps and versions',
      'role outside CSAF publisher categories',
      'status notes per statement (CSAF notes belong to the vulnerability)',
    ],
  },
  cyclonedx: {
    openvex: [
      'version ranges (a vers qualifier, Custody convention)',
      'bom-refs of named products',
      'finer analysis state and justification',
    ],
    cyclonedx: [],
    csaf: [
      'bom-refs (CSAF product ids)',
      'statement timestamps and versions',
      'response rollback (vendor_fix)',
    ],
  },
  csaf: {
    openvex: [
      'product ids',
      'product names of products with a purl',
      'remediation category mitigation (workaround_available)',
      'version ranges (a vers qualifier, Custody convention)',
      'relationship categories',
    ],
    cyclonedx: [
      'product ids (bom-refs)',
      'subcomponents (relationships)',
      'revision history',
      'remediation category mitigation (workaround_available)',
    ],
    csaf: [],
  },
};

export interface VexConverted extends VexWritten {
  /** What the target format cannot hold, for this pair, followed by this document's notes. */
  lost: string[];
}

/** Write `doc`, read from `from`, in format `to`; `lost` says what did not carry over. */
export function convertVex(
  doc: VexDocument,
  from: VexFormat,
  to: VexFormat,
  opts: VexWriteOptions = {},
): VexConverted {
  const written = writeVex(doc, to, opts);
  return { ...written, lost: [...VEX_CONVERSION_LOSSES[from][to], ...written.notes] };
}
