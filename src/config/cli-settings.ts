/**
 * What the CLI's commands take from the environment, read once per run. `custody serve` has its
 * own, larger set (`loadServeConfig`); the two agree on the shared variables.
 */
export interface CliSettings {
  /** CUSTODY_URL: the service the client commands talk to. */
  url: string | undefined;
  /** CUSTODY_TOKEN: the bearer token they send. */
  token: string | undefined;
  /** CUSTODY_DATA_DIR: the data directory commands that work on it directly open. */
  dataDir: string | undefined;
  /** CUSTODY_DATABASE_URL: PostgreSQL instead of the data directory's SQLite file. */
  databaseUrl: string | undefined;
  /** CUSTODY_BLOB_DIR: the blob store, when not `<dataDir>/blobs`. */
  blobDir: string | undefined;
  /**
   * The rest of the environment, frozen: variables a user names on the command line (a key's
   * passphrase), and what CI platforms and build tools set (ambient ID tokens, build metadata,
   * SOURCE_DATE_EPOCH). Use cases read them by name from here, never from the process.
   */
  environment: Readonly<Record<string, string | undefined>>;
}

export function loadCliSettings(env: Readonly<Record<string, string | undefined>>): CliSettings {
  return Object.freeze({
    url: env['CUSTODY_URL'],
    token: env['CUSTODY_TOKEN'],
    dataDir: env['CUSTODY_DATA_DIR'],
    databaseUrl: env['CUSTODY_DATABASE_URL'] || undefined,
    blobDir: env['CUSTODY_BLOB_DIR'],
    environment: Object.freeze({ ...env }),
  });
}
