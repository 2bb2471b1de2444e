import { hostname } from 'node:os';
import type { TlogReport, TlogReporterKind } from '../../api/index.js';
import { connectToService } from '../remote.js';

/**
 * A mirror's or monitor's reports to a Custody service (`--report-to`), one per round. A report
 * that cannot be delivered is the caller's to warn about: the mirror's own work goes on.
 */
export class FollowReporter {
  private readonly client;

  constructor(
    private readonly o: { url: string; token: string; name?: string; kind: TlogReporterKind },
  ) {
    this.client = connectToService({ url: o.url, token: o.token });
  }

  /** The name reports go under: `--report-name`, or `<kind>@<host>`. */
  get name(): string {
    return this.o.name ?? `${this.o.kind}@${hostname()}`;
  }

  async send(r: Omit<TlogReport, 'name' | 'kind' | 'verifiedAt'>): Promise<void> {
    const report: TlogReport = {
      ...r,
      name: this.name,
      kind: this.o.kind,
      verifiedAt: new Date().toISOString(),
    };
    await this.client.request('POST', '/api/v1/tlog/reports', { body: report });
  }
}
