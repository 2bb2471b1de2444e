import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bundleFromJSON, type SerializedBundle } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { Command, CommanderError } from 'commander';
import { registerAttest } from '../../src/cli/commands/attest.js';
import { registerKeys } from '../../src/cli/commands/keys.js';
import { registerSign } from '../../src/cli/commands/sign.js';
import { CliExit } from '../../src/cli/exit.js';
import type { CliIO } from '../../src/cli/io.js';
import { CustodyError } from '../../src/core/errors.js';
import { loadVerificationKey, publicKeyDetails } from '../../src/sign/keys.js';
import { parseStatement } from '../../src/sign/statement.js';
import { call, startServer, type TestServer } from '../helpers/server.js';

/**
 * `custody keys generate`, `sign` and `attest` in-process, with bundles checked by @sigstore/verify
 * given only the public key (and, for logged bundles, the log entry `custody serve` publishes at
 * GET /api/v1/tlog). The commands are registered here as src/cli/main.ts registers its own, with
 * the same exit-code mapping, until main.ts lists them.
 */
async function cli(dir: string, argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    cwd: dir,
  };
  const program = new Command('custody').exitOverride().configureOutput({
    writeOut: (s) => io.stdout.write(s),
    writeErr: (s) => io.stderr.write(s),
  });
  registerKeys(program, io);
  registerSign(program, io);
  registerAttest(program, io);
  const down = (c: Command): void => {
    c.exitOverride().configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
    c.commands.forEach(down);
  };
  program.commands.forEach(down);
  let code = 0;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CliExit) code = e.code;
    else if (e instanceof CommanderError) code = e.exitCode === 0 ? 0 : 2;
    else if (e instanceof CustodyError) {
      stderr += `custody: ${e.code}: ${e.message}\n`;
      code = 2;
    } else throw e;
  }
  return { code, stdout, stderr };
}

/** @sigstore/verify trusting the public key in `pubFile` and, when given, Custody's log. */
async function verifierFor(pubFile: string, srv?: TestServer): Promise<Verifier> {
  const key = loadVerificationKey(readFileSync(pubFile));
  const tlogs = srv ? [(await call(srv, 'GET', '/api/v1/tlog')).json.trustedRootTlog] : [];
  const root = TrustedRoot.fromJSON({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs,
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  });
  const keys = {
    [key.hint]: {
      rawBytes: key.publicKey.export({ type: 'spki', format: 'der' }),
      keyDetails: publicKeyDetails(key.type),
    },
  };
  const n = srv ? 1 : 0;
  // biome-ignore lint/suspicious/noExplicitAny: protobuf-specs' PublicKey from JSON-ish values
  return new Verifier(toTrustMaterial(root, keys as any), {
    ctlogThreshold: 0,
    tlogThreshold: n,
    timestampThreshold: n,
  });
}

const PASS_ENV = { SIGNING_PASS: 'a long passphrase' };

