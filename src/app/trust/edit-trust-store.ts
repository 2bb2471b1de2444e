import { X509Certificate } from 'node:crypto';
import { resolve } from 'node:path';
import { CoreError } from '../../core/index.js';
import { caPaths, readPemChain } from '../../fs/ca-files.js';
import {
  readTrustFile as readOtherTrustedRoot,
  readTrustStore,
  writeTrustStore,
} from '../../fs/trusted-root-files.js';
import { fetchLogTrustEntry } from '../../net/log-trust-entry.js';
import {
  addCertificateAuthority,
  addTransparencyLog,
  certificateAuthorityJson,
  listTrust,
  removeTrust,
  retireTrust,
  type TrustEntry,
  type TrustedRootJson,
} from '../../sign/index.js';

/**
 * `custody trust add|remove|list` and `ca init --log-url`: edits a Sigstore trusted root (default
 * `<dataDir>/trusted_root.json`). Several CAs and logs are trusted at once, so a new authority is
 * added before the old one is retired (`remove --at`) or removed — pipelines keep verifying.
 */

/** The trust store a command edits: `--trusted-root`, else the data directory's. */
export function trustStorePath(
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  o: { trustedRoot?: string; dataDir?: string },
): string {
  if (o.trustedRoot !== undefined) return resolve(cwd, o.trustedRoot);
  return caPaths(resolve(cwd, o.dataDir ?? env['CUSTODY_DATA_DIR'] ?? '.custody')).trustedRoot;
}

export function listTrusted(path: string): TrustEntry[] {
  return listTrust(readTrustStore(path));
}

/** What `trust add` trusts: one of a CA chain, a running log, or another trusted root. */
export interface TrustAddition {
  /** A PEM chain file: issuing certificate first, root last (needs `uri`). */
  ca?: string;
  uri?: string;
  /** RFC 3339; default the first certificate's notBefore. */
  validFrom?: string;
  /** A `custody serve` whose log to trust. */
  logUrl?: string;
  /** Another trusted_root.json whose CAs, logs, CT logs and TSAs to trust. */
  from?: string;
}

/**
 * Adds to the trust store at `path`; returns what was added, for the caller to report.
 * @throws CoreError USAGE (not exactly one source, --ca without --uri, a bad time, an unreachable
 *   log); SignError SIGN_TRUSTED_ROOT_INVALID, SIGN_KEY_INVALID
 */
export async function addTrust(path: string, cwd: string, o: TrustAddition): Promise<string> {
  if ([o.ca, o.logUrl, o.from].filter((x) => x !== undefined).length !== 1) {
    throw new CoreError('USAGE', 'Give one of --ca, --log-url and --from.');
  }
  let root = readTrustStore(path);
  let added = '';
  if (o.ca !== undefined) {
    if (o.uri === undefined) throw new CoreError('USAGE', '--ca needs --uri.');
    const chain = readPemChain(resolve(cwd, o.ca));
    const first = new X509Certificate(Buffer.from(chain[0] as Uint8Array));
    root = addCertificateAuthority(
      root,
      certificateAuthorityJson({
        chain,
        uri: o.uri,
        subject: subjectOf(first.subject),
        validFrom: o.validFrom ? parseTime(o.validFrom) : new Date(first.validFrom),
      }),
    );
    added = `CA ${o.uri}`;
  } else if (o.logUrl !== undefined) {
    const entry = await fetchLogTrustEntry(o.logUrl);
    root = addTransparencyLog(root, entry);
    added = `log ${entry.baseUrl}`;
  } else if (o.from !== undefined) {
    const other = readOtherTrustedRoot(resolve(cwd, o.from));
    root = mergeTrustedRoots(root, other);
    added = `${other.certificateAuthorities.length} CA(s), ${other.tlogs.length} log(s) from ${o.from}`;
  }
  writeTrustStore(path, root);
  return added;
}

/** Adds the log of a running `custody serve` to the trust store at `path`. */
export async function trustLogAt(path: string, logUrl: string): Promise<void> {
  const entry = await fetchLogTrustEntry(logUrl);
  writeTrustStore(path, addTransparencyLog(readTrustStore(path), entry));
}

/** Stops trusting an entry (by id or a prefix of 8+ digits), or retires it at a time. */
export function removeTrusted(path: string, id: string, at: string | undefined): void {
  const root = readTrustStore(path);
  writeTrustStore(path, at ? retireTrust(root, id, parseTime(at)) : removeTrust(root, id));
}

/** Everything `other` trusts, added to `root`: CAs and logs by key, CT logs once, TSAs as given. */
export function mergeTrustedRoots(root: TrustedRootJson, other: TrustedRootJson): TrustedRootJson {
  let merged = root;
  for (const c of other.certificateAuthorities) merged = addCertificateAuthority(merged, c);
  for (const l of other.tlogs) merged = addTransparencyLog(merged, l);
  return {
    ...merged,
    ctlogs: [
      ...merged.ctlogs,
      ...other.ctlogs.filter((c) => !merged.ctlogs.some((x) => x.logId.keyId === c.logId.keyId)),
    ],
    timestampAuthorities: [...merged.timestampAuthorities, ...other.timestampAuthorities],
  };
}

function parseTime(s: string): Date {
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new CoreError('USAGE', `Not a time: ${s} (use RFC 3339).`);
  return d;
}

// Node prints a subject as "CN=…\nO=…"; the trusted root wants organization and common name.
function subjectOf(dn: string): { organization: string; commonName: string } {
  const get = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(dn)?.[1] ?? '';
  return { organization: get('O'), commonName: get('CN') };
}
