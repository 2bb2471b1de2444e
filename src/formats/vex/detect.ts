import { VexFormatError } from './errors.js';

/** The three VEX formats Custody reads and writes. */
export const VEX_FORMATS = ['openvex', 'cyclonedx', 'csaf'] as const;
export type VexFormat = (typeof VEX_FORMATS)[number];

export interface DetectedVex {
  format: VexFormat;
  /** OpenVEX "0.2.0" (or "0.0.1"), CycloneDX "1.4"–"1.7", CSAF "2.0". */
  specVersion: string;
}

/** Versions read strictly. OpenVEX 0.0.1 is read only when asked to be lenient (it is upgraded). */
export const VEX_SUPPORTED_VERSIONS: Readonly<Record<VexFormat, readonly string[]>> = {
  openvex: ['0.2.0'],
  cyclonedx: ['1.4', '1.5', '1.6', '1.7'],
  csaf: ['2.0'],
};

const OPENVEX_NS = 'https://openvex.dev/ns';

/**
 * Which VEX format a parsed document is: OpenVEX by its `@context` (the spec: a context without
 * a version is v0.0.1), CycloneDX by `bomFormat`, CSAF by `document.csaf_version`.
 *
 * @throws VexFormatError VEX_PARSE (not an object), VEX_FORMAT_UNKNOWN
 */
export function detectVex(data: unknown, what = 'document'): DetectedVex {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new VexFormatError('VEX_PARSE', `${what} is not a JSON object; a VEX document is one`);
  }
  const d = data as Record<string, unknown>;
  const context = d['@context'];
  if (typeof context === 'string' && context.startsWith(OPENVEX_NS)) {
    const m = /^\/v(\d+\.\d+\.\d+)$/.exec(context.slice(OPENVEX_NS.length));
    return { format: 'openvex', specVersion: m?.[1] ?? '0.0.1' };
  }
  if (d['bomFormat'] === 'CycloneDX' && typeof d['specVersion'] === 'string') {
    return { format: 'cyclonedx', specVersion: d['specVersion'] };
  }
  const doc = d['document'];
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) {
    const v = (doc as Record<string, unknown>)['csaf_version'];
    if (typeof v === 'string') return { format: 'csaf', specVersion: v };
  }
  throw new VexFormatError(
    'VEX_FORMAT_UNKNOWN',
    `${what} is not OpenVEX (@context https://openvex.dev/ns/…), CycloneDX (bomFormat) or CSAF (document.csaf_version)`,
  );
}
