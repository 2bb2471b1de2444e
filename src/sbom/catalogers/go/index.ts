export { golangIdentity, goModCataloger, parseGoMod } from './go-mod.js';
export { parseGoSum } from './go-sum.js';
