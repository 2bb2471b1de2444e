import {
  type DecideOptions,
  decideTrigger,
  type TriggerDecision,
  type TriggerEvent,
} from '../../src/triggers/index.js';

/** The time every example event happens at. */
export const AT = '2026-01-15T09:00:00Z';
export const AT_MS = Date.parse(AT);
export const SHA = '9f2c1e7b5a3d4c6e8f0a1b2c3d4e5f6a7b8c9d0e';
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

type WithoutBase<E> = E extends TriggerEvent ? Omit<E, 'at'> & { at?: string } : never;

/** An event at AT for product acme/shop. */
export function ev(e: WithoutBase<TriggerEvent>): TriggerEvent {
  return { at: AT, product: 'acme/shop', ...e } as TriggerEvent;
}

/** The decision for an event built by ev(). */
export function decide(e: WithoutBase<TriggerEvent>, options?: DecideOptions): TriggerDecision {
  return decideTrigger(ev(e), options);
}

/** Milliseconds from AT to the decision's deadline (null when it has none). */
export function dueIn(d: TriggerDecision): number | null {
  return d.deadline === null ? null : Date.parse(d.deadline.due) - AT_MS;
}
