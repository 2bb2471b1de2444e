/**
 * The predicate type of the statement a Custody image signature carries as a referrer (the sign
 * predicate of cosign's new bundle format): a statement about the manifest digest and nothing
 * more, so that it verifies from the digest alone.
 */
export const SIGN_PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1';
