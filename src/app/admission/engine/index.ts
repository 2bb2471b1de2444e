/** The admission engine: one image checked for one namespace, with caches that outlast outages. */
export {
  ADMISSION_CALLER,
  type AdmissionEngine,
  createImageChecker,
  type EngineOptions,
  type EngineStats,
} from './checker.js';
export type { AttestedSbom, EngineTrust, TrustedKey, VerifiedMaterial } from './material.js';
export { openAdmissionRegistry } from './registry.js';
