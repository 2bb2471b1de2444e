import { CustodyError } from '../core/index.js';

export type SlsaLevelErrorCode =
  /** A level that is not L0–L3. */
  | 'SLSA_LEVEL_INVALID'
  /** A team's SLSA settings (trusted builders, supplier level) that do not parse. */
  | 'SLSA_SETTINGS_INVALID';

export class SlsaLevelError extends CustodyError<SlsaLevelErrorCode> {}
