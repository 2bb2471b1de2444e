export { gemfileLockCataloger } from './gemfile-lock.js';
