/**
 * The admission gate's built-in policy, what a namespace with no configuration evaluates (issue
 * [9]: "signed by a trusted identity, with an SBOM"). It is an ordinary policy in the format of
 * policy/pack/builtin.ts, so a team can copy it, store it and extend it.
 *
 * `evidence.signatures` holds only signatures that verified and whose signer the namespace
 * trusts (identity, issuer, key role): the engine leaves the others out, as the evidence document
 * asks of whoever fills it, so "signed by a trusted identity" is a size check here.
 */
export const ADMISSION_DEFAULT_POLICY_NAME = 'admission-default';

export const ADMISSION_DEFAULT_POLICY_SOURCE = `# Custody's admission default: signed by a trusted identity, with an SBOM about the image.
name: admission-default
version: 1
description: >-
  The image carries a signature by a trusted identity or key, and an SBOM whose subject is the
  image's digest.
rules:
  - name: signed-by-trusted-identity
    expression: size(evidence.signatures) > 0
    message: no signature by a trusted identity names this image's digest; sign it in the pipeline (custody sign <image>)
  - name: sbom-present
    expression: evidence.sbom.present
    message: no SBOM is attached to this image; attest one (custody attest <image> --type cyclonedx --predicate sbom.json)
  - name: sbom-subject-matches
    expression: evidence.sbom.present && evidence.sbom.subjectMatchesArtifact
    message: the SBOM's subject is not this image's digest; generate the SBOM for this build
`;
