import type { WitnessCollector, WitnessReport } from '../tlog-follow/witness-collector.js';
import type { TransparencyLog } from './log.js';

export interface WitnessingLoop {
  /** Ask the witnesses about the newest checkpoint now (also what the timer does). */
  runOnce(): Promise<WitnessReport[]>;
  stop(): Promise<void>;
}

/**
 * Every `intervalMs`, when the log has published a checkpoint the witnesses have not seen, submit
 * it to them and append the cosignatures they return to the checkpoint the log serves. Witnesses
 * see one checkpoint per interval, not one per batch: a busy log signs hundreds a second.
 */
export function startWitnessing(
  log: TransparencyLog,
  collector: WitnessCollector,
  intervalMs: number,
  onReport: (reports: WitnessReport[]) => void = () => {},
): WitnessingLoop {
  let witnessed = -1;
  let running: Promise<WitnessReport[]> | undefined;
  const runOnce = async (): Promise<WitnessReport[]> => {
    const cp = log.checkpoint();
    if (cp.size === witnessed || cp.size === 0) return [];
    const result = await collector.collect(cp.note, (a, b) => log.consistencyProof(a, b));
    if (result.lines.length > 0) await log.addCosignatures(cp.size, result.lines.join(''));
    witnessed = cp.size;
    onReport(result.witnesses);
    return result.witnesses;
  };
  const tick = () => {
    if (running !== undefined) return;
    running = runOnce()
      .catch(() => [])
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    runOnce: async () => {
      if (running !== undefined) await running;
      return runOnce();
    },
    async stop() {
      clearInterval(timer);
      if (running !== undefined) await running;
    },
  };
}
