import type { Command } from 'commander';
import type {
  KpiDefinition,
  KpiHistoryView,
  KpiListView,
  KpiManualEntry,
} from '../../api/index.js';
import { CustodyError } from '../../core/index.js';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT } from '../io.js';
import { clientFor, type ServiceFlags, withServiceOptions } from '../service.js';

/**
 * `custody kpi list|history|record`: the KPI catalogue of the service at CUSTODY_URL, a KPI's
 * daily history, and figures entered by hand (admins and auditors).
 */
export function registerKpi(program: Command, io: CliIO): void {
  const kpi = program
    .command('kpi')
    .description('the briefs’ metrics and KPIs: current values, history, hand-entered figures');
  withServiceOptions(
    kpi
      .command('list')
      .description(
        'every KPI with its value now and 30 days ago, numerator, denominator and source',
      )
      .option('--team <team>', 'one team’s figures')
      .option('--json', 'print the catalogue as JSON'),
  ).action(async (o: ServiceFlags & { team?: string; json?: boolean }) => {
    const { body } = await clientFor(o, io).request<KpiListView>('GET', '/api/v1/kpis', {
      query: o.team !== undefined ? { team: o.team } : {},
    });
    io.stdout.write(o.json ? `${JSON.stringify(body, null, 2)}\n` : formatList(body));
  });
  withServiceOptions(
    kpi
      .command('history <id>')
      .description('a KPI’s daily snapshots, month over month and trend')
      .option('--days <n>', 'days back, 1–3660', '400')
      .option('--team <team>', 'one team’s figures')
      .option('--json', 'print the points as JSON'),
  ).action(
    async (id: string, o: ServiceFlags & { days: string; team?: string; json?: boolean }) => {
      if (!/^\d{1,4}$/.test(o.days))
        throw new CustodyError('USAGE', '--days is a whole number, 1–3660');
      const { body } = await clientFor(o, io).request<KpiHistoryView>(
        'GET',
        `/api/v1/kpis/${encodeURIComponent(id)}/history`,
        { query: { days: o.days, ...(o.team !== undefined ? { team: o.team } : {}) } },
      );
      io.stdout.write(o.json ? `${JSON.stringify(body, null, 2)}\n` : formatHistory(body));
    },
  );
  withServiceOptions(
    kpi
      .command('record <id> <value>')
      .description(
        'record a figure software cannot observe: people trained, a drill and its timing, a runbook',
      )
      .option('--subject <s>', 'the team or product it is about')
      .option('--note <n>', 'what it was')
      .option('--day <d>', 'the day it is true for, YYYY-MM-DD (default today)')
      .option('--json', 'print the entry as JSON'),
  ).action(
    async (
      id: string,
      value: string,
      o: ServiceFlags & { subject?: string; note?: string; day?: string; json?: boolean },
    ) => {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n))
        throw new CustodyError(
          'USAGE',
          `The value is a number; ${JSON.stringify(value)} is not one`,
        );
      const body = await refusalExits1(io, () =>
        clientFor(o, io).request<KpiManualEntry>('POST', '/api/v1/kpis/manual', {
          body: {
            kpi: id,
            value: n,
            ...(o.subject !== undefined ? { subject: o.subject } : {}),
            ...(o.note !== undefined ? { note: o.note } : {}),
            ...(o.day !== undefined ? { day: o.day } : {}),
          },
        }),
      );
      io.stdout.write(
        o.json
          ? `${JSON.stringify(body, null, 2)}\n`
          : `Recorded ${body.kpi} = ${body.value} for ${body.subject} on ${body.day} (entry ${body.id})\n`,
      );
    },
  );
}

/** The service's answer; a refusal (403: not an admin or auditor, another team) exits 1, bad input 2. */
async function refusalExits1<T>(io: CliIO, f: () => Promise<{ body: T }>): Promise<T> {
  try {
    return (await f()).body;
  } catch (e) {
    if (e instanceof CustodyError && (e as { status?: number }).status === 403) {
      io.stderr.write(`custody: ${e.code}: ${e.message}\n`);
      throw new CliExit(EXIT.no);
    }
    throw e;
  }
}

/** A value as its unit reads: a share in %, a duration in s/m/h/d, a count as is. */
export function formatValue(unit: KpiDefinition['unit'], v: number | null): string {
  if (v === null) return '–';
  if (unit === 'ratio') return `${(v * 100).toFixed(1)}%`;
  if (unit === 'duration') {
    if (v < 120) return `${v.toFixed(0)}s`;
    if (v < 7200) return `${(v / 60).toFixed(1)}m`;
    if (v < 172_800) return `${(v / 3600).toFixed(1)}h`;
    return `${(v / 86_400).toFixed(1)}d`;
  }
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

export function formatList(v: KpiListView): string {
  const n = (x: number | null) =>
    x === null ? '–' : Number.isInteger(x) ? String(x) : x.toFixed(1);
  const rows = [
    ['KPI', 'NOW', '30D AGO', 'NUM', 'DEN', 'TITLE'],
    ...v.kpis.map((k) => [
      k.id,
      formatValue(k.unit, k.current.value),
      formatValue(k.unit, k.current.previous),
      n(k.current.numerator),
      n(k.current.denominator),
      `${k.title}${k.manual ? ' (manual)' : ''}`,
    ]),
  ];
  const head = `KPIs ${v.team === null ? 'organisation-wide' : `of team ${v.team}`} at ${v.at}`;
  return `${[head, '', ...table(rows)].join('\n')}\n`;
}

export function formatHistory(h: KpiHistoryView): string {
  const out = [`${h.kpi.id}: ${h.kpi.title} (${h.team ?? 'organisation-wide'})`];
  const mom = h.monthOverMonth === null ? '–' : `${(h.monthOverMonth * 100).toFixed(1)}%`;
  out.push(`Month over month: ${mom}; ${h.points.length} day(s) of history`, '');
  if (h.points.length === 0) return `${out.join('\n')}No snapshots yet.\n`;
  out.push(
    ...table([
      ['DAY', 'VALUE', 'NUM', 'DEN'],
      ...h.points.map((p) => [
        p.day,
        formatValue(h.kpi.unit, p.value),
        p.numerator === null ? '–' : String(p.numerator),
        p.denominator === null ? '–' : String(p.denominator),
      ]),
    ]),
  );
  return `${out.join('\n')}\n`;
}
