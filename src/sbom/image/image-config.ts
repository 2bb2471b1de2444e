import {
  expectObject,
  isObject,
  optionalString,
  parseImageJson,
  stringArray,
  stringRecord,
} from './json-shapes.js';
import type { ImageConfig } from './model.js';

/**
 * The image config (OCI image-spec config.md; docker's image JSON has the same shape): the
 * reported fields and `rootfs.diff_ids`.
 * @throws SbomError IMAGE_INVALID when it is not a JSON object.
 */
export function parseImageConfig(
  bytes: Uint8Array,
  what: string,
): { config: ImageConfig; diffIds: string[] } {
  const doc = expectObject(parseImageJson(bytes, what), what);
  const run = isObject(doc['config']) ? doc['config'] : {};
  const config: ImageConfig = {
    env: stringArray(run['Env']) ?? [],
    labels: stringRecord(run['Labels']),
  };
  const set = <K extends keyof ImageConfig>(key: K, value: ImageConfig[K] | undefined) => {
    if (value !== undefined && value !== '') config[key] = value;
  };
  set('architecture', optionalString(doc, 'architecture'));
  set('os', optionalString(doc, 'os'));
  set('variant', optionalString(doc, 'variant'));
  set('created', optionalString(doc, 'created'));
  set('entrypoint', stringArray(run['Entrypoint']));
  set('cmd', stringArray(run['Cmd']));
  set('workingDir', optionalString(run, 'WorkingDir'));
  set('user', optionalString(run, 'User'));
  const rootfs = isObject(doc['rootfs']) ? doc['rootfs'] : {};
  return { config, diffIds: stringArray(rootfs['diff_ids']) ?? [] };
}
