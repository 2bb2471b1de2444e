import type { CmsSigner } from '../../sign/index.js';
import type { GitSettings } from './git-settings.js';

/**
 * What signing and verifying commits need from the outside world: a certificate authority, a
 * transparency log, and a verifier that knows both. `custodyGitPorts` wires Custody's own; tests
 * wire fakes.
 */
export interface GitPorts {
  /** A keyless signer: an ephemeral key and a certificate for the caller's identity. */
  keylessSigner(settings: GitSettings): Promise<CmsSigner>;
  /**
   * Log `signature` over `digest` (hex SHA-256 of the signed attributes); returns the index. Not
   * idempotent: logging the same signature twice may make two entries.
   */
  logSignature(
    settings: GitSettings,
    entry: { digestHex: string; signature: Uint8Array; certificatePem: string },
  ): Promise<number>;
  /**
   * Check a signature's log entry and certificate: chain, identity policy, inclusion, and the
   * certificate's validity at the integrated time. Returns the signer's identity and issuer.
   * A signature with no log entry is SIGN_TLOG_INVALID (never "not found" as a value).
   */
  verifyLogged(
    settings: GitSettings,
    signed: { digestHex: string; signature: Uint8Array; chain: Uint8Array[] },
  ): Promise<{ identity: string; issuer: string | undefined; index: number; time: Date }>;
}
