import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { TriggerError } from '../errors.js';

/** The header GitHub signs a delivery with: `sha256=<hex HMAC-SHA256 of the body>`. */
export const GITHUB_SIGNATURE_HEADER = 'x-hub-signature-256';
/** The header GitLab sends the webhook's secret token in, as is. */
export const GITLAB_TOKEN_HEADER = 'x-gitlab-token';

/** The `X-Hub-Signature-256` value for `body` under `secret` (also for outgoing notifications). */
export function signGithubPayload(body: Uint8Array, secret: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Verify a GitHub delivery: `header` must be `sha256=` and the HMAC-SHA256 of the exact body
 * bytes under the webhook's secret. Compared in constant time. Untrusted: header and body.
 *
 * @throws TriggerError WEBHOOK_SIGNATURE_INVALID (missing, malformed or not matching)
 */
export function verifyGithubSignature(
  body: Uint8Array,
  header: string | undefined,
  secret: string | Uint8Array,
): void {
  const m = header === undefined ? null : /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!m) {
    throw signatureError(
      header === undefined
        ? 'The delivery has no X-Hub-Signature-256 header; set a secret on the GitHub webhook'
        : 'The X-Hub-Signature-256 header is not sha256=<64 hex digits>',
    );
  }
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from((m[1] as string).toLowerCase(), 'hex');
  if (!timingSafeEqual(expected, given)) {
    throw signatureError(
      "The X-Hub-Signature-256 signature does not match the body: check the webhook's secret",
    );
  }
}

/**
 * Verify a GitLab delivery: `header` (X-Gitlab-Token) must equal the webhook's secret token.
 * Both are hashed first so that the constant-time comparison does not leak the length.
 *
 * @throws TriggerError WEBHOOK_SIGNATURE_INVALID (missing or not matching)
 */
export function verifyGitlabToken(header: string | undefined, secret: string): void {
  if (header === undefined || header === '') {
    throw signatureError(
      'The delivery has no X-Gitlab-Token header; set a secret token on the GitLab webhook',
    );
  }
  const a = createHash('sha256').update(header, 'utf8').digest();
  const b = createHash('sha256').update(secret, 'utf8').digest();
  if (!timingSafeEqual(a, b)) {
    throw signatureError("The X-Gitlab-Token does not match the webhook's secret token");
  }
}

function signatureError(message: string): TriggerError {
  return new TriggerError('WEBHOOK_SIGNATURE_INVALID', message);
}
