import { CustodyError } from '../../core/index.js';

/** Why provenance could not be built from the CI environment and flags. */
export type ProvenanceBuildErrorCode =
  /** Auto or named CI mode, but a variable that CI always sets is absent or malformed. */
  | 'PROVENANCE_CI_VARIABLE_MISSING'
  /** The CI event is one the build type must not describe (GitHub's workflow/v1: not a PR). */
  | 'PROVENANCE_CI_EVENT_UNSUPPORTED'
  /** A flag value is malformed (`--external-parameter`, `--source-digest`, a time, a URI …). */
  | 'PROVENANCE_PARAMETER_INVALID'
  /** The statement breaks the in-toto Statement v1 or SLSA Provenance v1 rules. */
  | 'PROVENANCE_STATEMENT_INVALID';

export class ProvenanceBuildError extends CustodyError<ProvenanceBuildErrorCode> {}
