import type { Evidence } from '../../src/policy/index.js';

export const ARTIFACT = `sha256:${'ab'.repeat(32)}`;

/** Evidence every rule of the built-in pack passes on; tests break one fact at a time. */
export function goodEvidence(): Evidence {
  return {
    schema: 'custody.dev/evidence/v1',
    artifact: {
      digest: ARTIFACT,
      name: 'ghcr.io/acme/shop',
      product: 'shop',
      release: '1.4.0',
      team: 'payments',
      ticket: 'CHG-1234',
      supplier: false,
    },
    signatures: [
      {
        kind: 'sigstore',
        identity: 'https://github.com/acme/shop/.github/workflows/release.yml@refs/tags/v1.4.0',
        issuer: 'https://token.actions.githubusercontent.com',
        keyHint: null,
        emergency: false,
        logged: true,
        verifiedAt: '2026-12-01T10:00:00.000Z',
      },
    ],
    provenance: [
      {
        predicateType: 'https://slsa.dev/provenance/v1',
        builderId: 'https://github.com/actions/runner/github-hosted',
        buildType: 'https://actions.github.io/buildtypes/workflow/v1',
        source: {
          uri: 'git+https://github.com/acme/shop@refs/tags/v1.4.0',
          digest: `sha1:${'c'.repeat(40)}`,
          ref: 'refs/tags/v1.4.0',
        },
        externalParameters: {
          workflow: {
            ref: 'refs/tags/v1.4.0',
            repository: 'https://github.com/acme/shop',
            path: '.github/workflows/release.yml',
          },
        },
        resolvedDependencies: { total: 12, pinned: 12, ratio: 1 },
        signer: {
          identity: 'https://github.com/acme/shop/.github/workflows/release.yml@refs/tags/v1.4.0',
          issuer: 'https://token.actions.githubusercontent.com',
          key: null,
        },
        level: 3,
      },
    ],
    slsa: { level: 3, reproducible: null },
    sbom: {
      present: true,
      signed: true,
      signers: [
        {
          kind: 'identity',
          identity: 'https://github.com/acme/shop/.github/workflows/release.yml@refs/tags/v1.4.0',
          issuer: 'https://token.actions.githubusercontent.com',
          keyHint: null,
        },
      ],
      subjectMatchesArtifact: true,
      format: 'cyclonedx',
      quality: { score: 8.4, grade: 'B', failures: ['ntia.author'] },
      components: 120,
      licenses: ['Apache-2.0', 'BSD-3-Clause', 'MIT'],
      noAssertion: 0,
    },
    vulnerabilities: {
      open: { critical: 0, high: 1, medium: 2, low: 0, unknown: 0 },
      kev: 0,
      fixable: 1,
    },
    vex: {
      statements: { not_affected: 3, affected: 0, fixed: 1, under_investigation: 0 },
      unanswered: { critical: 0, high: 0 },
    },
    commit: {
      signed: true,
      identity: 'release-bot@acme.example',
      issuer: 'https://token.actions.githubusercontent.com',
    },
  };
}
