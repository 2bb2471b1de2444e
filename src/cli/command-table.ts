import type { Command } from 'commander';
import type { CliIO } from './io.js';

export type Register = (program: Command, io: CliIO) => void;

/**
 * Every top-level command, in the order `custody --help` lists them, with the names (and aliases)
 * its module registers and a loader for that module. A run imports only the modules whose names
 * match the first word of argv: loading all ~40 command modules and what they import cost more
 * than the work of most commands. test/cli/command-table.test.ts checks `names` against what each
 * module really registers, so a new command or alias cannot be forgotten here.
 */
export interface CommandEntry {
  readonly names: readonly string[];
  readonly load: () => Promise<Register>;
}

export const COMMAND_TABLE: readonly CommandEntry[] = [
  { names: ['sbom'], load: async () => (await import('./commands/sbom.js')).registerSbom },
  { names: ['serve'], load: async () => (await import('./commands/serve.js')).registerServe },
  { names: ['token'], load: async () => (await import('./commands/token.js')).registerToken },
  {
    names: ['login-grant'],
    load: async () => (await import('./commands/login-grant.js')).registerLoginGrant,
  },
  { names: ['push'], load: async () => (await import('./commands/push.js')).registerPush },
  { names: ['search'], load: async () => (await import('./commands/search.js')).registerSearch },
  {
    names: ['release', 'portfolio'],
    load: async () => (await import('./commands/release.js')).registerRelease,
  },
  { names: ['keys'], load: async () => (await import('./commands/keys.js')).registerKeys },
  { names: ['ca'], load: async () => (await import('./commands/ca.js')).registerCa },
  { names: ['trust'], load: async () => (await import('./commands/trust.js')).registerTrust },
  { names: ['sign'], load: async () => (await import('./commands/sign.js')).registerSign },
  { names: ['attest'], load: async () => (await import('./commands/attest.js')).registerAttest },
  {
    names: ['verify', 'verify-attestation'],
    load: async () => (await import('./commands/verify.js')).registerVerify,
  },
  {
    names: ['verify-bundle'],
    load: async () => (await import('./commands/verify-bundle.js')).registerVerifyBundle,
  },
  {
    names: ['verify-provenance'],
    load: async () => (await import('./commands/verify-provenance.js')).registerVerifyProvenance,
  },
  {
    names: ['verify-vsa'],
    load: async () => (await import('./commands/verify-provenance.js')).registerVerifyVsa,
  },
  {
    names: ['verify-notation'],
    load: async () => (await import('./commands/verify-notation.js')).registerVerifyNotation,
  },
  { names: ['vex'], load: async () => (await import('./commands/vex.js')).registerVex },
  { names: ['vuln'], load: async () => (await import('./commands/vuln.js')).registerVuln },
  {
    names: ['vuln'],
    load: async () => (await import('./commands/vuln-service.js')).registerVulnService,
  },
  { names: ['review'], load: async () => (await import('./commands/review.js')).registerReview },
  { names: ['log'], load: async () => (await import('./commands/log.js')).registerLog },
  {
    names: ['witness'],
    load: async () => (await import('./commands/witness.js')).registerWitness,
  },
  {
    names: ['git'],
    load: async () => {
      const { registerGit } = await import('./commands/git.js');
      return (program: Command, io: CliIO) =>
        registerGit(program, io, async () =>
          (await import('./commands/git-ports.js')).gitPorts(io),
        );
    },
  },
  { names: ['demo'], load: async () => (await import('./commands/demo.js')).registerDemo },
  { names: ['oci'], load: async () => (await import('./commands/oci.js')).registerOci },
  { names: ['slsa'], load: async () => (await import('./commands/slsa.js')).registerSlsa },
  {
    names: ['supplier'],
    load: async () => (await import('./commands/supplier.js')).registerSupplier,
  },
  { names: ['policy'], load: async () => (await import('./commands/policy.js')).registerPolicy },
  {
    names: ['admission'],
    load: async () => (await import('./commands/admission-report.js')).registerAdmissionReport,
  },
  {
    names: ['admission'],
    load: async () => (await import('./commands/admission.js')).registerAdmission,
  },
  {
    names: ['evidence', 'runbook'],
    load: async () => (await import('./commands/evidence.js')).registerEvidence,
  },
  { names: ['audit'], load: async () => (await import('./commands/audit.js')).registerAudit },
  { names: ['kpi'], load: async () => (await import('./commands/kpi.js')).registerKpi },
];

/**
 * The entries a run needs, in table order. A bare `--version`/`-V` needs none; a known first word
 * needs the modules that register it; anything else (no arguments, `--help`, `help`, an unknown
 * word that deserves a suggestion) needs them all, so that the output is what a full program gives.
 */
export function entriesFor(argv: readonly string[]): readonly CommandEntry[] {
  const first = argv[0];
  if (argv.length === 1 && (first === '--version' || first === '-V')) return [];
  if (first === undefined || first.startsWith('-')) return COMMAND_TABLE;
  const matching = COMMAND_TABLE.filter((e) => e.names.includes(first));
  return matching.length > 0 ? matching : COMMAND_TABLE;
}
