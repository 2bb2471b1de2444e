import { decodeUtf8, isCustodyError, parseJson } from '../core/index.js';
import { SbomError } from '../sbom/index.js';

export type SbomFormat = 'cyclonedx' | 'spdx';
export type SbomEncoding = 'json' | 'xml' | 'tag-value' | 'yaml';

/** What a document is: its standard, how it is written, and the version of the standard. */
export interface DetectedFormat {
  format: SbomFormat;
  encoding: SbomEncoding;
  /** '1.6', '2.3', … */
  specVersion: string;
}

/** Spec versions Custody reads and validates, per standard (spec versions are data). */
export const SUPPORTED_VERSIONS: Readonly<Record<SbomFormat, readonly string[]>> = {
  cyclonedx: ['1.2', '1.3', '1.4', '1.5', '1.6', '1.7'],
  spdx: ['2.2', '2.3'],
};

const SUPPORTED_TEXT = 'CycloneDX 1.2–1.7 as JSON or XML, SPDX 2.2/2.3 as JSON, YAML or tag-value';

/**
 * Tell the format, encoding and spec version of an SBOM from its bytes (untrusted input). JSON
 * is recognised by `bomFormat`/`specVersion` or `spdxVersion`, XML by the CycloneDX namespace on
 * the root element, tag-value and YAML by their `SPDXVersion:` / `spdxVersion:` line.
 *
 * @throws SbomError SBOM_FORMAT_UNKNOWN when it is none of the supported formats or versions
 * @throws SbomError SBOM_PARSE when it looks like JSON but is not
 */
export function detectSbomFormat(bytes: Uint8Array | string, what = 'document'): DetectedFormat {
  const text = typeof bytes === 'string' ? bytes : decodeUtf8(bytes);
  const start = text.search(/\S/);
  const first = start < 0 ? '' : text[start];
  if (first === '{') return detectJson(text, what);
  if (first === '<') return detectXml(text, what);
  return detectText(text, what);
}

/** Detect from an already parsed JSON value (`bomFormat`/`specVersion` or `spdxVersion`). */
export function detectParsed(data: unknown, what = 'document'): DetectedFormat {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw unknownFormat(what, 'it is not a JSON object');
  }
  const o = data as Record<string, unknown>;
  if (o['bomFormat'] === 'CycloneDX') {
    return supported(what, 'cyclonedx', 'json', asString(o['specVersion']));
  }
  const spdx = asString(o['spdxVersion']);
  if (spdx !== undefined) {
    const m = /^SPDX-(\d+\.\d+)$/.exec(spdx);
    return supported(what, 'spdx', 'json', m?.[1] ?? spdx);
  }
  // A wrong or missing bomFormat beside a CycloneDX specVersion is still CycloneDX to validate:
  // the schema then says exactly what is wrong, instead of "unknown format".
  const cdxVersion = asString(o['specVersion']);
  if (cdxVersion !== undefined && SUPPORTED_VERSIONS.cyclonedx.includes(cdxVersion)) {
    return { format: 'cyclonedx', encoding: 'json', specVersion: cdxVersion };
  }
  throw unknownFormat(what, 'a JSON object with neither `bomFormat: CycloneDX` nor `spdxVersion`');
}

// JSON is parsed whole: `specVersion` may come after megabytes of components.
function detectJson(text: string, what: string): DetectedFormat {
  return detectParsed(parseSbomJson(text, what), what);
}

/**
 * JSON within core's size and depth limits; a syntax error becomes SBOM_PARSE (the limits keep
 * their own INPUT_TOO_LARGE / INPUT_TOO_DEEP codes).
 */
export function parseSbomJson(text: string, what: string): unknown {
  try {
    return parseJson(text, what);
  } catch (cause) {
    if (isCustodyError(cause, 'JSON_PARSE')) {
      throw new SbomError('SBOM_PARSE', cause.message, { cause, details: { file: what } });
    }
    throw cause;
  }
}

/** Detect XML, tag-value or YAML from text (JSON goes through detectParsed after parsing). */
export function detectNonJson(text: string, what: string): DetectedFormat {
  const start = text.search(/\S/);
  return start >= 0 && text[start] === '<' ? detectXml(text, what) : detectText(text, what);
}

const CDX_NAMESPACE = /^http:\/\/cyclonedx\.org\/schema\/bom\/(\d+\.\d+)$/;

// The root element's namespace names the version; the head of the file is enough.
function detectXml(text: string, what: string): DetectedFormat {
  const head = text.slice(0, 64 * 1024);
  const root = /<(?:([A-Za-z_][\w.-]*):)?bom\b([^>]*)>/.exec(head);
  if (root) {
    const prefix = root[1];
    const attr = prefix === undefined ? 'xmlns' : `xmlns:${prefix}`;
    const ns = new RegExp(`\\s${attr.replace('.', '\\.')}\\s*=\\s*["']([^"']*)["']`).exec(
      root[2] ?? '',
    );
    const version = ns?.[1] === undefined ? undefined : CDX_NAMESPACE.exec(ns[1])?.[1];
    if (version !== undefined) return supported(what, 'cyclonedx', 'xml', version);
    throw unknownFormat(what, `an XML <bom> element without a CycloneDX namespace`);
  }
  throw unknownFormat(what, 'an XML document without a CycloneDX <bom> root element');
}

function detectText(text: string, what: string): DetectedFormat {
  const tag = /^[ \t]*SPDXVersion:[ \t]*(\S+)/m.exec(text);
  if (tag?.[1] !== undefined) return spdxVersion(what, 'tag-value', tag[1]);
  const yaml = /^[ \t]*["']?spdxVersion["']?[ \t]*:[ \t]*["']?([^"'\s]+)/m.exec(text);
  if (yaml?.[1] !== undefined) return spdxVersion(what, 'yaml', yaml[1]);
  throw unknownFormat(what, 'neither JSON, XML, SPDX tag-value nor SPDX YAML');
}

function spdxVersion(what: string, encoding: SbomEncoding, raw: string): DetectedFormat {
  const m = /^SPDX-(\d+\.\d+)$/.exec(raw);
  return supported(what, 'spdx', encoding, m?.[1] ?? raw);
}

function supported(
  what: string,
  format: SbomFormat,
  encoding: SbomEncoding,
  specVersion: string | undefined,
): DetectedFormat {
  const name = format === 'cyclonedx' ? 'CycloneDX' : 'SPDX';
  if (specVersion === undefined) throw unknownFormat(what, `${name} without a spec version`);
  if (!SUPPORTED_VERSIONS[format].includes(specVersion)) {
    throw unknownFormat(what, `${name} ${specVersion}, a version Custody does not read`);
  }
  return { format, encoding, specVersion };
}

function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function unknownFormat(what: string, found: string): SbomError {
  return new SbomError(
    'SBOM_FORMAT_UNKNOWN',
    `${what} is not an SBOM Custody can read (found ${found}); supported: ${SUPPORTED_TEXT}`,
    { details: { file: what, supported: SUPPORTED_TEXT } },
  );
}
