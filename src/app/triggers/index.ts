export type { TriggerIntakeErrorCode } from './errors.js';
export { TriggerIntakeError } from './errors.js';
export { overdueActionCount } from './figures.js';
export { reportOpenedFindings } from './finding-events.js';
export {
  type ActionView,
  type EventQuery,
  type EventSource,
  type EventView,
  getEvent,
  listEvents,
  receiveEvent,
} from './intake.js';
export {
  type NotificationSettings,
  setInboundWebhookSecret,
  setTeamNotifications,
  teamNotifications,
} from './notifications.js';
export { type OverrideInput, overrideEvent } from './override.js';
export { type PollOutcome, pollEventsOnce, startEventPoller } from './poll-events.js';
export type {
  ActionExecutor,
  ActionToRun,
  DecidedAction,
  IntakeEvent,
  TeamSla,
  TriggerDecision,
  TriggerEngine,
  TriggerMetrics,
  WebhookHeaders,
} from './ports.js';
export {
  type Review,
  type ReviewAdvisory,
  type ReviewProduct,
  type SbomWork,
  scheduledReview,
  type VexWork,
} from './review.js';
export {
  ACTION_JOB,
  NOTIFY_JOB,
  type RetryPolicy,
  TriggerRuntime,
  type TriggerRuntimeOptions,
} from './runtime.js';
export { SEED_001_ENGINE } from './seed-engine.js';
export { getTeamSla, setTeamSla, type TeamSlaView } from './sla.js';
export { receiveWebhook, type WebhookDelivery, type WebhookProvider } from './webhooks.js';
