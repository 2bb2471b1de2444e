import type { WitnessRef } from '../../evidence/index.js';
import type { CaService } from '../ca/index.js';

/**
 * What an evidence export and a runbook read from the service's configuration besides the store:
 * the trusted root it serves, its CA's issuers, the log's witnesses and its public URL.
 */
export interface EvidenceSettings {
  /** The trusted root served at /api/v1/trusted-root; absent: the service's own log alone. */
  trustedRoot?: (() => unknown) | undefined;
  ca?: Pick<CaService, 'configuration' | 'emergencyIssuer'> | undefined;
  witnesses?: readonly WitnessRef[] | undefined;
  /** The service's public URL, for the commands the documents print. */
  publicUrl?: string | undefined;
}
