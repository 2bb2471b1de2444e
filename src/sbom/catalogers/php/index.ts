export { composerIdentity, composerLockCataloger } from './composer-lock.js';
