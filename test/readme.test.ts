import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from './helpers/conformance.js';

/**
 * README.md, followed literally: its ```sh blocks run in order with bash, in a fresh folder, with
 * `custody` and `custody-gitsign` on PATH (links to bin/*.js, as `npm link` makes them) and the
 * service started as the README starts it. Each command must exit as the README says: 0, or the
 * `# exit N` at the end of its line.
 *
 * Every fenced block in README.md that the test should see is marked by an HTML comment on the
 * line before it:
 *   <!-- readme-test: run -->            a ```sh block of the walkthrough: every command runs
 *   <!-- readme-test: skip <reason> -->  a ```sh block that is not run (the reason is required)
 *   <!-- readme-test: file <name> -->    any block: written to <name> in the folder at that point
 * An unmarked ```sh block fails the test, so no example goes unrun by accident. Adding a step to
 * the walkthrough is adding a marked block (or a line to one).
 */

const README = join(REPO_ROOT, 'README.md');
const MARKER = /^<!--\s*readme-test:\s*(run|skip|file)\b\s*(.*?)\s*-->\s*$/;
const EXIT = /#\s*exit\s+(\d+)\b/;

/** Ports the README names for extra listeners, replaced with free ones when the test runs. */
const NAMED_PORTS = ['127.0.0.1:8090'];

interface Block {
  kind: 'run' | 'skip' | 'file' | 'unmarked';
  arg: string;
  lang: string;
  body: string;
  /** 1-based line of the opening fence. */
  line: number;
}

interface Command {
  text: string;
  line: number;
  exit: number | undefined; // undefined: started in the background (`&`)
}

export function readmeBlocks(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    // A fence may be indented (a block inside a list item): the indent is not part of the body.
    const open = /^( *)```(\S*)\s*$/.exec(lines[i] as string);
    if (!open) continue;
    const indent = open[1] as string;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && (lines[i] as string).trim() !== '```'; i++)
      body.push((lines[i] as string).replace(indent, ''));
    const marker = MARKER.exec((lines[start - 1] ?? '').trim());
    blocks.push({
      kind: marker ? (marker[1] as Block['kind']) : 'unmarked',
      arg: marker?.[2] ?? '',
      lang: open[2] ?? '',
      body: body.join('\n'),
      line: start + 1,
    });
  }
  return blocks;
}

/** A run block's commands: continuation lines joined, comment-only and blank lines dropped. */
export function commandsOf(block: Block): Command[] {
  const out: Command[] = [];
  const lines = block.body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = block.line + 1 + i;
    let text = lines[i] as string;
    while (text.endsWith('\\') && i + 1 < lines.length) text = `${text.slice(0, -1)} ${lines[++i]}`;
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const code = trimmed.replace(/\s#.*$/, '').trim();
    const exit = code.endsWith('&') ? undefined : Number(EXIT.exec(trimmed)?.[1] ?? 0);
    out.push({ text: trimmed, line, exit });
  }
  return out;
}

/** The bash script: each command, then a check of its exit code against the README's. */
function scriptOf(
  blocks: Block[],
  ports: Map<string, string>,
): { script: string; cmds: Command[] } {
  const cmds: Command[] = [];
  const parts = [
    'exec 2>&1',
    // Background jobs (the service, a witness, a follower) stop with the script.
    "trap 'kill $(jobs -p) 2>/dev/null' EXIT",
  ];
  for (const b of blocks) {
    if (b.kind === 'file') {
      const delimiter = `README_FILE_${cmds.length}_EOF`;
      parts.push(`cat > ${JSON.stringify(b.arg)} <<'${delimiter}'\n${b.body}\n${delimiter}`);
      continue;
    }
    if (b.kind !== 'run') continue;
    for (const c of commandsOf(b)) {
      const n = cmds.push(c) - 1;
      let text = c.text;
      for (const [from, to] of ports) text = text.split(from).join(to);
      parts.push(`echo "@@readme-cmd ${n} $(date +%s.%N)"`, text);
      if (c.exit !== undefined)
        parts.push(
          `__rc=$?; if [ "$__rc" != ${c.exit} ]; then echo "@@readme-fail ${n} $__rc"; exit 97; fi`,
        );
    }
  }
  parts.push('echo "@@readme-done"');
  return { script: `${parts.join('\n')}\n`, cmds };
}

