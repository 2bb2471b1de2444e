import type { KeyObject } from 'node:crypto';
import { resolve } from 'node:path';
import { readArtifactArg, readBundleFile } from '../../fs/bundle-files.js';
import { readPublicKeyFile, readVerificationKey } from '../../fs/key-files.js';
import { readTrustedRoots } from '../../fs/trusted-root-files.js';
import type { ArtifactInput, TrustedRoot } from '../../sign/index.js';

/**
 * What verifying reads: the bundle, the artifact (a file, or `sha256:<hex>`), and the trusted
 * roots (the shipped public-good one when none is named). Paths are relative to `cwd`. Errors
 * here mean an input could not be read, not that it failed to verify.
 * @throws SignError SIGN_INPUT_UNREADABLE, SIGN_BUNDLE_MALFORMED, SIGN_TRUSTED_ROOT_INVALID
 */
export function readVerifyInputs(o: {
  bundle: string;
  artifact: string;
  trustedRoots: readonly string[];
  cwd: string;
}): { bundle: unknown; artifact: ArtifactInput; trust: TrustedRoot[] } {
  return {
    bundle: readBundleFile(o.bundle, o.cwd),
    artifact: readArtifactArg(o.artifact, o.cwd),
    trust: readTrustedRoots(o.trustedRoots, o.cwd),
  };
}

/**
 * A public key file named by `--key`, as `custody verify` reads it (a key file of
 * `custody keys generate`: PEM public or private key).
 * @throws CoreError FILE_NOT_FOUND, FILE_UNREADABLE; SignError SIGN_KEY_INVALID
 */
export function readVerifyKey(path: string, cwd: string): KeyObject {
  return readVerificationKey(resolve(cwd, path)).publicKey;
}

/**
 * A public key file as the conformance harness gives it (PEM or DER SPKI).
 * @throws SignError SIGN_INPUT_UNREADABLE, SIGN_KEY_INVALID
 */
export function readPublicKey(path: string, cwd: string): KeyObject {
  return readPublicKeyFile(path, cwd);
}
