import {
  formatImageReference,
  type ImageReference,
  pushOciLayout,
  readOciLayout,
} from '../../oci/index.js';
import { type Env, openRegistry, type RegistryOptions } from './registry.js';

/**
 * `custody oci push`: an OCI image layout's image pushed and tagged (the reference's tag, or
 * `latest` when it has none).
 * @throws OciError OCI_LAYOUT_INVALID, and what the registry refuses
 */
export async function pushLayout(
  dir: string,
  ref: ImageReference,
  pick: string | undefined,
  env: Env,
  ro: RegistryOptions = {},
): Promise<{ image: string; digest: string }> {
  const { client } = openRegistry(env, ro);
  client.assertAllowed(ref.registry);
  const layout = readOciLayout(dir);
  const d = await pushOciLayout(
    client,
    layout,
    { registry: ref.registry, repository: ref.repository },
    ref.digest === undefined ? (ref.tag ?? 'latest') : undefined,
    pick,
  );
  return { image: formatImageReference({ ...ref, digest: d.digest }), digest: d.digest };
}
