import { createHash } from 'node:crypto';

/** Hash algorithm names as CycloneDX spells them; SPDX uses the same names without the dash. */
export type HashAlgorithm = 'MD5' | 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

const NODE_NAMES: Record<HashAlgorithm, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/** Lower-case hex digest of `data`. */
export function computeDigest(alg: HashAlgorithm, data: Uint8Array | string): string {
  return createHash(NODE_NAMES[alg]).update(data).digest('hex');
}

export function sha256Hex(data: Uint8Array | string): string {
  return computeDigest('SHA-256', data);
}

/** `sha256:<hex>` as OCI and in-toto write artifact digests. */
export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${sha256Hex(data)}`;
}

/** Decode base64 (standard or url-safe) to lower-case hex; undefined when it is not base64. */
export function base64ToHex(b64: string): string | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(b64)) return undefined;
  return Buffer.from(b64, 'base64').toString('hex');
}

const HEX_LENGTH: Record<HashAlgorithm, number> = {
  MD5: 32,
  'SHA-1': 40,
  'SHA-256': 64,
  'SHA-384': 96,
  'SHA-512': 128,
};

/** Whether `hex` has the length and alphabet of a digest of `alg`. */
export function isHexDigest(alg: HashAlgorithm, hex: string): boolean {
  return hex.length === HEX_LENGTH[alg] && /^[0-9a-f]+$/i.test(hex);
}

/**
 * Parse an SRI string (`sha512-<base64>`, as npm/yarn/pnpm lockfiles write `integrity`) into
 * hashes. Several space-separated entries are allowed by the SRI spec; unknown algorithms are skipped.
 */
export function parseIntegrity(sri: string): { alg: HashAlgorithm; content: string }[] {
  const out: { alg: HashAlgorithm; content: string }[] = [];
  // Called once per locked package: plain string work instead of a regex per token.
  for (const token of sri.includes(' ') ? sri.trim().split(/\s+/) : [sri.trim()]) {
    const dash = token.indexOf('-');
    const alg = dash > 0 ? SRI_NAMES[token.slice(0, dash).toLowerCase()] : undefined;
    if (!alg) continue;
    const q = token.indexOf('?', dash);
    const b64 = q < 0 ? token.slice(dash + 1) : token.slice(dash + 1, q);
    const bytes = Buffer.from(b64, 'base64');
    // Buffer skips characters outside the alphabet; a wrong length then gives the garbage away.
    if (bytes.length * 2 === HEX_LENGTH[alg] && /^[A-Za-z0-9+/_-]+={0,2}$/.test(b64)) {
      out.push({ alg, content: bytes.toString('hex') });
    }
  }
  return out;
}

const SRI_NAMES: Record<string, HashAlgorithm> = {
  md5: 'MD5',
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
};
