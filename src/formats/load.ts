import { CoreError, DEFAULT_JSON_LIMITS, decodeUtf8 } from '../core/index.js';
import { SbomError } from '../sbom/index.js';
import { cycloneDxXmlToJson } from './cyclonedx/xml.js';
import { type DetectedFormat, detectNonJson, detectParsed, parseSbomJson } from './detect.js';
import { parseSpdxTagValue } from './spdx/tag-value.js';
import { parseSpdxYaml } from './spdx/yaml.js';

/** A document read into its JSON shape (XML and tag-value converted), with what it is. */
export interface LoadedSbom extends DetectedFormat {
  data: Record<string, unknown>;
}

/**
 * Detect and read an SBOM (untrusted bytes) in one pass: JSON parsed within core's limits,
 * CycloneDX XML and SPDX tag-value/YAML converted to the JSON shape of their standard.
 *
 * @throws SbomError SBOM_FORMAT_UNKNOWN, SBOM_PARSE; CoreError INPUT_TOO_LARGE, INPUT_TOO_DEEP
 */
export function loadSbom(input: Uint8Array | string, what: string): LoadedSbom {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > DEFAULT_JSON_LIMITS.maxBytes) {
    throw new CoreError(
      'INPUT_TOO_LARGE',
      `${what} is ${size} bytes, over the limit of ${DEFAULT_JSON_LIMITS.maxBytes}`,
      { details: { file: what, size, limit: DEFAULT_JSON_LIMITS.maxBytes } },
    );
  }
  const text = typeof input === 'string' ? input : decodeUtf8(input);
  const start = text.search(/\S/);
  if (start >= 0 && text[start] === '{') {
    const data = parseSbomJson(text, what);
    return { ...detectParsed(data, what), data: data as Record<string, unknown> };
  }
  const detected = detectNonJson(text, what);
  const data = guarded(what, () => {
    switch (detected.encoding) {
      case 'xml':
        return cycloneDxXmlToJson(text, what, detected.specVersion);
      case 'tag-value':
        return parseSpdxTagValue(text, what);
      default:
        return parseSpdxYaml(text, what);
    }
  });
  return { ...detected, data };
}

// Deeply nested XML or YAML can exhaust the stack inside a parser; that is bad input, not a bug.
function guarded<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (cause) {
    if (cause instanceof RangeError) {
      throw new SbomError('SBOM_PARSE', `${what} nests too deeply to read`, {
        cause,
        details: { file: what },
      });
    }
    throw cause;
  }
}
