import { Command, CommanderError } from 'commander';
import { CustodyError } from '../core/index.js';
import { type CommandEntry, entriesFor } from './command-table.js';
import { CliExit } from './exit.js';
import { type CliIO, EXIT, processIO } from './io.js';

export { CliExit };

/**
 * Run the CLI in-process: the binary calls this with process I/O, tests with captured streams.
 * Returns the exit code (0 ok, 1 checked and the answer is no, 2 usage or input error, 3 internal).
 */
export async function run(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  try {
    // `custody verify provenance|vsa|notation` are separate commands; their module knows the route.
    const routed =
      argv[0] === 'verify'
        ? (await import('./commands/verify-provenance.js')).routeVerifyProvenance(argv)
        : argv;
    const program = await buildProgram(io, entriesFor(routed));
    await program.parseAsync([...routed], { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    return exitCodeFor(e, io);
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  return run(argv, processIO());
}

async function buildProgram(io: CliIO, entries: readonly CommandEntry[]): Promise<Command> {
  const registers = await Promise.all(entries.map((e) => e.load()));
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
  for (const register of registers) register(program, io);
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
