import type { TransparencyLog } from './tlog/log.js';
import type { WitnessReport } from './tlog-follow/witness-collector.js';

export interface CosigningOptions {
  witnesses: ReadonlyArray<{ url: string; vkey: string }>;
  intervalMs: number;
  /** Called for each witness that did not cosign a checkpoint. */
  onRefusal: (witness: string, error: WitnessReport['error']) => void;
}

/**
 * The service's witness collector: every interval, send the log's newest checkpoint to the
 * configured witnesses over HTTP and add their cosignatures. Loaded only when witnesses are set.
 */
export async function startCosigning(
  log: TransparencyLog,
  o: CosigningOptions,
): Promise<{ stop(): Promise<void> }> {
  const { WitnessCollector } = await import('./tlog-follow/witness-collector.js');
  const { startWitnessing } = await import('./tlog/periodic-witnessing.js');
  const { postAddCheckpoint } = await import('../net/tlog-client.js');
  const collector = new WitnessCollector({
    witnesses: o.witnesses,
    submit: (url, body) => postAddCheckpoint(url, body),
  });
  return startWitnessing(log, collector, o.intervalMs, (reports) => {
    for (const r of reports.filter((x) => !x.ok)) o.onRefusal(r.url, r.error);
  });
}
