/**
 * The transparency-log domain's public surface: code outside src/tlog imports it from here.
 * Everything is pure (no I/O but the optional native verifier); storage arrives through ports.ts.
 */

export { decodeBase64, encodeBase64 } from './bytes.js';
export {
  type Checkpoint,
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
} from './checkpoint.js';
export {
  COSIGNATURE_V1_SIZE,
  cosignatureSigner,
  cosignatureTime,
  cosignatureVerifier,
  formatCosignatureVerifierKey,
} from './cosignature.js';
export { verifyEcdsaPrehashed } from './ecdsa-prehashed.js';
export {
  EMERGENCY_CERTIFICATE_KIND,
  type EmergencyCertificateEntry,
  emergencyCertificateEntry,
  type LogEntry,
  parseEmergencyCertificateEntry,
  parseProposedEntry,
} from './entries.js';
export {
  AUDIT_ANCHOR_KIND,
  type AuditAnchorStatement,
  auditAnchorEntry,
  parseAuditAnchorEntry,
} from './entry-audit-anchor.js';
export type { EntryKind } from './entry-fields.js';
export { TlogError, type TlogErrorCode } from './errors.js';
export { EMPTY_ROOT, HASH_SIZE, leafHash, nodeHash } from './hashing.js';
export {
  formatNote,
  MAX_NOTE_SIGNATURES,
  type Note,
  type NoteSignature,
  openNote,
  parseNote,
  signNote,
} from './note.js';
export {
  cosignedMessage,
  ecdsaNoteSigner,
  ed25519NoteSigner,
  hasControlCharacter,
  keyIdFor,
  type NoteSigner,
  type NoteVerifier,
  noteKeyId,
  noteVerifierFor,
} from './note-keys.js';
export type {
  EntryPosition,
  LogFetcher,
  LogState,
  StoredCheckpoint,
  StoredEntry,
  SubmitToWitness,
  TlogBatchWriter,
  TlogEntryStore,
  TlogReader,
  WitnessAnswer,
} from './ports.js';
export { NATIVE_PREHASHED } from './prehashed.js';
export {
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
  verifySubtreeConsistency,
  verifySubtreeInclusion,
} from './proof-verify.js';
export {
  consistencyProof,
  type HashReader,
  inclusionProof,
  isValidSubtree,
  rootAt,
  subtreeConsistencyProof,
  subtreeInclusionProof,
} from './proofs.js';
export {
  entryUuid,
  formatLogInfo,
  formatRekorEntry,
  parseEntryUuid,
  type RekorLogEntry,
  rekorCheckpoint,
  rekorKeyName,
  rekorLogId,
  setPayload,
  signEntryTimestamp,
  type TrustedRootTlog,
  trustedRootTlogEntry,
} from './rekor.js';
export {
  assertTreeMatches,
  catchUp,
  type IntegratedEntry,
  type IntegrateOptions,
  type IntegrateResult,
  integrateBatch,
  type SequencedEntryInput,
} from './sequence.js';
export {
  decodeEntryBundle,
  encodeEntryBundle,
  entryTilesBetween,
  formatTileIndex,
  hashTile,
  MAX_ENTRY_SIZE,
  newTiles,
  parseTilePath,
  TILE_WIDTH,
  TileHashReader,
  type TileRef,
  tilePath,
  tilesForSize,
} from './tiles.js';
export { MerkleTree } from './tree.js';
export { formatVerifierKey, parseVerifierKey } from './vkey.js';
export {
  type AddCheckpointRequest,
  addCheckpoint,
  formatAddCheckpoint,
  MAX_PROOF_LINES,
  parseAddCheckpoint,
  type WitnessedLog,
  type WitnessOutcome,
  type WitnessState,
} from './witness.js';
