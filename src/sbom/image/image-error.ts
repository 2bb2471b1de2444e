import { SbomError } from '../errors.js';

/** `IMAGE_INVALID` naming what is wrong with which part of the image. */
export function imageInvalid(what: string, problem: string, cause?: unknown): SbomError {
  return new SbomError('IMAGE_INVALID', `${what}: ${problem}`, {
    details: { file: what },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** `IMAGE_PATH_ESCAPE` naming the layer and the entry. */
export function pathEscape(layer: string, entry: string, problem: string): SbomError {
  return new SbomError(
    'IMAGE_PATH_ESCAPE',
    `${layer}: entry "${entry}" ${problem}; refusing an image that writes outside its root`,
    { details: { layer, entry } },
  );
}
