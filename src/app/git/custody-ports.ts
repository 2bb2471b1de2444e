import { X509Certificate } from 'node:crypto';
import { FulcioSigner } from '@sigstore/sign';
import { CoreError } from '../../core/index.js';
import type { Env } from '../../fs/key-files.js';
import { readTrustedRootFile } from '../../fs/trusted-root-files.js';
import { getServiceJson, postServiceJson } from '../../net/service-json.js';
import { loadVerifier, SignError } from '../../sign/index.js';
import { idToken } from '../sign/identity-token.js';
import type { GitPorts } from './ports.js';

/**
 * The git commands' outside world: the OIDC token (an ambient CI token, SIGSTORE_ID_TOKEN, or the
 * dev issuer of `custody serve --dev-oidc`), Custody's certificate authority (Fulcio's v2 API),
 * and its transparency log (Custody's API).
 */

function need(url: string | undefined, what: string): string {
  if (url === undefined)
    throw new SignError(
      'SIGN_SERVICE_FAILED',
      `${what} needs the Custody service: set CUSTODY_URL (or git config custody.url).`,
      { details: { service: 'custody' } },
    );
  return url;
}

const derOfPem = (pemText: string): Uint8Array => new X509Certificate(pemText).raw;

interface LoggedEntry {
  index: number;
  body: string;
  integratedTime: number;
  logId: string;
  signedEntryTimestamp: string;
  inclusionProof: {
    logIndex: number;
    treeSize: number;
    rootHash: string;
    hashes: string[];
    checkpoint: string;
  };
}

export function custodyGitPorts(env: Env): GitPorts {
  return {
    async keylessSigner(settings) {
      const url = need(settings.url, 'Keyless signing');
      const token = await idToken(env, url);
      // @sigstore/sign sends this request itself, not through net/http.
      const signer = new FulcioSigner({
        fulcioBaseURL: url,
        identityProvider: { getToken: async () => token },
      });
      return {
        async sign(tbs: Uint8Array) {
          const r = await signer.sign(Buffer.from(tbs));
          if (r.key.$case !== 'x509Certificate')
            throw new SignError(
              'SIGN_CSR_INVALID',
              'The certificate authority returned no certificate.',
            );
          return { signature: new Uint8Array(r.signature), chain: [derOfPem(r.key.certificate)] };
        },
      };
    },

    async logSignature(settings, entry) {
      const url = need(settings.url, 'Logging the signature');
      const body = (await postServiceJson(
        `${url}/api/v1/tlog/entries`,
        {
          kind: 'hashedrekord',
          digest: `sha256:${entry.digestHex}`,
          signature: Buffer.from(entry.signature).toString('base64'),
          certificate: entry.certificatePem,
        },
        'the transparency log',
      )) as { index: number };
      return body.index;
    },

    async verifyLogged(settings, signed) {
      if (settings.trustedRoot === undefined)
        // A setting the user has to give, not a verdict on the commit: USAGE (exit 2).
        throw new CoreError(
          'USAGE',
          'Verifying needs a trusted root: set CUSTODY_TRUSTED_ROOT (or git config custody.trustedRoot, or --trusted-root) to a trusted_root.json, e.g. the service\'s: curl -o trusted_root.json "$CUSTODY_URL/api/v1/trusted-root".',
        );
      if (!settings.policy || Object.keys(settings.policy).length === 0)
        throw new SignError(
          'SIGN_IDENTITY_MISMATCH',
          'Give the identity to require: --certificate-identity[-regexp] and --certificate-oidc-issuer[-regexp] (or CUSTODY_GIT_IDENTITY/CUSTODY_GIT_ISSUER, or git config custody.identity/custody.issuer).',
        );
      const trust = readTrustedRootFile(settings.trustedRoot, '/');
      const url = need(settings.url, 'Finding the log entry');
      const found = (await getServiceJson(
        `${url}/api/v1/tlog/entries?subject=sha256:${signed.digestHex}`,
        'the transparency log',
      )) as { entries: LoggedEntry[] };
      const sigB64 = Buffer.from(signed.signature).toString('base64');
      const entry = found.entries.find((e) =>
        Buffer.from(e.body, 'base64').toString().includes(sigB64),
      );
      if (entry === undefined)
        throw new SignError(
          'SIGN_TLOG_INVALID',
          'The signature is not in the transparency log: it was never logged, or logged in another log.',
        );
      const { verifyBundle } = await loadVerifier();
      const v = verifyBundle(
        bundleOf(entry, signed.chain[0] as Uint8Array, sigB64, signed.digestHex),
        { digest: { algorithm: 'sha256', hex: signed.digestHex } },
        settings.policy,
        trust,
      );
      return {
        identity: v.signer.identity ?? '(unknown)',
        issuer: v.signer.issuer,
        index: entry.index,
        time: v.times[0] ?? new Date(entry.integratedTime * 1000),
      };
    },
  };
}

// The log entry and the commit's certificate as the v0.3 bundle the verifier checks.
function bundleOf(entry: LoggedEntry, leaf: Uint8Array, sigB64: string, digestHex: string) {
  const hex2b64 = (h: string) => Buffer.from(h, 'hex').toString('base64');
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      certificate: { rawBytes: Buffer.from(leaf).toString('base64') },
      tlogEntries: [
        {
          logIndex: String(entry.index),
          logId: { keyId: hex2b64(entry.logId) },
          kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
          integratedTime: String(entry.integratedTime),
          inclusionPromise: { signedEntryTimestamp: entry.signedEntryTimestamp },
          inclusionProof: {
            logIndex: String(entry.inclusionProof.logIndex),
            rootHash: hex2b64(entry.inclusionProof.rootHash),
            treeSize: String(entry.inclusionProof.treeSize),
            hashes: entry.inclusionProof.hashes.map(hex2b64),
            checkpoint: { envelope: entry.inclusionProof.checkpoint },
          },
          canonicalizedBody: entry.body,
        },
      ],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: hex2b64(digestHex) },
      signature: sigB64,
    },
  };
}
