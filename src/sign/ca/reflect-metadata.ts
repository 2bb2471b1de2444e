/**
 * The four Reflect metadata functions tsyringe (a dependency of @peculiar/x509) checks for when it
 * loads. The `reflect-metadata` package is not a dependency of Custody, and x509 only needs them
 * to register its own classes, so a WeakMap-backed stand-in is enough. Installed only when missing,
 * so a real polyfill loaded elsewhere wins.
 */
type Meta = Map<unknown, unknown>;
const store = new WeakMap<object, Meta>();

// biome-ignore lint/suspicious/noExplicitAny: Reflect's metadata API is not in lib.d.ts
const R = Reflect as any;
if (typeof R.getMetadata !== 'function') {
  const own = (target: object, create: boolean): Meta | undefined => {
    let m = store.get(target);
    if (m === undefined && create) {
      m = new Map();
      store.set(target, m);
    }
    return m;
  };
  R.defineMetadata = (key: unknown, value: unknown, target: object): void => {
    own(target, true)?.set(key, value);
  };
  R.getOwnMetadata = (key: unknown, target: object): unknown => own(target, false)?.get(key);
  R.getMetadata = (key: unknown, target: object): unknown => {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t)) {
      const m = own(t, false);
      if (m?.has(key)) return m.get(key);
    }
    return undefined;
  };
  R.hasMetadata = (key: unknown, target: object): boolean =>
    R.getMetadata(key, target) !== undefined;
}

export {};
