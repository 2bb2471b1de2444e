// Numbers and dates as a person reads them; never colour alone (components/status.tsx adds words).
export const pct = (x: number | null | undefined) =>
  x === null || x === undefined || Number.isNaN(x) ? '—' : `${Math.round(x * 1000) / 10}%`;

export const num = (x: number | null | undefined) =>
  x === null || x === undefined ? '—' : new Intl.NumberFormat('en').format(x);

export function date(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 10);
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Days from now until `iso` (negative when past). */
export function daysUntil(iso: string): number {
  return Math.floor((new Date(iso).getTime() - Date.now()) / 86_400_000);
}

export const short = (digest: string, n = 12) => {
  const [alg, hex] = digest.includes(':') ? digest.split(':') : ['', digest];
  return `${alg ? `${alg}:` : ''}${(hex ?? '').slice(0, n)}…`;
};
