import { CoreError } from '../../core/index.js';

/**
 * How git calls the program configured as `gpg.x509.program` (git's gpg-interface.c): to sign,
 * `--status-fd=2 -bsau <key>` with the payload on stdin and the armoured signature expected on
 * stdout; to verify, `--status-fd=1 --verify <signature file> -` with the payload on stdin and
 * gpg status lines expected on the status descriptor. Both gpg's short-flag bundles and long
 * flags are accepted, as gitsign accepts them.
 */
export type GpgInvocation =
  | { mode: 'sign'; statusFd: number | undefined; keyId: string | undefined; armor: boolean }
  | { mode: 'verify'; statusFd: number | undefined; signatureFile: string; dataFile: string };

export function parseGpgArgs(argv: readonly string[]): GpgInvocation {
  let statusFd: number | undefined;
  let keyId: string | undefined;
  let sign = false;
  let armor = false;
  let verify: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const fd = /^--status-fd(?:=(\d+))?$/.exec(a);
    if (fd) {
      statusFd = Number(fd[1] ?? argv[++i]);
      continue;
    }
    if (a === '--verify') {
      verify = argv[++i];
      continue;
    }
    if (a === '--sign' || a === '--detach-sign' || a === '--detach') {
      sign = true;
      continue;
    }
    if (a === '--armor') {
      armor = true;
      continue;
    }
    if (a === '--local-user' || a === '-u') {
      keyId = argv[++i];
      sign = true;
      continue;
    }
    if (/^--(keyid-format|include-certs)(=.*)?$/.test(a)) {
      if (!a.includes('=')) i++;
      continue;
    }
    if (/^-[a-zA-Z]+$/.test(a)) {
      // A bundle such as -bsau <key>: flags, with `u` taking the next argument.
      for (const f of a.slice(1)) {
        if (f === 'b' || f === 's') sign = true;
        else if (f === 'a') armor = true;
        else if (f === 'u') keyId = argv[++i];
        else throw usage(`unknown flag -${f}`);
      }
      continue;
    }
    rest.push(a);
  }
  if (verify !== undefined)
    return { mode: 'verify', statusFd, signatureFile: verify, dataFile: rest[0] ?? '-' };
  if (sign) return { mode: 'sign', statusFd, keyId, armor };
  throw usage("expected git's signing (-bsau <key>) or verification (--verify <file> -) arguments");
}

function usage(what: string): CoreError {
  return new CoreError(
    'USAGE',
    `custody git: ${what}. Configure git with: git config gpg.format x509 && git config gpg.x509.program custody-gitsign`,
  );
}

/** gpg status lines (git reads SIG_CREATED after signing, GOODSIG/BADSIG after verifying). */
export const gpgStatus = {
  sigCreated: (fingerprint: string, at: Date): string =>
    `\n[GNUPG:] BEGIN_SIGNING\n[GNUPG:] SIG_CREATED D 19 8 00 ${Math.floor(at.getTime() / 1000)} ${fingerprint}\n`,
  good: (fingerprint: string, identity: string, at: Date): string =>
    `[GNUPG:] NEWSIG\n[GNUPG:] GOODSIG ${fingerprint} ${identity}\n[GNUPG:] VALIDSIG ${fingerprint} ${at.toISOString().slice(0, 10)} ${Math.floor(at.getTime() / 1000)} 0 - - - - - ${fingerprint}\n[GNUPG:] TRUST_FULLY 0 shell\n`,
  bad: (fingerprint: string, identity: string): string =>
    `[GNUPG:] NEWSIG\n[GNUPG:] BADSIG ${fingerprint} ${identity}\n`,
  error: (reason: string): string =>
    `[GNUPG:] NEWSIG\n[GNUPG:] ERRSIG - 19 8 00 0 9 ${reason.replace(/\s+/g, '_').slice(0, 60)}\n`,
};
