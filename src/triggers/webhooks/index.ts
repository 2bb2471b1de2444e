/** Webhook payloads (GitHub, GitLab) as trigger events, and their signature checks. Pure. */
export type { WebhookDelivery, WebhookOptions, WebhookResult } from './common.js';
export { parseGithubWebhook } from './github.js';
export { parseGitlabWebhook } from './gitlab.js';
export {
  GITHUB_SIGNATURE_HEADER,
  GITLAB_TOKEN_HEADER,
  signGithubPayload,
  verifyGithubSignature,
  verifyGitlabToken,
} from './hmac.js';
