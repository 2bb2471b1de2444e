export type { InventoryErrorCode } from './errors.js';
export { InventoryError, productOfAnotherTeam } from './errors.js';
export type { IndexedComponent, PurlKey } from './index-rows.js';
export { indexRows, packageKey, purlKey } from './index-rows.js';
export type {
  FollowUpInput,
  InventoryStore,
  ProductRecord,
  RecordedSbom,
  SbomRecord,
  SbomRecordInput,
  TeamRecord,
} from './ports.js';
export type { PreparedSbom, PrepareSbom } from './prepare-sbom.js';
export { prepareSbom } from './prepare-sbom.js';
export type { ComponentMatch, ComponentQuery, ComponentQueryParams } from './query.js';
export { decodeCursor, encodeCursor, MAX_LIMIT, parseComponentQuery } from './query.js';
