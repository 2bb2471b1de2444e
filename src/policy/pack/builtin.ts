/**
 * The built-in pack: the gates of the seed's Brief 2 (provenance: builder, build type, source
 * repository and digest, pinned dependencies, signed release commit) and Brief 4 (SBOM: signed and
 * attached, quality score, restricted licences, subject equals the artifact). It is an ordinary
 * policy (the same format a team stores), so every rule is CEL and every threshold a param that a
 * caller may override (`custody policy eval --policy builtin --param minQualityScore=8`).
 *
 * A provenance rule asks that *every* verified provenance of the artifact meets it and that there
 * is at least one: a second provenance from another builder is no less suspect for the first.
 */
export const BUILTIN_PACK_NAME = 'builtin';

export const BUILTIN_PACK_SOURCE = `# Custody's built-in pack (Briefs 2 and 4 of the seed).
name: builtin
version: 1
description: >-
  Provenance gates (builder, build type, source repository and digest, pinned dependencies,
  signed release commit) and SBOM gates (signed SBOM attached, quality score, restricted licences,
  SBOM subject equals the artifact digest).
params:
  # Builder ids (runDetails.builder.id) allowed to have built a release.
  allowedBuilders:
    - https://github.com/actions/runner/github-hosted
    - https://gitlab.com/gitlab-org/gitlab-runner/saas
  # Build types (buildDefinition.buildType) allowed.
  allowedBuildTypes:
    - https://actions.github.io/buildtypes/workflow/v1
    - https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1
    - https://slsa.dev/container-based-build/v0.1?draft
  # Source repositories allowed (prefix match: "https://github.com/acme/" allows the organisation).
  # Empty: any repository, as long as the provenance names one.
  allowedSourcePrefixes: []
  # Share of resolved dependencies that must carry a digest (Brief 2's pinned vs floating).
  minPinnedRatio: 1.0
  # Lowest SBOM quality score (0-10, Custody's quality report).
  minQualityScore: 7.0
  # Licences an artifact may not contain (SPDX ids; a team adds its own list).
  restrictedLicenses:
    - AGPL-1.0-only
    - AGPL-1.0-or-later
    - AGPL-3.0-only
    - AGPL-3.0-or-later
    - SSPL-1.0
    - BUSL-1.1
    - CC-BY-NC-4.0
    - Commons-Clause
rules:
  - name: provenance-present
    expression: size(evidence.provenance) > 0
    message: no verified SLSA provenance names this artifact; attest provenance in the build (custody attest provenance)
  - name: builder-allowed
    expression: >-
      size(evidence.provenance) > 0 &&
      evidence.provenance.all(p, p.builderId in params.allowedBuilders)
    message: the provenance names a builder that is not in params.allowedBuilders
  - name: build-type-allowed
    expression: >-
      size(evidence.provenance) > 0 &&
      evidence.provenance.all(p, p.buildType in params.allowedBuildTypes)
    message: the provenance names a build type that is not in params.allowedBuildTypes
  - name: source-repository-present
    expression: >-
      size(evidence.provenance) > 0 &&
      evidence.provenance.all(p, p.source.uri != null && p.source.uri != "" &&
        (size(params.allowedSourcePrefixes) == 0 ||
         params.allowedSourcePrefixes.exists(s, p.source.uri.startsWith(s))))
    message: the provenance names no source repository, or one outside params.allowedSourcePrefixes
  - name: source-digest-present
    expression: >-
      size(evidence.provenance) > 0 &&
      evidence.provenance.all(p, p.source.digest != null && p.source.digest != "")
    message: the provenance names no source commit digest; the build must record the commit it took
  - name: dependencies-pinned
    expression: >-
      size(evidence.provenance) > 0 &&
      evidence.provenance.all(p, p.resolvedDependencies.ratio >= params.minPinnedRatio)
    message: resolved dependencies without a digest (floating versions); pin them by digest in the lockfile and base images
  - name: release-commit-signed
    expression: evidence.commit.signed
    message: the release commit is not signed by an allowed identity (custody git sign / gitsign)
  - name: sbom-signed-attached
    expression: evidence.sbom.present && evidence.sbom.signed
    message: no signed SBOM is attached to this artifact; push one and sign it with the pipeline identity
  - name: sbom-quality
    expression: evidence.sbom.present && evidence.sbom.quality.score >= params.minQualityScore
    message: the SBOM's quality score is under params.minQualityScore; see custody sbom score for what to fix
  - name: licenses-not-restricted
    expression: >-
      evidence.sbom.present &&
      !evidence.sbom.licenses.exists(l, l in params.restrictedLicenses)
    message: the SBOM lists a licence in params.restrictedLicenses; legal approval or a replacement is needed
  - name: sbom-subject-matches
    expression: evidence.sbom.present && evidence.sbom.subjectMatchesArtifact
    message: the SBOM's subject is not this artifact's digest; regenerate the SBOM for this build (no stale SBOM reuse)
`;
