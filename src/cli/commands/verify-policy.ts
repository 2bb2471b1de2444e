import type { KeyObject } from 'node:crypto';
import type { IdentityPolicy } from '../../sign/index.js';

/** The signer flags `verify`, `verify-attestation` and `verify-bundle` share. */
export interface PolicyFlags {
  key?: string;
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
}

/**
 * Who must have signed: a key, or a certificate identity with its OIDC issuer (both, exactly or
 * by regular expression). `usage` reports flag misuse and does not return.
 */
export function policyFromFlags(
  o: PolicyFlags,
  readKey: (path: string) => KeyObject,
  usage: (message: string) => never,
): IdentityPolicy {
  const hasIdentity =
    o.certificateIdentity !== undefined || o.certificateIdentityRegexp !== undefined;
  const hasIssuer =
    o.certificateOidcIssuer !== undefined || o.certificateOidcIssuerRegexp !== undefined;
  if (o.key !== undefined) {
    if (hasIdentity || hasIssuer)
      usage('--key and --certificate-identity/--certificate-oidc-issuer exclude each other');
    return { key: readKey(o.key) };
  }
  if (!hasIdentity || !hasIssuer)
    usage(
      'give --key <pub>, or --certificate-identity[-regexp] with --certificate-oidc-issuer[-regexp]',
    );
  return {
    ...(o.certificateIdentity !== undefined ? { identity: o.certificateIdentity } : {}),
    ...(o.certificateIdentityRegexp !== undefined
      ? { identityRegexp: o.certificateIdentityRegexp }
      : {}),
    ...(o.certificateOidcIssuer !== undefined ? { issuer: o.certificateOidcIssuer } : {}),
    ...(o.certificateOidcIssuerRegexp !== undefined
      ? { issuerRegexp: o.certificateOidcIssuerRegexp }
      : {}),
  };
}
