import { OciError } from './errors.js';

/**
 * An image reference per the distribution reference grammar (distribution/reference,
 * `reference.go`), normalised the way Docker does it: no registry means `docker.io`, and a
 * one-component Docker Hub name lives under `library/`.
 */
export interface ImageReference {
  /** `host[:port]` as written (after Docker Hub normalisation: `docker.io`). */
  registry: string;
  /** The repository path, e.g. `library/alpine`, `acme/app`. */
  repository: string;
  tag?: string;
  /** `sha256:<64 hex>`. */
  digest?: string;
}

export const DOCKER_HUB = 'docker.io';
/** Docker Hub's API answers here, not at docker.io. */
export const DOCKER_HUB_API = 'registry-1.docker.io';
const NAME_TOTAL_LENGTH_MAX = 255;
const REFERENCE_MAX = 4096;

// reference.go: path-component := alpha-numeric (separator alpha-numeric)*,
// separator := [_.] | __ | [-]+ ; tag := [\w][\w.-]{0,127}.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[+._-][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}$/;
const SHA256 = /^sha256:[0-9a-f]{64}$/;
// domain-name components, an IPv4 address, or a bracketed IPv6 address; optional :port.
const DOMAIN =
  /^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

/**
 * Parse `[registry/]repository[:tag][@sha256:…]`.
 * @throws OciError OCI_REFERENCE_INVALID (only sha256 digests are taken: it is what registries
 *   and signatures use, and what Custody can check)
 */
export function parseImageReference(text: string): ImageReference {
  if (typeof text !== 'string' || text.length === 0 || text.length > REFERENCE_MAX)
    throw invalid(String(text).slice(0, 80), 'it is empty or too long');
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(text, 'the digest is not algorithm:hex');
    if (!SHA256.test(digest)) throw invalid(text, 'only lowercase sha256 digests are supported');
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(text, 'the tag is not [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}');
  }
  let registry = DOCKER_HUB;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    // Docker's rule: the first component is a registry when it has a dot or a port, is
    // localhost, or has upper-case letters (which repository paths cannot).
    if (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first) {
      registry = first;
      path = rest.slice(slash + 1);
      if (!DOMAIN.test(registry)) throw invalid(text, `${registry} is not a registry host[:port]`);
    }
  }
  if (registry === 'index.docker.io') registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  if (path === '' || !path.split('/').every((c) => PATH_COMPONENT.test(c)))
    throw invalid(text, 'the repository is lowercase letters, digits and . _ - between slashes');
  if (registry.length + 1 + path.length > NAME_TOTAL_LENGTH_MAX)
    throw invalid(text, `the name is longer than ${NAME_TOTAL_LENGTH_MAX} characters`);
  return {
    registry,
    repository: path,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** The canonical text: `registry/repository[:tag][@digest]`. */
export function formatImageReference(r: ImageReference): string {
  return `${r.registry}/${r.repository}${r.tag !== undefined ? `:${r.tag}` : ''}${r.digest !== undefined ? `@${r.digest}` : ''}`;
}

/** The API host of a registry (Docker Hub answers at registry-1.docker.io). */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
}

/** Is `text` a sha256 digest as registries write it? */
export function isSha256Digest(text: string): boolean {
  return SHA256.test(text);
}

/** The tag a registry without the referrers API keeps a digest's referrers under, and cosign's base. */
export function digestTag(digest: string): string {
  return digest.replace(':', '-');
}

/** The host name without port or brackets (for the loopback test). */
export function hostName(registry: string): string {
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(registry);
  if (m) return m[1] as string;
  const colon = registry.lastIndexOf(':');
  return colon >= 0 ? registry.slice(0, colon) : registry;
}

export function isLoopback(registry: string): boolean {
  const h = hostName(registry).toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function invalid(text: string, why: string): OciError {
  return new OciError(
    'OCI_REFERENCE_INVALID',
    `${JSON.stringify(text)} is not an image reference: ${why} (write registry/repository[:tag][@sha256:<hex>])`,
    { details: { reference: text } },
  );
}
