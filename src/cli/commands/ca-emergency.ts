import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { EmergencyRequestView } from '../../app/ca/emergency-requests.js';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT, settingsOf } from '../io.js';
import { clientFor, type ServiceFlags, withServiceOptions } from '../service.js';

const BASE = '/api/v1/ca/emergency-requests';

/**
 * `custody ca emergency request|list|approve|fetch`: emergency certificates against the service
 * at CUSTODY_URL. One person requests (a publisher of the team), another approves (an approver);
 * the requester fetches the certificate and signs with `custody sign --key … --certificate …`.
 */
export function registerCaEmergency(ca: Command, io: CliIO): void {
  const em = ca
    .command('emergency')
    .description(
      'emergency certificates when the OIDC provider is down: one person requests, another approves',
    );

  withServiceOptions(
    em
      .command('request')
      .description('ask for an emergency certificate for a key (prints the request id)')
      .requiredOption('--team <team>', 'the team whose signing identities admit the identity')
      .requiredOption('--identity <id>', 'the identity to certify: an email address or a URI')
      .requiredOption('--key <pem>', 'the private key to certify (from custody keys generate)')
      .requiredOption('--reason <text>', 'why (an incident number, the release that must ship)')
      .option('--hours <n>', 'lifetime in hours, at most 72', '24')
      .option('--passphrase-env <VAR>', 'the key’s passphrase is in $VAR')
      .option('--json', 'print the request as JSON'),
  ).action(
    async (
      o: ServiceFlags & {
        team: string;
        identity: string;
        key: string;
        reason: string;
        hours: string;
        passphraseEnv?: string;
        json?: boolean;
      },
    ) => {
      if (!/^[1-9][0-9]?$/.test(o.hours)) usage(io, '--hours is a whole number from 1 to 72');
      const { emergencyKeyProof } = await import('../../app/ca/emergency-client.js');
      const proof = emergencyKeyProof(
        resolve(io.cwd, o.key),
        o.identity,
        settingsOf(io).environment,
        o.passphraseEnv,
      );
      const { body: r } = await clientFor(o, io).request<EmergencyRequestView>('POST', BASE, {
        body: {
          team: o.team,
          identity: o.identity,
          ...proof,
          reason: o.reason,
          lifetimeHours: Number(o.hours),
        },
      });
      if (o.json) return void io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      io.stderr.write(
        `Emergency request ${r.id} for ${r.identity} (team ${r.team}, ${r.lifetimeHours} h) waits for another person's approval until ${r.expiresAt}: custody ca emergency approve ${r.id}\n`,
      );
      io.stdout.write(`${r.id}\n`);
    },
  );

  withServiceOptions(
    em
      .command('list')
      .description("emergency requests of the token's teams, newest first")
      .option('--status <status>', 'pending, issuing or issued')
      .option('--json', 'JSON output'),
  ).action(async (o: ServiceFlags & { status?: string; json?: boolean }) => {
    const { body } = await clientFor(o, io).request<{ items: EmergencyRequestView[] }>(
      'GET',
      BASE,
      { query: { status: o.status } },
    );
    if (o.json) return void io.stdout.write(`${JSON.stringify(body.items, null, 2)}\n`);
    for (const r of body.items)
      io.stdout.write(
        `${r.id.padStart(4)}  ${r.status.padEnd(8)}  ${r.team.padEnd(16)}  ${r.identity}  by ${r.requester}${r.approver ? `, approved by ${r.approver}` : ''}: ${r.reason}\n`,
      );
  });

  withServiceOptions(
    em
      .command('approve <id>')
      .description('approve someone else’s request: the certificate is issued and logged')
      .option('--json', 'print the request and its certificate as JSON'),
  ).action(async (id: string, o: ServiceFlags & { json?: boolean }) => {
    const { body: r } = await clientFor(o, io).request<EmergencyRequestView>(
      'POST',
      `${BASE}/${requestId(io, id)}/approve`,
    );
    if (o.json) return void io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    io.stdout.write(
      `Approved emergency request ${r.id}: certificate for ${r.identity} (issuer ${r.issuer}), requested by ${r.requester}, approved by ${r.approver}, valid until ${r.certificate?.notAfter}, logged at index ${r.certificate?.tlogIndex}\n`,
    );
  });

  withServiceOptions(
    em
      .command('fetch <id>')
      .description('fetch the certificate of an approved request (PEM chain, leaf first)')
      .option('-o, --output <file>', 'write the PEM here (default: stdout)')
      .option('--json', 'print the request and its certificate as JSON'),
  ).action(async (id: string, o: ServiceFlags & { output?: string; json?: boolean }) => {
    const { body: r } = await clientFor(o, io).request<EmergencyRequestView>(
      'GET',
      `${BASE}/${requestId(io, id)}`,
    );
    if (o.json) io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    if (r.certificate === null) {
      io.stderr.write(
        `custody: emergency request ${r.id} is ${r.status}${r.status === 'pending' ? ': it waits for another person’s approval' : ''}; no certificate yet\n`,
      );
      throw new CliExit(EXIT.no);
    }
    if (o.json) return;
    if (o.output !== undefined) {
      const { writeCertificateFile } = await import('../../app/ca/emergency-client.js');
      writeCertificateFile(resolve(io.cwd, o.output), r.certificate.chain);
      io.stderr.write(
        `Emergency certificate for ${r.identity} (approved by ${r.approver}, valid until ${r.certificate.notAfter}) in ${o.output}\n`,
      );
    } else {
      io.stdout.write(r.certificate.chain.join(''));
    }
  });
}

function requestId(io: CliIO, id: string): string {
  if (!/^[1-9][0-9]{0,9}$/.test(id))
    usage(io, 'the request id is a number (custody ca emergency list shows them)');
  return id;
}

function usage(io: CliIO, message: string): never {
  io.stderr.write(`custody: USAGE: ${message}\n`);
  throw new CliExit(EXIT.usage);
}
