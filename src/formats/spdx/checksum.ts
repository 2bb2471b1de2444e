/** SPDX checksum algorithm → CycloneDX/model spelling. */
export const SPDX_TO_MODEL_ALG: Readonly<Record<string, string>> = {
  MD5: 'MD5',
  SHA1: 'SHA-1',
  SHA224: 'SHA-224',
  SHA256: 'SHA-256',
  SHA384: 'SHA-384',
  SHA512: 'SHA-512',
  'SHA3-256': 'SHA3-256',
  'SHA3-384': 'SHA3-384',
  'SHA3-512': 'SHA3-512',
  'BLAKE2b-256': 'BLAKE2b-256',
  'BLAKE2b-384': 'BLAKE2b-384',
  'BLAKE2b-512': 'BLAKE2b-512',
  BLAKE3: 'BLAKE3',
  MD2: 'MD2',
  MD4: 'MD4',
  MD6: 'MD6',
  ADLER32: 'ADLER32',
};

/** Model (CycloneDX) spelling → SPDX checksum algorithm: the inverse of SPDX_TO_MODEL_ALG. */
export const MODEL_TO_SPDX_ALG: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(SPDX_TO_MODEL_ALG).map(([spdx, model]) => [model, spdx]),
);
