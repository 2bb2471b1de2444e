import {
  expectObject,
  field,
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
  const runValue = field(doc, 'config');
  const run = isObject(runValue) ? runValue : {};
  const config: ImageConfig = {
    env: stringArray(field(run, 'Env')) ?? [],
    labels: stringRecord(field(run, 'Labels')),
  };
  const set = <K extends keyof ImageConfig>(key: K, value: ImageConfig[K] | undefined) => {
    if (value !== undefined && value !== '') config[key] = value;
  };
  set('architecture', optionalString(doc, 'architecture'));
  set('os', optionalString(doc, 'os'));
  set('variant', optionalString(doc, 'variant'));
  set('created', optionalString(doc, 'created'));
  set('entrypoint', stringArray(field(run, 'Entrypoint')));
  set('cmd', stringArray(field(run, 'Cmd')));
  set('workingDir', optionalString(run, 'WorkingDir'));
  set('user', optionalString(run, 'User'));
  const rootfsValue = field(doc, 'rootfs');
  const rootfs = isObject(rootfsValue) ? rootfsValue : {};
  return { config, diffIds: stringArray(field(rootfs, 'diff_ids')) ?? [] };
}
