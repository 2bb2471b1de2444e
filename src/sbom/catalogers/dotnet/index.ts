export { nugetLockCataloger } from './nuget-lock.js';
