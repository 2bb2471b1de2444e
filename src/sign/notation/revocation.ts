import { x509 } from '../ca/x509.js';
import type { Certificate } from './certificate.js';

/**
 * The revocation status of a certificate chain (leaf first): OCSP and CRL lookups are network
 * I/O, so a caller that can make them passes this in (trust-store-trust-policy "Certificate
 * Revocation Evaluation"). 'unknown' fails the revocation validation, as the specification says.
 */
export type RevocationChecker = (
  chain: readonly Uint8Array[],
  purpose: 'codeSigning' | 'timestamping',
) => Promise<'ok' | 'revoked' | 'unknown'> | 'ok' | 'revoked' | 'unknown';

const CRL_DISTRIBUTION_POINTS = '2.5.29.31';

/** A certificate with neither OCSP nor CRL information is not checked and counts as not revoked. */
export function isRevocable(c: Certificate): boolean {
  if (c.ext.getExtension(CRL_DISTRIBUTION_POINTS)) return true;
  const aia = c.ext.getExtension(x509.AuthorityInfoAccessExtension);
  return (aia?.ocsp.length ?? 0) > 0;
}
