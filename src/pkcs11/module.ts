import pkcs11js from 'pkcs11js';
import { SignError } from '../sign/index.js';

/** A PKCS#11 handle (slot, session or object) as pkcs11js passes it: a CK_ULONG in a Buffer. */
export type Handle = Buffer;
export type Attribute = pkcs11js.Attribute;
export type AttributeResult = pkcs11js.AttributeResult;

/**
 * The calls the signer makes into a PKCS#11 library. pkcs11js's `PKCS11` has them; tests wrap one
 * to inject failures. Every method may throw an error whose `code` is a CKR_* value (see `ckrOf`).
 */
export interface Pkcs11Module {
  C_GetInfo(): pkcs11js.ModuleInfo;
  C_GetSlotList(tokenPresent?: boolean): Handle[];
  C_GetSlotInfo(slot: Handle): pkcs11js.SlotInfo;
  C_GetTokenInfo(slot: Handle): pkcs11js.TokenInfo;
  C_OpenSession(slot: Handle, flags: number): Handle;
  C_CloseSession(session: Handle): void;
  C_Login(session: Handle, userType: number, pin?: string): void;
  C_FindObjectsInit(session: Handle, template: Attribute[]): void;
  C_FindObjects(session: Handle, maxObjectCount: number): Handle[];
  C_FindObjectsFinal(session: Handle): void;
  C_GetAttributeValue(session: Handle, object: Handle, template: Attribute[]): AttributeResult[];
  C_SignInit(session: Handle, mechanism: pkcs11js.Mechanism, key: Handle): void;
  /** Off the event loop, so a slow HSM neither blocks the process nor escapes the time-out. */
  C_SignAsync(session: Handle, data: Buffer, out: Buffer): Promise<Buffer>;
}

/** The PKCS#11 constants the signer uses, from pkcs11js (values of the PKCS#11 2.40 headers). */
export const CK = pkcs11js;

export interface LoadedModule {
  module: Pkcs11Module;
  /** Finalizes and unloads the library when the last user releases it. */
  release(): void;
}

interface Entry {
  lib: pkcs11js.PKCS11;
  users: number;
  /** False when someone else in the process had initialized it already (they finalize it). */
  owned: boolean;
}

// C_Initialize is once per process per library, and C_Finalize ends every session of every user,
// so signers opened on the same library share one initialized instance.
const loaded = new Map<string, Entry>();

/**
 * Loads and initializes the PKCS#11 library at `path`, or shares the instance already loaded.
 * @throws SignError SIGN_KEY_INVALID when the library cannot be loaded or initialized
 */
export function acquireModule(path: string): LoadedModule {
  let entry = loaded.get(path);
  if (entry === undefined) {
    entry = openLibrary(path);
    loaded.set(path, entry);
  }
  entry.users++;
  const e = entry;
  let released = false;
  return {
    module: e.lib,
    release() {
      if (released) return;
      released = true;
      if (--e.users > 0) return;
      loaded.delete(path);
      try {
        if (e.owned) e.lib.C_Finalize();
      } finally {
        e.lib.close();
      }
    },
  };
}

function openLibrary(path: string): Entry {
  const lib = new pkcs11js.PKCS11();
  try {
    lib.load(path);
  } catch (e) {
    throw new SignError(
      'SIGN_KEY_INVALID',
      `Cannot load the PKCS#11 module ${path}: ${(e as Error).message}. Give the library's path with module-path= in the URI or CUSTODY_PKCS11_MODULE.`,
      { cause: e, details: { modulePath: path } },
    );
  }
  try {
    initialize(lib);
    return { lib, users: 0, owned: true };
  } catch (e) {
    if (ckrOf(e) === CK.CKR_CRYPTOKI_ALREADY_INITIALIZED) return { lib, users: 0, owned: false };
    lib.close();
    throw new SignError(
      'SIGN_KEY_INVALID',
      `The PKCS#11 module ${path} failed to initialize (${ckrName(e)}); check its configuration (for SoftHSM2, SOFTHSM2_CONF).`,
      { cause: e, details: { modulePath: path, ckr: ckrName(e) } },
    );
  }
}

/** The CKR_* return value carried by an error from pkcs11js (or a test double), if any. */
export function ckrOf(e: unknown): number | undefined {
  if (!(e instanceof Error)) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'number' && /^CKR_/.test(e.message)) return code;
  const m = /^(CKR_[A-Z0-9_]+)/.exec(e.message);
  const byName =
    m === null ? undefined : (CK as unknown as Record<string, unknown>)[m[1] as string];
  return typeof byName === 'number' ? byName : undefined;
}

/** `CKR_PIN_INCORRECT`, `CKR_VENDOR_DEFINED+0x12`, or the error's own message when it has no code. */
export function ckrName(e: unknown): string {
  const code = ckrOf(e);
  if (code === undefined) return e instanceof Error ? e.message : String(e);
  if (code >= CKR_VENDOR_DEFINED)
    return `CKR_VENDOR_DEFINED+0x${(code - CKR_VENDOR_DEFINED).toString(16)}`;
  return CKR_NAMES.get(code) ?? `CKR_0x${code.toString(16)}`;
}

/** Vendors' own return values start here (PKCS#11 2.40 §3.6); pkcs11js does not export it. */
export const CKR_VENDOR_DEFINED = 0x8000_0000;

const CKR_NAMES = new Map<number, string>(
  Object.entries(CK as unknown as Record<string, unknown>).flatMap(([k, v]) =>
    k.startsWith('CKR_') && typeof v === 'number' ? [[v, k] as [number, string]] : [],
  ),
);

/**
 * C_Initialize with CKF_OS_LOCKING_OK: signatures run on libuv's worker threads (C_SignAsync), so
 * the library must lock for itself. Called without arguments, PKCS#11 §5.4 lets a library assume
 * one thread at a time, and SoftHSM2 then corrupts its heap under concurrent signing ("malloc():
 * unaligned tcache chunk detected"). A library that cannot lock (CKR_CANT_LOCK) is initialized as
 * before.
 */
function initialize(lib: pkcs11js.PKCS11): void {
  try {
    lib.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (e) {
    if (ckrOf(e) !== pkcs11js.CKR_CANT_LOCK) throw e;
    lib.C_Initialize();
  }
}
