export { gradleLockfileCataloger, parseGradleLockfile } from './gradle-lockfile.js';
export { mavenPomCataloger } from './maven-pom.js';
export type { PomDependency, PomModel } from './pom-model.js';
export { parsePom } from './pom-model.js';
