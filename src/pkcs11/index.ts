export { ecdsaRawToDer } from './ecdsa-der.js';
export type { Pkcs11Module } from './module.js';
export { ckrName } from './module.js';
export { MODULE_DIRS, resolveModulePath, resolvePin } from './resolve.js';
export type { Recovery, RetryOptions } from './retry.js';
export { Pkcs11TimeoutError, transientRecovery, withRetry } from './retry.js';
export type { Pkcs11Env, Pkcs11Signer, Pkcs11SignerOptions } from './signer.js';
export { openPkcs11Signer } from './signer.js';
