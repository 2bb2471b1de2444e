// A status is a word first; the colour only repeats it (WCAG 1.4.1).
export type Tone = 'good' | 'warn' | 'bad' | 'neutral' | 'info';

export function Status({ tone, label, title }: { tone: Tone; label: string; title?: string }) {
  return (
    <span class={`status status-${tone}`} {...(title ? { title } : {})}>
      {label}
    </span>
  );
}

const SEVERITY: Record<string, Tone> = {
  critical: 'bad',
  high: 'bad',
  medium: 'warn',
  moderate: 'warn',
  low: 'neutral',
};

export function Severity({ rating }: { rating: string }) {
  return <Status tone={SEVERITY[rating.toLowerCase()] ?? 'neutral'} label={rating.toLowerCase()} />;
}

const FRESHNESS: Record<string, Tone> = {
  fresh: 'good',
  due: 'warn',
  stale: 'bad',
  missing: 'bad',
};

export function Freshness({ state }: { state: string }) {
  return <Status tone={FRESHNESS[state] ?? 'neutral'} label={state} />;
}

export function YesNo({ ok, yes = 'yes', no = 'no' }: { ok: boolean; yes?: string; no?: string }) {
  return <Status tone={ok ? 'good' : 'bad'} label={ok ? yes : no} />;
}
