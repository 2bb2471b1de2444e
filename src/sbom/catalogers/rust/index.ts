export { cargoLockCataloger } from './cargo-lock.js';
