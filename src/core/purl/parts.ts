/** The decoded parts of a package URL (purl spec: `pkg:type/namespace/name@version?qualifiers#subpath`). */
export interface PurlParts {
  type: string;
  /** Segments joined with `/` (`@babel`, `github.com/gorilla`). */
  namespace?: string | undefined;
  name: string;
  version?: string | undefined;
  qualifiers?: Readonly<Record<string, string>> | undefined;
  /** Segments joined with `/`, relative to the package root. */
  subpath?: string | undefined;
}
