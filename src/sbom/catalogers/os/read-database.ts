import { CoreError } from '../../../core/index.js';
import type { FileTree } from '../../model.js';

/**
 * The bytes of the database file a cataloger was asked to read.
 * @throws CoreError FILE_NOT_FOUND when the tree has no regular file at `path`.
 */
export function readDatabase(tree: FileTree, path: string): Uint8Array {
  const bytes = tree.read(path);
  if (!bytes) {
    throw new CoreError('FILE_NOT_FOUND', `${path} does not exist or is not a regular file`, {
      details: { file: path },
    });
  }
  return bytes;
}
