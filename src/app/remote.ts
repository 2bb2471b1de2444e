import { CustodyClient } from '../net/custody-client.js';

export type { ApiError, CustodyClient } from '../net/custody-client.js';

/** A client of a running Custody service, for the CLI's commands that talk to one. */
export function connectToService(o: { url: string; token: string }): CustodyClient {
  return new CustodyClient(o);
}
