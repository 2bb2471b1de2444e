import {
  type CliSettings,
  loadCliSettings,
  loadServeConfig,
  type ServeConfig,
  type ServeFlags,
} from '../config/index.js';

/** What a command may touch of the process: streams, environment, working directory. */
export interface CliIO {
  stdout: { write(s: string): unknown; isTTY?: boolean | undefined };
  stderr: { write(s: string): unknown; isTTY?: boolean | undefined };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** Exit codes CI can rely on. */
export const EXIT = { ok: 0, no: 1, usage: 2, internal: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

const SETTINGS = new WeakMap<CliIO, CliSettings>();

/**
 * The environment's settings, loaded by config/ once per run: commands read these, never the
 * environment itself.
 */
export function settingsOf(io: CliIO): CliSettings {
  let s = SETTINGS.get(io);
  if (s === undefined) {
    s = loadCliSettings(io.env);
    SETTINGS.set(io, s);
  }
  return s;
}

/** `custody serve`'s settings, from its flags and the same environment. */
export function serveConfigOf(io: CliIO, flags: ServeFlags): ServeConfig {
  return loadServeConfig(flags, io.env);
}
