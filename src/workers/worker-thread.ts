import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Start the worker module `name` (without extension) that sits beside `from`: the compiled `.js`
 * when it exists, else the TypeScript source under tsx (tests, benchmarks), where a worker needs
 * the loader registered anew. The worker does not keep the process alive.
 */
export function startWorker(from: string, name: string): Worker {
  const js = new URL(`./${name}.js`, from);
  const file = existsSync(fileURLToPath(js)) ? js : new URL(`./${name}.ts`, from);
  const worker = file.pathname.endsWith('.ts')
    ? new Worker(
        `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(file.href)}); })`,
        { eval: true },
      )
    : new Worker(file);
  worker.unref();
  return worker;
}
