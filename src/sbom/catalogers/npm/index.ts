export { npmPackageLockCataloger } from './package-lock.js';
export { pnpmLockCataloger } from './pnpm-lock.js';
export { yarnLockCataloger } from './yarn-lock.js';
