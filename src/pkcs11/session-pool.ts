import { CK, type Handle, type Pkcs11Module } from './module.js';

/**
 * Sessions on one token, reused across signatures. A PKCS#11 session runs one operation at a time,
 * so concurrent signatures each take their own; `max` bounds how many we hold on a shared HSM.
 * Login is per token and application, not per session (PKCS#11 2.40 §5.6): once one session has
 * logged in, all have, and closing the last session logs out.
 */
export class SessionPool {
  private readonly idle: Handle[] = [];
  private readonly waiters: ((s: Handle | undefined) => void)[] = [];
  private open = 0;
  private loggedIn = false;
  private closed = false;

  constructor(
    private readonly module: Pkcs11Module,
    private slot: Handle,
    private readonly max: number,
    /** Logs in on the given session of the token in `slot`. */
    private readonly login: (session: Handle, slot: Handle) => void,
    /** Closing the last session logs out, and tokens may then forget private objects' handles. */
    private readonly loggedOut: () => void = () => {},
  ) {}

  /** A logged-in session for the caller's sole use until `release` or `discard`. */
  async acquire(): Promise<Handle> {
    if (this.closed) throw new Error('the PKCS#11 signer is closed');
    let session = this.idle.pop();
    if (session === undefined && this.open < this.max) {
      this.open++;
      try {
        session = this.module.C_OpenSession(this.slot, CK.CKF_SERIAL_SESSION);
      } catch (e) {
        this.open--;
        throw e;
      }
    }
    if (session === undefined) {
      session = await new Promise<Handle | undefined>((r) => this.waiters.push(r));
      if (session === undefined) return this.acquire();
    }
    if (!this.loggedIn) {
      try {
        this.login(session, this.slot);
      } catch (e) {
        this.release(session);
        throw e;
      }
      this.loggedIn = true;
    }
    return session;
  }

  release(session: Handle): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter(session);
    else if (this.closed) this.closeQuietly(session);
    else this.idle.push(session);
  }

  /** Closes a session that failed (it may be dead, or hold an unfinished operation). */
  discard(session: Handle): void {
    this.closeQuietly(session);
    this.slotFreed();
  }

  /** For a session still busy in a call that timed out: closed once the call returns. */
  abandon(session: Handle, settled: Promise<unknown>): void {
    this.slotFreed();
    const close = () => this.closeQuietly(session);
    settled.then(close, close);
  }

  /** Log in again before the next use (the HSM dropped the login). */
  forgetLogin(): void {
    this.loggedIn = false;
  }

  /** After a token reappeared on another slot: drop every session and open new ones there. */
  moveTo(slot: Handle): void {
    this.slot = slot;
    for (const s of this.idle.splice(0)) this.discard(s);
    this.loggedIn = false;
    this.loggedOut();
  }

  get size(): number {
    return this.open;
  }

  close(): void {
    this.closed = true;
    for (const s of this.idle.splice(0)) this.closeQuietly(s);
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  private slotFreed(): void {
    this.open--;
    if (this.open === 0 && this.loggedIn) {
      this.loggedIn = false;
      this.loggedOut();
    }
    // A waiter may now open a session of its own.
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter(undefined);
  }

  private closeQuietly(session: Handle): void {
    try {
      this.module.C_CloseSession(session);
    } catch {
      // Already gone (which is often why it is being closed).
    }
  }
}
