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
