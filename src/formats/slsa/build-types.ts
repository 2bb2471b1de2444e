/*
 * The shapes a build writes: SLSA Provenance v1 (https://slsa.dev/spec/v1.0/provenance) and the
 * in-toto ResourceDescriptor v1 it is made of, with fields in the order the spec lists them (and
 * GitHub's and GitLab's own generators write them).
 */

/** in-toto ResourceDescriptor v1: at least one of name, uri, digest. */
export interface ResourceDescriptorV1 {
  name?: string;
  uri?: string;
  /** Algorithm (in-toto DigestSet name: sha256, sha512, gitCommit, …) → lower-case hex. */
  digest?: Record<string, string>;
  downloadLocation?: string;
  mediaType?: string;
  annotations?: Record<string, unknown>;
}

export interface ProvenanceMetadataV1 {
  invocationId?: string;
  /** RFC 3339, UTC, `Z`. */
  startedOn?: string;
  finishedOn?: string;
}

/** SLSA Provenance v1's predicate. */
export interface ProvenancePredicateV1 {
  buildDefinition: {
    buildType: string;
    externalParameters: Record<string, unknown>;
    internalParameters?: Record<string, unknown>;
    resolvedDependencies?: ResourceDescriptorV1[];
  };
  runDetails: {
    builder: {
      id: string;
      builderDependencies?: ResourceDescriptorV1[];
      version?: Record<string, string>;
    };
    metadata?: ProvenanceMetadataV1;
    byproducts?: ResourceDescriptorV1[];
  };
}

/** The process environment as the CLI hands it over (read only by cli/io.ts and config/). */
export type CiEnv = Readonly<Record<string, string | undefined>>;
