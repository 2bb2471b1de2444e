/** Custody's version, as written into SBOM metadata and `custody --version`. */
export const CUSTODY_VERSION = '0.1.0';
