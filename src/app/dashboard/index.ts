// The dashboard's read use cases (server/routes/dashboard.ts); shapes in src/api/dashboard.ts.
export { type ReleaseComponentQuery, releaseComponents } from './components.js';
export { dashboardOverview } from './overview.js';
export { dashboardRelease } from './release-detail.js';
export { listPortfolioReleases, type ReleaseListQuery } from './releases.js';
export { teamScorecards, topRiskContributors } from './scorecards.js';
export { type DashboardSearchQuery, dashboardSearch } from './search.js';
export { type VexQueueQuery, vexQueue } from './vex-queue.js';
export { type DashboardVulnerabilityQuery, dashboardVulnerabilities } from './vulnerabilities.js';
