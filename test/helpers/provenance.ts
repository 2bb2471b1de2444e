/** A SLSA Provenance v1 predicate as a generic (Jenkins-like) builder writes it. */
export function provenancePredicate(
  o: { builderId?: string; buildType?: string; external?: Record<string, unknown> } = {},
) {
  return {
    buildDefinition: {
      buildType: o.buildType ?? 'https://ci.example/buildtypes/make/v1',
      externalParameters: o.external ?? {
        source: 'git+https://git.example/acme/app@refs/tags/v1.0.0',
        target: 'app.bin',
      },
      resolvedDependencies: [
        {
          uri: 'git+https://git.example/acme/app@refs/tags/v1.0.0',
          digest: { gitCommit: 'a'.repeat(40) },
        },
        { uri: 'pkg:npm/left-pad@1.3.0', digest: { sha512: 'b'.repeat(128) } },
        { uri: 'pkg:npm/express@4' },
      ],
    },
    runDetails: {
      builder: { id: o.builderId ?? 'https://ci.example/jenkins' },
      metadata: { invocationId: 'build-1' },
    },
  };
}
