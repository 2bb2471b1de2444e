import type { Command } from 'commander';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT } from '../io.js';
import { withLocalServices } from '../local-services.js';

/**
 * `custody token create|list|revoke`: works on the data directory (or CUSTODY_DATABASE_URL)
 * directly, so the first tokens can be made before the service has any. `create` prints the token
 * alone on its last line, for `CUSTODY_TOKEN=$(custody token create … | tail -n1)`.
 */
export function registerToken(program: Command, io: CliIO): void {
  const token = program
    .command('token')
    .description('create, list and revoke API tokens (on the data directory)');
  const dataDir = '--data-dir <dir>';
  const dataDirHelp =
    'data directory (env CUSTODY_DATA_DIR, default ./.custody); CUSTODY_DATABASE_URL selects PostgreSQL';

  token
    .command('create')
    .description('create an API token and print it (shown once)')
    .requiredOption('--role <role>', 'admin, publisher, approver, auditor or viewer')
    .requiredOption(
      '--person <name>',
      'the person the token belongs to (e.g. an email); give every token of one person the same name',
    )
    .option(
      '--team <team...>',
      'limit the token to these teams (created if missing); none: organisation-wide',
    )
    .option('--name <name>', 'a label for the token')
    .option('--expires-days <n>', 'expire after this many days', (v) => Number(v))
    .option(dataDir, dataDirHelp)
    .option('--json', 'print the token record as JSON')
    .action(
      async (o: {
        role: string;
        person: string;
        team?: string[];
        name?: string;
        expiresDays?: number;
        dataDir?: string;
        json?: boolean;
      }) => {
        await withLocalServices(io, o.dataDir, async (s) => {
          const { createToken, CLI_CALLER } = await import('../../app/tokens.js');
          const t = await createToken(s, CLI_CALLER, {
            role: o.role,
            person: o.person,
            ...(o.team ? { teams: o.team } : {}),
            ...(o.name ? { name: o.name } : {}),
            ...(o.expiresDays !== undefined ? { expiresInDays: o.expiresDays } : {}),
          });
          if (o.json) {
            io.stdout.write(`${JSON.stringify(t, null, 2)}\n`);
            return;
          }
          io.stderr.write(
            `Created token ${t.id} (${t.name}) for ${t.person}: role ${t.role}, ${t.teams ? `teams ${t.teams.join(', ')}` : 'organisation-wide'}${t.expiresAt ? `, expires ${t.expiresAt}` : ''}. It is shown once:\n`,
          );
          io.stdout.write(`${t.token}\n`);
        });
      },
    );

  token
    .command('list')
    .description('list tokens (never their secrets)')
    .option(dataDir, dataDirHelp)
    .option('--json', 'JSON output')
    .action(async (o: { dataDir?: string; json?: boolean }) => {
      await withLocalServices(io, o.dataDir, async (s) => {
        const { listTokenViews, CLI_CALLER } = await import('../../app/tokens.js');
        const rows = await listTokenViews(s, CLI_CALLER);
        if (o.json) {
          io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        for (const r of rows) {
          io.stdout.write(
            `${String(r.id).padStart(4)}  ${r.role.padEnd(9)}  ${(r.teams?.join(',') ?? '*').padEnd(20)}  ${r.revokedAt ? 'revoked' : r.expiresAt && r.expiresAt < new Date().toISOString() ? 'expired' : 'active '}  ${r.name} (${r.person})\n`,
          );
        }
      });
    });

  token
    .command('revoke <id>')
    .description('revoke a token')
    .option(dataDir, dataDirHelp)
    .action(async (id: string, o: { dataDir?: string }) => {
      if (!/^\d+$/.test(id)) {
        io.stderr.write(
          'custody: USAGE: the token id is a number (custody token list shows them)\n',
        );
        throw new CliExit(EXIT.usage);
      }
      await withLocalServices(io, o.dataDir, async (s) => {
        const { revokeToken, CLI_CALLER } = await import('../../app/tokens.js');
        await revokeToken(s, CLI_CALLER, Number(id));
        io.stderr.write(`Revoked token ${id}\n`);
      });
    });
}
