// A small line chart of a KPI's daily history, drawn as inline SVG (no chart library: the bundle
// stays small). The figures are also given in words for people who cannot see the line.
export interface TrendPoint {
  day: string;
  value: number | null;
}

export function TrendChart({
  points,
  label,
  format,
  width = 240,
  height = 56,
}: {
  points: TrendPoint[];
  label: string;
  format: (v: number) => string;
  width?: number;
  height?: number;
}) {
  const known = points.filter((p): p is { day: string; value: number } => p.value !== null);
  if (known.length < 2)
    return (
      <p class="muted small">
        No trend yet ({known.length} day{known.length === 1 ? '' : 's'} of history).
      </p>
    );
  const values = known.map((p) => p.value);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || 1;
  const pad = 4;
  const x = (i: number) => pad + (i / (known.length - 1)) * (width - 2 * pad);
  const y = (v: number) => height - pad - ((v - lo) / span) * (height - 2 * pad);
  const d = known
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`)
    .join('');
  const first = known[0] as { day: string; value: number };
  const last = known[known.length - 1] as { day: string; value: number };
  const summary = `${label}: ${format(first.value)} on ${first.day}, ${format(last.value)} on ${last.day}; low ${format(lo)}, high ${format(hi)}.`;
  return (
    <svg
      class="trend"
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={summary}
    >
      <title>{summary}</title>
      <path
        d={d}
        fill="none"
        stroke="currentColor"
        stroke-width="1.5"
        vector-effect="non-scaling-stroke"
      />
      <circle cx={x(known.length - 1)} cy={y(last.value)} r="2.5" fill="currentColor" />
    </svg>
  );
}
