// Compile-time only (tsc -p tsconfig.json): the dashboard reads the older routes through the
// reduced shapes of src/api/operations.ts; these lines stop compiling when what app/ returns no
// longer fits them, so the page and the routes cannot drift apart silently.

import type {
  AdmissionDecisionItem,
  AdmissionExceptionItem,
  AdmissionOverrideItem,
  ReconciliationItem,
  ReleaseDiffView,
  TlogCheckpoints,
  TlogDescription,
} from '../../src/api/index.js';
import type { ExceptionView } from '../../src/app/admission/governance/exceptions.js';
import type { OverrideView } from '../../src/app/admission/governance/overrides.js';
import type {
  DecisionView,
  Paged,
  ReconciliationView,
} from '../../src/app/admission/records/read.js';
import type { ReleaseDiff } from '../../src/app/inventory/diff-releases.js';
import type { describeLog, listCheckpoints } from '../../src/app/tlog/serve-log.js';

type Fits<A extends B, B> = [A, B];

export type ApiShapesFit = [
  Fits<ReleaseDiff, ReleaseDiffView>,
  Fits<DecisionView, AdmissionDecisionItem>,
  Fits<Paged<ReconciliationView>['items'][number], ReconciliationItem>,
  Fits<ExceptionView, AdmissionExceptionItem>,
  Fits<OverrideView, AdmissionOverrideItem>,
  Fits<Awaited<ReturnType<typeof describeLog>>, TlogDescription>,
  Fits<Awaited<ReturnType<typeof listCheckpoints>>, TlogCheckpoints>,
];
