import { CoreError } from '../core/index.js';

/** Who admission trusts, beyond the service's own CA and log (CUSTODY_ADMISSION_*). */
export interface AdmissionTrustSettings {
  /**
   * CUSTODY_ADMISSION_IDENTITIES: a JSON list of `{issuer|issuerRegexp, subject|subjectRegexp}`,
   * the signers accepted where a namespace names none. Unset: any subject certified by this
   * service's CA through one of its configured OIDC issuers (the CA already refuses the rest).
   */
  identities: IdentitySetting[] | undefined;
  /** CUSTODY_ADMISSION_TRUSTED_ROOTS: comma-separated trusted_root.json files (e.g. public Sigstore's). */
  trustedRootFiles: string[];
  /** CUSTODY_ADMISSION_KEYS: comma-separated PEM public keys; `fallback:<file>` marks a fallback signer's key. */
  keys: { file: string; role: 'primary' | 'fallback' }[];
  /** CUSTODY_ADMISSION_REQUIRE_LOG: `false` accepts key signatures with no log entry (default true). */
  requireLog: boolean;
  /**
   * CUSTODY_ADMISSION_UPSTREAMS: `name=url` pairs, comma-separated, probed every 30 s for the
   * mode overrides that revert once upstream health has held. Default: each configured registry's
   * `/v2/`.
   */
  upstreams: { name: string; url: string }[] | undefined;
}

export interface IdentitySetting {
  issuer?: string;
  issuerRegexp?: string;
  subject?: string;
  subjectRegexp?: string;
}

/** @throws CoreError USAGE naming every variable at fault */
export function loadAdmissionTrustSettings(
  env: Readonly<Record<string, string | undefined>>,
): AdmissionTrustSettings {
  const problems: string[] = [];
  const identities = parseIdentities(env['CUSTODY_ADMISSION_IDENTITIES'], problems);
  const list = (v: string | undefined) =>
    (v ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
  const keys = list(env['CUSTODY_ADMISSION_KEYS']).map((k) =>
    k.startsWith('fallback:')
      ? { file: k.slice('fallback:'.length), role: 'fallback' as const }
      : { file: k, role: 'primary' as const },
  );
  const requireLogText = (env['CUSTODY_ADMISSION_REQUIRE_LOG'] ?? '').trim().toLowerCase();
  if (!['', 'true', 'false'].includes(requireLogText))
    problems.push(
      `CUSTODY_ADMISSION_REQUIRE_LOG must be true or false, got ${JSON.stringify(requireLogText)}`,
    );
  let upstreams: { name: string; url: string }[] | undefined;
  const upText = env['CUSTODY_ADMISSION_UPSTREAMS'];
  if (upText !== undefined && upText.trim() !== '') {
    upstreams = [];
    for (const pair of list(upText)) {
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const url = pair.slice(eq + 1).trim();
      if (eq <= 0 || !/^[a-z0-9][a-z0-9._-]{0,62}$/i.test(name) || !/^https?:\/\//.test(url)) {
        problems.push(
          `CUSTODY_ADMISSION_UPSTREAMS: ${JSON.stringify(pair.slice(0, 100))} is not name=http(s)://…`,
        );
        continue;
      }
      upstreams.push({ name, url });
    }
  }
  if (problems.length > 0)
    throw new CoreError('USAGE', `Admission trust settings: ${problems.join('; ')}`, {
      details: { problems },
    });
  return {
    identities,
    trustedRootFiles: list(env['CUSTODY_ADMISSION_TRUSTED_ROOTS']),
    keys,
    requireLog: requireLogText !== 'false',
    upstreams,
  };
}

const IDENTITY_FIELDS = ['issuer', 'issuerRegexp', 'subject', 'subjectRegexp'] as const;

function parseIdentities(
  text: string | undefined,
  problems: string[],
): IdentitySetting[] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    problems.push(
      'CUSTODY_ADMISSION_IDENTITIES is not JSON; give a list such as [{"issuer":"https://token.actions.githubusercontent.com","subjectRegexp":"^https://github.com/acme/"}]',
    );
    return undefined;
  }
  if (!Array.isArray(value) || value.length === 0 || value.length > 256) {
    problems.push('CUSTODY_ADMISSION_IDENTITIES must be a list of 1 to 256 identities');
    return undefined;
  }
  const out: IdentitySetting[] = [];
  value.forEach((v, i) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      problems.push(`CUSTODY_ADMISSION_IDENTITIES[${i}] is not an object`);
      return;
    }
    const o = v as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => !(IDENTITY_FIELDS as readonly string[]).includes(k));
    const bad = IDENTITY_FIELDS.filter(
      (k) =>
        o[k] !== undefined &&
        (typeof o[k] !== 'string' || o[k] === '' || (o[k] as string).length > 1024),
    );
    if (extra.length > 0 || bad.length > 0) {
      problems.push(
        `CUSTODY_ADMISSION_IDENTITIES[${i}]: ${[...extra.map((k) => `unknown field ${k}`), ...bad.map((k) => `${k} must be a non-empty string`)].join(', ')}`,
      );
      return;
    }
    if ((o['subject'] === undefined) === (o['subjectRegexp'] === undefined)) {
      problems.push(
        `CUSTODY_ADMISSION_IDENTITIES[${i}]: give exactly one of subject, subjectRegexp`,
      );
      return;
    }
    if ((o['issuer'] === undefined) === (o['issuerRegexp'] === undefined)) {
      problems.push(`CUSTODY_ADMISSION_IDENTITIES[${i}]: give exactly one of issuer, issuerRegexp`);
      return;
    }
    out.push(o as IdentitySetting);
  });
  return out;
}
