// The API's response shapes (README.md): type exports only.
export type * from './audit.js';
export type * from './dashboard.js';
export type * from './evidence.js';
export type * from './follow-ups.js';
export type * from './kpi.js';
export type * from './operations.js';
export type * from './page.js';
export type * from './session.js';
export type * from './tlog.js';
export type * from './vulnerabilities.js';
