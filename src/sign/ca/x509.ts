// The stand-in must be evaluated before @peculiar/x509 loads tsyringe, hence its own module first.
import './reflect-metadata.js';
import { webcrypto } from 'node:crypto';

export * as x509 from '@peculiar/x509';

/** Node's WebCrypto, passed to @peculiar/x509 explicitly rather than through its global provider. */
// biome-ignore lint/suspicious/noExplicitAny: x509's DOM `Crypto` type is not in Node's lib
export const WEBCRYPTO = webcrypto as any;
