import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';

/**
 * The data directory holds what no other local user may read: the database (token hashes, the
 * audit trail), every stored SBOM, the log and CA keys. So what the store creates is private to
 * the service's user: directories 0700, files 0600 (whatever the umask).
 *
 * Existing paths are tightened too (group and other bits removed, the owner's kept): a data
 * directory made by an earlier version (0755, database 0644) becomes private at the next start.
 * Files inside an existing tree are not walked one by one; a 0700 directory already keeps every
 * other user out of everything below it.
 */
export function privateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  tighten(path, 0o700);
}

/** Create `path` empty with mode 0600 (so SQLite's -wal and -shm files inherit it), or tighten it. */
export function privateFile(path: string): void {
  if (existsSync(path)) tighten(path, 0o600);
  else closeSync(openSync(path, 'a', 0o600));
}

function tighten(path: string, allowed: number): void {
  const mode = statSync(path).mode & 0o777;
  if ((mode & ~allowed) !== 0) chmodSync(path, mode & allowed);
}
