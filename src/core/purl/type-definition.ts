/**
 * The machine-readable part of a purl type definition (purl-spec `types/<type>-definition.json`,
 * schema `purl-type-definition.schema-1.1.json`), as generated into `types.generated.ts`.
 * Prose-only rules (notes) live in `type-rules.ts`.
 */
export interface PurlTypeDefinition {
  readonly namespace: PurlComponentDefinition & {
    readonly requirement: 'required' | 'optional' | 'prohibited';
  };
  readonly name: PurlComponentDefinition;
  readonly version: PurlComponentDefinition;
  readonly subpath: PurlComponentDefinition;
  readonly qualifiers: readonly PurlQualifierDefinition[];
}

export interface PurlComponentDefinition {
  /** `case_sensitive` (default true); false means the canonical form is lowercase. */
  readonly caseSensitive: boolean;
  /** `permitted_characters`: an ECMA-262 pattern the decoded, normalised component must match. */
  readonly permitted?: string;
  /** `normalization_rules` that rewrite the component, as ids (see `NORMALIZERS`). */
  readonly normalize?: readonly PurlNormalizerId[];
}

export interface PurlQualifierDefinition {
  readonly key: string;
  readonly requirement: 'required' | 'optional';
  readonly defaultValue?: string;
}

/**
 * Rewrites named by a type's `normalization_rules` (the rule texts are mapped to these ids by
 * scripts/gen-purl-types.mjs, which refuses a rule text it does not know).
 */
export type PurlNormalizerId = 'pypi-dash' | 'pub-underscore';
