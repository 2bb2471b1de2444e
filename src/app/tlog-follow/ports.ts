/**
 * What following a log needs from the network. `TlogClient` (src/net/tlog-client.ts) implements
 * it; tests may pass anything that does. Every byte returned is untrusted until checked against a
 * verified checkpoint.
 */
export interface LogFetcher {
  /** The signed checkpoint as served. */
  readCheckpoint(): Promise<Uint8Array>;
  /** Hash tile `level/index` of `width` hashes (256 = full), exactly `width * 32` bytes. */
  readTile(level: number, index: number, width: number): Promise<Uint8Array>;
  /** Entry bundle `index` holding `width` entries (256 = full). */
  readEntryBundle(index: number, width: number): Promise<Uint8Array>;
}

/** The answer of a witness to an add-checkpoint request, whatever its status. */
export interface WitnessAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** Sends an add-checkpoint body to the witness at `url` (`postAddCheckpoint` in src/net). */
export type SubmitToWitness = (url: string, body: string) => Promise<WitnessAnswer>;
