export { pdmLockCataloger } from './pdm-lock.js';
export { pipfileLockCataloger } from './pipfile-lock.js';
export { poetryLockCataloger } from './poetry-lock.js';
export { normalizePypiName } from './pypi.js';
export { parseRequirements, requirementsCataloger } from './requirements.js';
export { uvLockCataloger } from './uv-lock.js';
