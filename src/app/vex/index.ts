/**
 * The VEX use cases: on files, what `custody vex validate|convert` calls; in the service,
 * statements (draft, revise, transition, approve, disclose, EOL, fixed from evidence) and
 * published documents (publish signed by the service, or prepared for a person to sign keylessly
 * and completed with their bundle; logged; read back).
 */

export { VexPublicationError, type VexPublicationErrorCode } from './errors.js';
export {
  type ConvertedVexFile,
  type ConvertVexOptions,
  convertVexFile,
  readVexFile,
  type VexFileOptions,
  validateVexFile,
} from './files.js';
export { getPublication, type VexPublicationView } from './publication-view.js';
export {
  getPublishedVex,
  type PublishedVex,
  type PublishedVexView,
  publishVexDocument,
  VEX_PUBLISH_FORMATS,
  type VexPublishFormat,
  type VexSigner,
  vexSigningKey,
} from './publish.js';
export {
  type CompletePublicationInput,
  completePublication,
  PUBLICATION_TTL_MS,
  preparePublication,
} from './publish-keyless.js';
export { type FindingVex, vexOfFindings } from './settle-findings.js';
export {
  type AffectedProductRelease,
  approveVexStatement,
  type DraftInput,
  discloseVexStatement,
  draftFromAdvisory,
  draftStatement,
  endOfLifeVexStatement,
  type FeedIntel,
  fixVexStatementFromEvidence,
  listVexStatements,
  productPurl,
  type ReviseInput,
  reviseForFeedIntel,
  reviseVexStatement,
  type StatementHistory,
  type StatementView,
  seesConfidential,
  transitionVexStatement,
  vexStatementHistory,
} from './statements.js';
