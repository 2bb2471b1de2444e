export { type EvidenceExport, exportEvidence } from './export.js';
export { productRunbook } from './runbook.js';
export type { EvidenceSettings } from './settings.js';
