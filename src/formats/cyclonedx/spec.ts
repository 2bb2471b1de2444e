/** CycloneDX versions Custody writes, and what each can hold (spec versions are data, STYLE §3). */
export type CycloneDxWriteVersion = '1.5' | '1.6' | '1.7';

export interface CycloneDxCapabilities {
  /** `metadata.tools` as `{ components: [...] }` (1.5+) rather than the legacy array. */
  toolsAsComponents: boolean;
  /** `licenses[].license.acknowledgement` (declared/concluded), 1.6+. */
  licenseAcknowledgement: boolean;
  /** `authors: [{name}]` on components (1.6+); older versions have the single `author` string. */
  componentAuthors: boolean;
  /** `manufacturer` on components (1.6+); 1.5 names the maker as `supplier`. */
  manufacturer: boolean;
}

export const CYCLONEDX_SPEC: Readonly<Record<CycloneDxWriteVersion, CycloneDxCapabilities>> = {
  '1.5': {
    toolsAsComponents: true,
    licenseAcknowledgement: false,
    componentAuthors: false,
    manufacturer: false,
  },
  '1.6': {
    toolsAsComponents: true,
    licenseAcknowledgement: true,
    componentAuthors: true,
    manufacturer: true,
  },
  '1.7': {
    toolsAsComponents: true,
    licenseAcknowledgement: true,
    componentAuthors: true,
    manufacturer: true,
  },
};

/** Hash algorithms CycloneDX's `hash-alg` enum allows. */
export const CYCLONEDX_HASH_ALGS: ReadonlySet<string> = new Set([
  'MD5',
  'SHA-1',
  'SHA-256',
  'SHA-384',
  'SHA-512',
  'SHA3-256',
  'SHA3-384',
  'SHA3-512',
  'BLAKE2b-256',
  'BLAKE2b-384',
  'BLAKE2b-512',
  'BLAKE3',
]);
