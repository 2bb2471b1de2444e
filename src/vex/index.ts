/**
 * The vex domain's public surface: code outside src/vex/ imports it from here.
 */
export {
  VEX_JUSTIFICATIONS,
  VEX_RESPONSES,
  VEX_STATUSES,
  type VexDocument,
  type VexJustification,
  type VexProduct,
  type VexResponse,
  type VexStatement,
  type VexStatus,
} from '../formats/index.js';
