import type {
  PurlComponentDefinition,
  PurlNormalizerId,
  PurlTypeDefinition,
} from './type-definition.js';
import { PURL_TYPE_DEFINITIONS } from './types.generated.js';

/** How one component of one type is normalised and checked, compiled once at load. */
export interface ComponentRule {
  /** Case folding of the canonical form. */
  readonly fold: 'none' | 'lower' | 'upper';
  /** Rewrites after folding (the definition's normalization_rules). */
  readonly rewrite: ((s: string) => string) | undefined;
  /** Pattern the normalised, decoded component must match, with its source for messages. */
  readonly permitted: { readonly re: RegExp; readonly source: string } | undefined;
  /** Substrings the component must not contain (from the definition's notes). */
  readonly forbidden: readonly string[];
}

/** Everything the parser and builder need to know about one purl type. */
export interface TypeRule {
  readonly type: string;
  /** False for types missing from the purl-spec registry (then only the generic rules apply). */
  readonly registered: boolean;
  readonly namespaceRequirement: 'required' | 'optional' | 'prohibited';
  /**
   * How many leading path segments are the namespace; the rest is the name and may span several
   * segments. 0 (the default) means the name is the last segment and the namespace the others.
   */
  readonly namespaceSegments: number;
  /** Most namespace segments allowed (Infinity when unbounded). */
  readonly maxNamespaceSegments: number;
  readonly namespace: ComponentRule;
  readonly name: ComponentRule;
  readonly version: ComponentRule;
  readonly subpath: ComponentRule;
  readonly requiredQualifiers: readonly string[];
  /** A name fold that depends on the qualifiers (mlflow), applied after `name`. */
  readonly nameFoldFor:
    | ((qualifier: (key: string) => string | undefined, namespace: string) => boolean)
    | undefined;
}

/**
 * The rule for `type` (already lowercase). Unregistered types get the spec's generic rules: the
 * spec (§5.7) makes them valid when the type itself is well-formed.
 */
export function typeRule(type: string): TypeRule {
  return RULES.get(type) ?? unregistered(type);
}

/** True when `type` is in the purl-spec registry. */
export function isRegisteredType(type: string): boolean {
  return RULES.has(type);
}

// Rules stated only in a definition's prose notes (the JSON schema has no field for them). Each
// cites the note it implements.
interface Extra {
  namespaceSegments?: number;
  maxNamespaceSegments?: number;
  namespaceFold?: 'upper';
  nameForbidden?: readonly string[];
  namePermitted?: string;
  nameFoldFor?: (qualifier: (key: string) => string | undefined, namespace: string) => boolean;
}
const EXTRAS: Readonly<Record<string, Extra>> = {
  // cocoapods: "cannot contain whitespace, a plus (+) character, or begin with a period (.)"
  cocoapods: { namePermitted: '^[^.\\s+][^\\s+]*$' },
  // cpan: namespace "shall be uppercase"; "A distribution name shall not contain the string '::'"
  cpan: { namespaceFold: 'upper', nameForbidden: ['::'] },
  // git: the namespace is "the source host"; the name is "the path on the host to the repository"
  // The suite also lowercases paths on GitHub-style hosts, which (like the purl `github` and
  // `bitbucket` types) treat owner and repository names case-insensitively; elsewhere case stays.
  git: { namespaceSegments: 1, nameFoldFor: (_q, host) => CASE_INSENSITIVE_GIT_HOSTS.has(host) },
  // mlflow: "for Databricks, it is case insensitive and shall be lowercased"
  mlflow: { nameFoldFor: (qualifier) => isDatabricks(qualifier('repository_url')) },
  // swid: "A maximum of two segments are supported."
  swid: { maxNamespaceSegments: 2 },
};

const CASE_INSENSITIVE_GIT_HOSTS: ReadonlySet<string> = new Set([
  'github',
  'github.com',
  'gitlab',
  'gitlab.com',
  'bitbucket',
  'bitbucket.org',
]);

const REWRITES: Readonly<Record<PurlNormalizerId, (s: string) => string>> = {
  // pypi: "Replace underscore _ with dash -"
  'pypi-dash': (s) => (s.indexOf('_') < 0 ? s : s.replace(/_/g, '-')),
  // pub: names are lowercase and "The only allowed characters are [a-z0-9_]"
  'pub-underscore': (s) => (/^[a-z0-9_]*$/.test(s) ? s : s.replace(/[^a-z0-9_]/g, '_')),
};

const NO_FORBIDDEN: readonly string[] = [];

function compileComponent(
  def: PurlComponentDefinition,
  extra: { fold?: 'upper'; forbidden?: readonly string[]; permitted?: string } = {},
): ComponentRule {
  const rewrites = (def.normalize ?? []).map((id) => REWRITES[id]);
  const source = extra.permitted ?? def.permitted;
  return {
    fold: extra.fold ?? (def.caseSensitive ? 'none' : 'lower'),
    rewrite: rewrites.length === 0 ? undefined : (s) => rewrites.reduce((acc, f) => f(acc), s),
    permitted: source === undefined ? undefined : { re: new RegExp(source), source },
    forbidden: extra.forbidden ?? NO_FORBIDDEN,
  };
}

function compile(type: string, def: PurlTypeDefinition, registered: boolean): TypeRule {
  const x = EXTRAS[type] ?? {};
  return {
    type,
    registered,
    namespaceRequirement: def.namespace.requirement,
    namespaceSegments: x.namespaceSegments ?? 0,
    maxNamespaceSegments: x.maxNamespaceSegments ?? Number.POSITIVE_INFINITY,
    namespace: compileComponent(def.namespace, x.namespaceFold ? { fold: x.namespaceFold } : {}),
    name: compileComponent(def.name, {
      ...(x.nameForbidden ? { forbidden: x.nameForbidden } : {}),
      ...(x.namePermitted ? { permitted: x.namePermitted } : {}),
    }),
    version: compileComponent(def.version),
    subpath: compileComponent(def.subpath),
    requiredQualifiers: def.qualifiers
      .filter((q) => q.requirement === 'required')
      .map((q) => q.key),
    nameFoldFor: x.nameFoldFor,
  };
}

const SENSITIVE: PurlComponentDefinition = { caseSensitive: true };
const GENERIC: PurlTypeDefinition = {
  namespace: { requirement: 'optional', caseSensitive: true },
  name: SENSITIVE,
  version: SENSITIVE,
  subpath: SENSITIVE,
  qualifiers: [],
};

const RULES: ReadonlyMap<string, TypeRule> = new Map(
  Object.entries(PURL_TYPE_DEFINITIONS).map(([type, def]) => [type, compile(type, def, true)]),
);

// Unregistered types share one rule shape; cache a few so hot loops do not rebuild it.
const unregisteredCache = new Map<string, TypeRule>();
function unregistered(type: string): TypeRule {
  let rule = unregisteredCache.get(type);
  if (rule === undefined) {
    rule = compile(type, GENERIC, false);
    if (unregisteredCache.size < 256) unregisteredCache.set(type, rule);
  }
  return rule;
}

// Databricks-hosted MLflow registries (Azure, AWS, GCP) fold model names to lowercase.
function isDatabricks(url: string | undefined): boolean {
  if (url === undefined) return false;
  const host = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url)?.[1] ?? url;
  return /(^|\.)(azuredatabricks\.net|databricks\.com)(:\d+)?$/i.test(host);
}
