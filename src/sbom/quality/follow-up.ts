/**
 * What a follow-up asks a person to do about one component, per warn-tier check (the gate's
 * message describes the whole SBOM; a follow-up is about one component).
 */
const WHAT_TO_DO: Readonly<Record<string, string>> = {
  'licensing.valid-spdx':
    'no valid SPDX licence (missing, NOASSERTION or free text): have it reviewed and record its licence',
  'licensing.present': 'no licence declared: have it reviewed and record its licence',
  'licensing.no-noassertion':
    'licence is NOASSERTION/NONE: have it reviewed and record its licence',
  'integrity.hash':
    'no hash, and its source records none (bundled in another package, or a workspace folder): check it through the package that ships it',
  'integrity.strong-hash':
    'no SHA-256 or stronger hash: regenerate the SBOM from a source that has one',
  'identification.valid-purl':
    'its purl breaks the purl spec, so it cannot be found by purl: fix the purl',
};

/** The follow-up text for a component warned about by `check`; `fallback` for other checks. */
export function followUpMessage(check: string, fallback: string): string {
  return WHAT_TO_DO[check] ?? fallback;
}
