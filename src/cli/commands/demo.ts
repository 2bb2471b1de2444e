import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { type CliIO, settingsOf } from '../io.js';

// The package's examples/ folder: three levels up from src/cli/commands, four from dist/src/….
const EXAMPLES = findExamples(dirname(new URL(import.meta.url).pathname));

function findExamples(from: string): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'examples', 'demo-app'))) return join(dir, 'examples');
    dir = dirname(dir);
  }
  return join(from, 'examples');
}

/**
 * `custody demo`: the end-to-end SBOM flow on the bundled example project (what `npm start` runs
 * until the service exists): generate two releases, validate, score, gate, align, diff, convert.
 */
export function registerDemo(program: Command, io: CliIO): void {
  program
    .command('demo')
    .description('run the end-to-end SBOM demo on the bundled example project')
    .option('--out <dir>', 'where the demo writes its SBOMs', '.custody/demo')
    .option('--examples <dir>', 'folder holding demo-app and demo-app-1.1', EXAMPLES)
    .action(async (o: { out: string; examples: string }) => {
      const { generateSbom } = await import('../../app/generate-sbom.js');
      const files = await import('../../app/sbom/index.js');
      const { formatDiffText } = await import('../../app/sbom/index.js');
      const out = resolve(io.cwd, o.out);
      mkdirSync(out, { recursive: true });
      const say = (s: string) => io.stdout.write(`${s}\n`);
      const rel = (p: string) => relative(io.cwd, p) || '.';

      say('Custody demo: the SBOM engine on examples/demo-app\n');
      const v10 = join(out, 'demo-app-1.0.0.cdx.json');
      const v11 = join(out, 'demo-app-1.1.0.cdx.json');
      for (const [dir, file] of [
        ['demo-app', v10],
        ['demo-app-1.1', v11],
      ] as const) {
        const r = await generateSbom(join(o.examples, dir), { env: settingsOf(io).environment });
        writeFileSync(file, r.text);
        say(
          `1. generate  ${dir} → ${rel(file)}: ${r.document.components.length} components, CycloneDX 1.6`,
        );
      }
      const v = await files.validateFile(v10);
      say(
        `2. validate  ${v.valid ? 'valid' : 'INVALID'} against the official CycloneDX ${v.specVersion} schema`,
      );
      const c = await files.checkFile(v10);
      say(
        `3. score     ${c.report.score}/10 (grade ${c.report.grade}); default gate ${c.gate.passed ? 'passed' : 'FAILED'}`,
      );
      const a = await files.alignFiles(v10, join(o.examples, 'demo-app'));
      say(
        `4. align     ${a.ok ? 'SBOM and lockfile agree' : 'MISALIGNED'} (${a.matched} package versions matched)`,
      );
      const spdx = join(out, 'demo-app-1.0.0.spdx.json');
      const conv = await files.convertFile(v10, 'spdx-json');
      writeFileSync(spdx, conv.text);
      say(`5. convert   → ${rel(spdx)} (SPDX 2.3)`);
      const d = await files.diffFiles(v10, v11);
      say('6. diff      1.0.0 → 1.1.0:\n');
      io.stdout.write(formatDiffText(d).replace(/^/gm, '   '));
      say(`\nTry: npx custody sbom score ${rel(v10)}   ·   npx custody --help`);
    });
}