describe('custody keys generate / sign / attest (CLI, in-process)', () => {
  let dir: string;
  let srv: TestServer;
  const artifact = () => join(dir, 'artifact.tgz');
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-sign-'));
    writeFileSync(join(dir, 'artifact.tgz'), 'the release artifact\n');
    writeFileSync(
      join(dir, 'provenance.json'),
      JSON.stringify({ buildDefinition: { buildType: 'https://example.com/build/v1' } }),
    );
    srv = await startServer('sqlite', { tlog: { ratePerClient: 0 } });
  });
  after(async () => {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('keys generate', () => {
    it('writes an encrypted PKCS#8 private key (0600) and its public key', async () => {
      const r = await cli(dir, ['keys', 'generate', '--passphrase-env', 'SIGNING_PASS'], PASS_ENV);
      assert.equal(r.code, 0, r.stderr);
      const priv = readFileSync(join(dir, 'custody.key'), 'utf8');
      assert.match(priv, /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
      assert.equal(statSync(join(dir, 'custody.key')).mode & 0o777, 0o600);
      assert.match(readFileSync(join(dir, 'custody.pub'), 'utf8'), /^-----BEGIN PUBLIC KEY-----/);
      assert.equal(r.stdout, `${join(dir, 'custody.pub')}\n`);
      assert.match(r.stderr, /ecdsa-p256 private key .* \(encrypted\)/);
    });

    it('keeps existing files unless --force', async () => {
      const before = readFileSync(join(dir, 'custody.key'), 'utf8');
      const r = await cli(dir, ['keys', 'generate']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /custody\.key exists; pass --force/);
      assert.equal(readFileSync(join(dir, 'custody.key'), 'utf8'), before);
    });

    it('each type, --json, --force', async () => {
      for (const type of ['ecdsa-p384', 'ed25519', 'rsa-3072']) {
        const r = await cli(dir, [
          'keys',
          'generate',
          '--type',
          type,
          '-o',
          `${type}.key`,
          '--json',
        ]);
        assert.equal(r.code, 0, r.stderr);
        const j = JSON.parse(r.stdout);
        assert.equal(j.type, type);
        assert.equal(j.encrypted, false);
        assert.equal(loadVerificationKey(readFileSync(j.publicKey)).hint, j.hint);
      }
      const again = await cli(dir, [
        'keys',
        'generate',
        '--type',
        'ed25519',
        '-o',
        'ed25519.key',
        '--force',
      ]);
      assert.equal(again.code, 0, again.stderr);
    });

    it('refuses an unknown type and an unset passphrase variable', async () => {
      const t = await cli(dir, ['keys', 'generate', '--type', 'rsa-1024', '-o', 'x.key']);
      assert.equal(t.code, 2);
      assert.match(t.stderr, /SIGN_KEY_INVALID: unknown key type "rsa-1024"/);
      const p = await cli(dir, ['keys', 'generate', '-o', 'y.key', '--passphrase-env', 'NOPE']);
      assert.equal(p.code, 2);
      assert.match(p.stderr, /SIGN_KEY_INVALID: the passphrase variable NOPE is not set/);
      assert.equal(existsSync(join(dir, 'y.key')), false);
    });
  });

  describe('sign', () => {
    it('without a server: a v0.3 bundle on stdout that verifies with the public key', async () => {
      const r = await cli(
        dir,
        ['sign', 'artifact.tgz', '--key', 'custody.key', '--passphrase-env', 'SIGNING_PASS'],
        PASS_ENV,
      );
      assert.equal(r.code, 0, r.stderr);
      const bundle = JSON.parse(r.stdout) as SerializedBundle;
      assert.equal(bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
      const digest = createHash('sha256').update(readFileSync(artifact())).digest('hex');
      assert.match(r.stderr, new RegExp(`Signed artifact.tgz \\(sha256:${digest}\\); not logged`));
      const v = await verifierFor(join(dir, 'custody.pub'));
      v.verify(toSignedEntity(bundleFromJSON(bundle), readFileSync(artifact())));
      assert.throws(() => v.verify(toSignedEntity(bundleFromJSON(bundle), Buffer.from('other'))));
    });

    it('the passphrase also comes from CUSTODY_KEY_PASSPHRASE', async () => {
      const r = await cli(dir, ['sign', 'artifact.tgz', '--key', 'custody.key'], {
        CUSTODY_KEY_PASSPHRASE: PASS_ENV.SIGNING_PASS,
      });
      assert.equal(r.code, 0, r.stderr);
    });

    for (const type of ['custody', 'ecdsa-p384', 'rsa-3072']) {
      it(`--url: logged in custody serve; @sigstore/verify checks the entry (${type} key)`, async () => {
        const r = await cli(
          dir,
          [
            'sign',
            'artifact.tgz',
            '--key',
            `${type}.key`,
            '--passphrase-env',
            'SIGNING_PASS',
            '--url',
            srv.base,
            '-o',
            `${type}.sigstore.json`,
          ],
          PASS_ENV,
        );
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, /logged at index \d+; bundle in/);
        const bundle = JSON.parse(readFileSync(join(dir, `${type}.sigstore.json`), 'utf8'));
        const entry = bundle.verificationMaterial.tlogEntries[0];
        assert.equal(entry.kindVersion.kind, 'hashedrekord');
        assert.ok(entry.inclusionProof.checkpoint.envelope);
        const v = await verifierFor(join(dir, `${type}.pub`), srv);
        v.verify(toSignedEntity(bundleFromJSON(bundle), readFileSync(artifact())));
        assert.throws(() => v.verify(toSignedEntity(bundleFromJSON(bundle), Buffer.from('x'))));
        // Without its tlog entry, a verifier that demands one refuses it.
        const stripped = structuredClone(bundle);
        stripped.verificationMaterial.tlogEntries = [];
        assert.throws(() =>
          v.verify(toSignedEntity(bundleFromJSON(stripped), readFileSync(artifact()))),
        );
      });
    }

    it('CUSTODY_URL logs too, and --no-log opts out', async () => {
      const env = {
        ...PASS_ENV,
        CUSTODY_URL: srv.base,
        CUSTODY_KEY_PASSPHRASE: PASS_ENV.SIGNING_PASS,
      };
      const logged = await cli(dir, ['sign', 'artifact.tgz', '--key', 'custody.key'], env);
      assert.equal(logged.code, 0, logged.stderr);
      assert.ok(JSON.parse(logged.stdout).verificationMaterial.tlogEntries?.length === 1);
      const not = await cli(dir, ['sign', 'artifact.tgz', '--key', 'custody.key', '--no-log'], env);
      assert.equal(not.code, 0, not.stderr);
      assert.equal(JSON.parse(not.stdout).verificationMaterial.tlogEntries, undefined);
    });

    it('refuses a wrong passphrase, a missing key or file, a public key, and Ed25519', async () => {
      const cases: Array<[string[], Record<string, string>, RegExp]> = [
        [
          ['sign', 'artifact.tgz', '--key', 'custody.key', '--passphrase-env', 'P'],
          { P: 'wrong' },
          /SIGN_KEY_INVALID: .*custody\.key: cannot decrypt the private key: the passphrase is wrong/,
        ],
        [['sign', 'artifact.tgz', '--key', 'custody.key'], {}, /SIGN_KEY_INVALID: .*encrypted/],
        [
          ['sign', 'artifact.tgz', '--key', 'missing.key'],
          {},
          /FILE_NOT_FOUND: key file .*missing\.key does not exist/,
        ],
        [
          ['sign', 'missing.tgz', '--key', 'ecdsa-p384.key'],
          {},
          /FILE_NOT_FOUND: file .*missing\.tgz/,
        ],
        [['sign', 'artifact.tgz', '--key', 'custody.pub'], {}, /SIGN_KEY_INVALID: .*public key/],
        [
          ['sign', 'artifact.tgz', '--key', 'ed25519.key'],
          {},
          /SIGN_KEY_INVALID: .*custody attest/,
        ],
        [['sign', 'artifact.tgz'], {}, /required option '--key <pem>'/],
      ];
      for (const [argv, env, re] of cases) {
        const r = await cli(dir, argv, env);
        assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, re);
        assert.equal(r.stdout, '');
      }
    });

    it('a log that is down: retried, then SIGN_SERVICE_FAILED naming the transparency log', async () => {
      const r = await cli(dir, [
        'sign',
        'artifact.tgz',
        '--key',
        'ecdsa-p384.key',
        '--url',
        'http://127.0.0.1:9',
      ]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /retry 1 in \d+ ms/);
      assert.match(
        r.stderr,
        /SIGN_SERVICE_FAILED: the transparency log at http:\/\/127\.0\.0\.1:9\/api\/v1\/log\/entries failed after 5 attempts/,
      );
      assert.equal(r.stdout, '');
    });
  });

  describe('attest', () => {
    for (const keyType of ['custody', 'ed25519']) {
      it(`a file subject, logged (${keyType} key): a DSSE bundle @sigstore/verify verifies`, async () => {
        const r = await cli(
          dir,
          [
            'attest',
            'artifact.tgz',
            '--predicate',
            'provenance.json',
            '--type',
            'slsaprovenance1',
            '--key',
            `${keyType}.key`,
            '--passphrase-env',
            'SIGNING_PASS',
            '--url',
            srv.base,
          ],
          PASS_ENV,
        );
        assert.equal(r.code, 0, r.stderr);
        assert.match(
          r.stderr,
          /Attested https:\/\/slsa\.dev\/provenance\/v1 about artifact\.tgz .*logged at index/,
        );
        const bundle = JSON.parse(r.stdout);
        assert.equal(bundle.verificationMaterial.tlogEntries[0].kindVersion.kind, 'dsse');
        (await verifierFor(join(dir, `${keyType}.pub`), srv)).verify(
          toSignedEntity(bundleFromJSON(bundle)),
        );
        const st = parseStatement(Buffer.from(bundle.dsseEnvelope.payload, 'base64'));
        assert.deepEqual(st.subject, [
          {
            name: 'artifact.tgz',
            digest: { sha256: createHash('sha256').update(readFileSync(artifact())).digest('hex') },
          },
        ]);
        assert.deepEqual(
          st.predicate,
          JSON.parse(readFileSync(join(dir, 'provenance.json'), 'utf8')),
        );
      });
    }

    it('a sha256: subject with a URI type, unlogged, to a file', async () => {
      const digest = `sha256:${'c0'.repeat(32)}`;
      const r = await cli(dir, [
        'attest',
        digest,
        '--predicate',
        'provenance.json',
        '--type',
        'https://example.com/p/v1',
        '--key',
        'ecdsa-p384.key',
        '--subject-name',
        'registry.example/app',
        '-o',
        'att.json',
      ]);
      assert.equal(r.code, 0, r.stderr);
      const bundle = JSON.parse(readFileSync(join(dir, 'att.json'), 'utf8'));
      (await verifierFor(join(dir, 'ecdsa-p384.pub'))).verify(
        toSignedEntity(bundleFromJSON(bundle)),
      );
      const st = parseStatement(Buffer.from(bundle.dsseEnvelope.payload, 'base64'));
      assert.equal(st.predicateType, 'https://example.com/p/v1');
      assert.deepEqual(st.subject, [
        { name: 'registry.example/app', digest: { sha256: 'c0'.repeat(32) } },
      ]);
    });

    it('refuses a bad type, a non-object predicate and a malformed digest', async () => {
      writeFileSync(join(dir, 'list.json'), '[]');
      const base = ['--key', 'ecdsa-p384.key'];
      const cases: Array<[string[], RegExp]> = [
        [
          ['attest', 'artifact.tgz', '--predicate', 'provenance.json', '--type', 'slsa', ...base],
          /SIGN_STATEMENT_INVALID: predicate type "slsa"/,
        ],
        [
          ['attest', 'artifact.tgz', '--predicate', 'list.json', '--type', 'spdx', ...base],
          /SIGN_STATEMENT_INVALID: .*list\.json: a predicate must be a JSON object/,
        ],
        [
          ['attest', 'sha256:abc', '--predicate', 'provenance.json', '--type', 'spdx', ...base],
          /SIGN_STATEMENT_INVALID: subject digest/,
        ],
        [
          ['attest', 'artifact.tgz', '--predicate', 'nope.json', '--type', 'spdx', ...base],
          /FILE_NOT_FOUND: predicate file/,
        ],
        [
          ['attest', 'artifact.tgz', '--type', 'spdx', ...base],
          /required option '--predicate <file>'/,
        ],
      ];
      for (const [argv, re] of cases) {
        const r = await cli(dir, argv);
        assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, re);
      }
    });
  });
});
