import { Command, CommanderError } from 'commander';
import { CustodyError } from '../core/index.js';
import { registerAdmission } from './commands/admission.js';
import { registerAdmissionReport } from './commands/admission-report.js';
import { registerAttest } from './commands/attest.js';
import { registerAudit } from './commands/audit.js';
import { registerCa } from './commands/ca.js';
import { registerDemo } from './commands/demo.js';
import { registerEvidence } from './commands/evidence.js';
import { registerGit } from './commands/git.js';
import { registerKeys } from './commands/keys.js';
import { registerKpi } from './commands/kpi.js';
import { registerLog } from './commands/log.js';
import { registerLoginGrant } from './commands/login-grant.js';
import { registerOci } from './commands/oci.js';
import { registerPolicy } from './commands/policy.js';
import { registerPush } from './commands/push.js';
import { registerRelease } from './commands/release.js';
import { registerReview } from './commands/review.js';
import { registerSbom } from './commands/sbom.js';
import { registerSearch } from './commands/search.js';
import { registerServe } from './commands/serve.js';
import { registerSign } from './commands/sign.js';
import { registerSlsa } from './commands/slsa.js';
import { registerSupplier } from './commands/supplier.js';
import { registerToken } from './commands/token.js';
import { registerTrust } from './commands/trust.js';
import { registerVerify } from './commands/verify.js';
import { registerVerifyBundle } from './commands/verify-bundle.js';
import { registerVerifyNotation } from './commands/verify-notation.js';
import {
  registerVerifyProvenance,
  registerVerifyVsa,
  routeVerifyProvenance,
} from './commands/verify-provenance.js';
import { registerVex } from './commands/vex.js';
import { registerVuln } from './commands/vuln.js';
import { registerVulnService } from './commands/vuln-service.js';
import { registerWitness } from './commands/witness.js';
import { CliExit } from './exit.js';
import { type CliIO, EXIT, processIO } from './io.js';

export { CliExit };

/**
 * Run the CLI in-process: the binary calls this with process I/O, tests with captured streams.
 * Returns the exit code (0 ok, 1 checked and the answer is no, 2 usage or input error, 3 internal).
 */
export async function run(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...routeVerifyProvenance(argv)], { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    return exitCodeFor(e, io);
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  return run(argv, processIO());
}

function buildProgram(io: CliIO): Command {
  const program = new Command('custody')
    .description(
      'Software supply-chain custody: SBOMs, signatures, provenance, logs, VEX, admission',
    )
    .version('0.1.0')
    // Program options only before the command: `custody search --version 4.17.21` is search's flag,
    // and only a bare `custody --version` (or -V) prints Custody's own version.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError();
  for (const register of COMMANDS) register(program, io);
  for (const cmd of program.commands) applyExitOverride(cmd, io);
  return program;
}

// Commander sub-commands do not inherit exitOverride/configureOutput; apply them all the way down.
function applyExitOverride(cmd: Command, io: CliIO): void {
  cmd.exitOverride().configureOutput({
    writeOut: (s) => io.stdout.write(s),
    writeErr: (s) => io.stderr.write(s),
  });
  for (const sub of cmd.commands) applyExitOverride(sub, io);
}

function exitCodeFor(e: unknown, io: CliIO): number {
  if (e instanceof CliExit) return e.code;
  if (e instanceof CommanderError) {
    // --help and --version end through here with exit code 0.
    return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (e instanceof CustodyError) {
    io.stderr.write(`custody: ${e.code}: ${e.message}\n`);
    return EXIT.usage;
  }
  io.stderr.write(`custody: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
  return EXIT.internal;
}

type Register = (program: Command, io: CliIO) => void;

/** Each command lives in its own file under commands/ and registers itself here. */
const COMMANDS: Register[] = [
  registerSbom,
  registerServe,
  registerToken,
  registerLoginGrant,
  registerPush,
  registerSearch,
  registerRelease,
  registerKeys,
  registerCa,
  registerTrust,
  registerSign,
  registerAttest,
  registerVerify,
  registerVerifyBundle,
  registerVerifyProvenance,
  registerVerifyVsa,
  registerVerifyNotation,
  registerVex,
  registerVuln,
  registerVulnService,
  registerReview,
  registerLog,
  registerWitness,
  (program: Command, io: CliIO) =>
    registerGit(program, io, async () => (await import('./commands/git-ports.js')).gitPorts(io)),
  registerDemo,
  registerOci,
  registerSlsa,
  registerSupplier,
  registerPolicy,
  registerAdmissionReport,
  registerAdmission,
  registerEvidence,
  registerAudit,
  registerKpi,
];
