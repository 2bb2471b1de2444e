import type { Caller } from '../../access/index.js';
import { attestationsOfRelease } from '../../store/release-evidence.js';
import { releaseByVersion } from '../inventory/read-catalogue.js';
import type { Services } from '../services.js';
import { type AttestationView, attestationView } from './views.js';

/** A release's verified attestations, oldest first. */
export async function listAttestations(
  s: Services,
  caller: Caller,
  product: string,
  version: string,
): Promise<AttestationView[]> {
  const release = await releaseByVersion(s, caller, product, version);
  return (await attestationsOfRelease(s.db.read, release.id)).map(attestationView);
}