describe('README.md, followed literally', () => {
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'custody-readme-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('marks every sh block as run or skip (with a reason), and runs some', () => {
    const blocks = readmeBlocks(readFileSync(README, 'utf8'));
    const unmarked = blocks.filter((b) => b.kind === 'unmarked' && b.lang === 'sh');
    assert.deepEqual(
      unmarked.map((b) => b.line),
      [],
      'sh blocks without a <!-- readme-test: … --> marker (lines of README.md)',
    );
    for (const b of blocks.filter((x) => x.kind === 'skip'))
      assert.notEqual(b.arg, '', `the skip at README.md:${b.line - 1} gives no reason`);
    for (const b of blocks.filter((x) => x.kind === 'run'))
      assert.equal(b.lang, 'sh', `README.md:${b.line}: only sh blocks run`);
    assert.ok(blocks.filter((b) => b.kind === 'run').length >= 5);
  });

  it('runs every walkthrough command in order, each exiting as the README says', async () => {
    ensureBuilt();
    const bin = join(work, '.bin');
    mkdirSync(bin);
    for (const name of ['custody', 'custody-gitsign'])
      symlinkSync(join(REPO_ROOT, 'bin', `${name}.js`), join(bin, name));
    const folder = join(work, 'walk');
    mkdirSync(join(folder, 'node_modules'), { recursive: true });
    mkdirSync(join(work, 'home'));
    // The README runs from the root of a clone: it reads examples/, and `import 'custody'`
    // resolves to the package (in your own project, `npm link custody` makes the same link).
    symlinkSync(join(REPO_ROOT, 'examples'), join(folder, 'examples'));
    symlinkSync(REPO_ROOT, join(folder, 'node_modules', 'custody'));
    // A real npm project's lockfile to catalog, as in the clone: Custody's own. (Not its
    // package.json: the folder would then be the package, and `import 'custody'` would look for
    // dist/ here.)
    // Copied, not linked: catalogers read regular files only.
    copyFileSync(join(REPO_ROOT, 'package-lock.json'), join(folder, 'package-lock.json'));
    for (const tool of ['bash', 'curl', 'jq', 'git', 'sha256sum'])
      assert.equal(
        spawnSync(tool, ['--version']).status,
        0,
        `the README's examples need ${tool} on PATH`,
      );

    const ports = new Map<string, string>();
    for (const p of NAMED_PORTS) ports.set(p, `127.0.0.1:${await freePort()}`);
    const { script, cmds } = scriptOf(readmeBlocks(readFileSync(README, 'utf8')), ports);
    writeFileSync(join(work, 'walkthrough.sh'), script);

    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env))
      if (v !== undefined && !k.startsWith('CUSTODY_') && k !== 'NODE_TEST_CONTEXT') env[k] = v;
    Object.assign(env, {
      PATH: `${bin}:${process.env['PATH'] ?? ''}`,
      HOME: join(work, 'home'),
      GIT_CONFIG_NOSYSTEM: '1',
      // The service's default address, on a port free here (the README uses CUSTODY_URL as printed).
      CUSTODY_LISTEN: `127.0.0.1:${await freePort()}`,
    });
    const r = await runBash(join(work, 'walkthrough.sh'), folder, env, 150_000);
    // README_TEST_OUTPUT=<file> keeps the whole run's output, to read what each step printed.
    const keep = process.env['README_TEST_OUTPUT'];
    if (keep) writeFileSync(keep, r.output);
    const failed = /@@readme-fail (\d+) (\d+)/.exec(r.output);
    const done = r.output.includes('@@readme-done');
    if (!done) {
      const n = failed ? Number(failed[1]) : lastStarted(r.output);
      const c = cmds[n];
      const said = c?.exit === undefined ? '' : `, expected exit ${c.exit}`;
      const got = failed ? `exit ${failed[2]}` : r.timedOut ? 'timed out' : `bash exit ${r.code}`;
      assert.fail(
        `README.md:${c?.line}: ${c?.text}\n→ ${got}${said}\n--- output ---\n${outputOf(r.output, n)}`,
      );
    }
  });
});

/** The index of the last command that started. */
function lastStarted(output: string): number {
  const all = [...output.matchAll(/@@readme-cmd (\d+)/g)];
  return Number(all[all.length - 1]?.[1] ?? 0);
}

/** What command `n` printed (the tail of it). */
function outputOf(output: string, n: number): string {
  const from = output.indexOf(`@@readme-cmd ${n} `);
  const rest = from < 0 ? output : output.slice(from);
  const next = rest.indexOf('@@readme-cmd ', 1);
  return (next < 0 ? rest : rest.slice(0, next)).slice(-6000);
}

function runBash(
  script: string,
  cwd: string,
  env: Record<string, string>,
  ms: number,
): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  // Its own process group, so every process the README starts can be stopped with it.
  const child = spawn('bash', [script], {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let timedOut = false;
  child.stdout.on('data', (b: Buffer) => {
    output += b.toString();
  });
  child.stderr.on('data', (b: Buffer) => {
    output += b.toString();
  });
  const killGroup = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group has exited already
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, ms);
  return new Promise((done) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      // The trap has sent SIGTERM to the background jobs; whatever is left goes now.
      setTimeout(() => {
        killGroup();
        done({ code, output, timedOut });
      }, 500);
    }),
  );
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** bin/*.js run dist/: build it when a source file is newer than the build. */
function ensureBuilt(): void {
  const built = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
  let builtAt = 0;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    // not built yet
  }
  if (newestIn(join(REPO_ROOT, 'src')) <= builtAt) return;
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `npm run build failed: ${r.stdout}${r.stderr}`);
}

function newestIn(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    newest = Math.max(newest, s.isDirectory() ? newestIn(p) : s.mtimeMs);
  }
  return newest;
}
