import type { Command } from 'commander';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT } from '../io.js';
import { withLocalServices } from '../local-services.js';

/**
 * `custody login-grant add|list|revoke`: who may log in to the dashboard with the configured OIDC
 * provider, and as what. Works on the data directory (or CUSTODY_DATABASE_URL) as `custody token`
 * does; the API (`/api/v1/login-grants`) does the same for admins with a token.
 */
export function registerLoginGrant(program: Command, io: CliIO): void {
  const cmd = program
    .command('login-grant')
    .description('let OIDC identities log in to the dashboard (on the data directory)');
  const dataDir = '--data-dir <dir>';
  const dataDirHelp =
    'data directory (env CUSTODY_DATA_DIR, default ./.custody); CUSTODY_DATABASE_URL selects PostgreSQL';

  cmd
    .command('add')
    .description('let an identity (issuer + subject, or a verified email) log in')
    .requiredOption('--issuer <url>', "the provider's issuer URL, as its ID tokens' iss says it")
    .option('--subject <sub>', "the ID token's sub")
    .option('--email <address>', 'a verified email claim (instead of --subject)')
    .requiredOption('--person <name>', 'the person the session acts as (as on their API tokens)')
    .requiredOption('--role <role>', 'admin, publisher, approver, auditor or viewer')
    .option('--team <team...>', 'limit the session to these teams; none: organisation-wide')
    .option('--expires-days <n>', 'the grant ends after this many days', (v) => Number(v))
    .option(dataDir, dataDirHelp)
    .option('--json', 'print the grant as JSON')
    .action(
      async (o: {
        issuer: string;
        subject?: string;
        email?: string;
        person: string;
        role: string;
        team?: string[];
        expiresDays?: number;
        dataDir?: string;
        json?: boolean;
      }) => {
        await withLocalServices(io, o.dataDir, async (s) => {
          const { addLoginGrant } = await import('../../app/login/index.js');
          const { CLI_CALLER } = await import('../../app/tokens.js');
          const g = await addLoginGrant(s, CLI_CALLER, {
            issuer: o.issuer,
            person: o.person,
            role: o.role,
            ...(o.subject !== undefined ? { subject: o.subject } : {}),
            ...(o.email !== undefined ? { email: o.email } : {}),
            ...(o.team ? { teams: o.team } : {}),
            ...(o.expiresDays !== undefined ? { expiresInDays: o.expiresDays } : {}),
          });
          if (o.json) {
            io.stdout.write(`${JSON.stringify(g, null, 2)}\n`);
            return;
          }
          io.stdout.write(
            `Login grant ${g.id}: ${g.subject ?? g.email} of ${g.issuer} logs in as ${g.person}, role ${g.role}, ${g.teams ? `teams ${g.teams.join(', ')}` : 'organisation-wide'}${g.expiresAt ? `, until ${g.expiresAt}` : ''}\n`,
          );
        });
      },
    );

  cmd
    .command('list')
    .description('list login grants')
    .option(dataDir, dataDirHelp)
    .option('--json', 'JSON output')
    .action(async (o: { dataDir?: string; json?: boolean }) => {
      await withLocalServices(io, o.dataDir, async (s) => {
        const { listLoginGrantViews } = await import('../../app/login/index.js');
        const { CLI_CALLER } = await import('../../app/tokens.js');
        const rows = await listLoginGrantViews(s, CLI_CALLER);
        if (o.json) {
          io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        const now = s.clock().toISOString();
        for (const r of rows) {
          const state = r.revokedAt
            ? 'revoked'
            : r.expiresAt && r.expiresAt <= now
              ? 'expired'
              : 'active ';
          io.stdout.write(
            `${String(r.id).padStart(4)}  ${r.role.padEnd(9)}  ${(r.teams?.join(',') ?? '*').padEnd(20)}  ${state}  ${r.subject ?? r.email} (${r.issuer}) → ${r.person}\n`,
          );
        }
      });
    });

  cmd
    .command('revoke <id>')
    .description('revoke a login grant and end the sessions it made')
    .option(dataDir, dataDirHelp)
    .action(async (id: string, o: { dataDir?: string }) => {
      if (!/^\d+$/.test(id)) {
        io.stderr.write(
          'custody: USAGE: the grant id is a number (custody login-grant list shows them)\n',
        );
        throw new CliExit(EXIT.usage);
      }
      await withLocalServices(io, o.dataDir, async (s) => {
        const { revokeLoginGrant } = await import('../../app/login/index.js');
        const { CLI_CALLER } = await import('../../app/tokens.js');
        await revokeLoginGrant(s, CLI_CALLER, Number(id));
        io.stderr.write(`Revoked login grant ${id}\n`);
      });
    });
}
