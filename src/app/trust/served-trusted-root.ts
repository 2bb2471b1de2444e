import {
  addTransparencyLog,
  emptyTrustedRoot,
  parseTrustedRoot,
  type TrustedRoot,
  type TrustedRootJson,
} from '../../sign/index.js';
import type { Services } from '../services.js';

/**
 * The trusted root a service without a CA serves at GET /api/v1/trusted-root: its own log alone,
 * so that a keyed signature logged there verifies with `custody verify --key … --trusted-root`.
 * Undefined when the log is closed. (With a CA, the data directory's trust store is served.)
 */
export function logTrustedRoot(s: Pick<Services, 'tlog'>): (() => TrustedRootJson) | undefined {
  const face = s.tlog;
  if (face === undefined) return undefined;
  return () => addTransparencyLog(emptyTrustedRoot(), face.trustedRootEntry(new Date(0)));
}

/**
 * What a bundle pushed to the service is verified under: the trusted root the service serves
 * (its CA and log, when keyless signing is on), and Custody's own log in any case.
 */
export function serviceTrust(
  s: Pick<Services, 'tlog'>,
  served: (() => unknown) | undefined,
): TrustedRoot[] {
  const roots: TrustedRoot[] = [];
  const own = logTrustedRoot(s);
  if (own) roots.push(parseTrustedRoot(own()));
  if (served) roots.push(parseTrustedRoot(served()));
  return roots.length > 0 ? roots : [parseTrustedRoot(emptyTrustedRoot())];
}
