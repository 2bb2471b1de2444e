import type { SubmitToWitness } from '../../tlog/index.js';
import {
  formatAddCheckpoint,
  type NoteVerifier,
  openNote,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  TlogError,
} from '../../tlog/index.js';

/**
 * The log's side of C2SP tlog-witness: submit each new checkpoint to the configured witnesses,
 * follow their 409 answers to the size they hold, check the cosignatures they return, and hand
 * back the verified lines for the log to append to the checkpoint it serves.
 */

/** A witness the log asks: its submission prefix and its cosignature vkey (type 0x04). */
export interface WitnessEndpoint {
  url: string;
  vkey: string;
}

/** Consistency proof between two sizes of the log's tree (the log's own `consistencyProof`). */
export type ProofSource = (size1: number, size2: number) => Uint8Array[] | Promise<Uint8Array[]>;

export interface WitnessReport {
  url: string;
  name: string;
  ok: boolean;
  /** The size the witness held last, as far as this collector knows. */
  witnessSize: number;
  /** Why it failed: an error code and message (details.status for an HTTP refusal). */
  error?: { code: string; message: string; status?: number };
}

export interface CollectResult {
  /** Verified cosignature lines ("— name base64\n"), one or more per witness that cosigned. */
  lines: string[];
  witnesses: WitnessReport[];
}

export interface WitnessCollectorOptions {
  witnesses: readonly WitnessEndpoint[];
  submit: SubmitToWitness;
}

/** A witness answering 409 more often than this for one checkpoint is misbehaving or racing. */
const MAX_ATTEMPTS = 3;

export class WitnessCollector {
  private readonly witnesses: { url: string; verifier: NoteVerifier }[];
  /** Last size each witness told us it holds (0 until it says otherwise; a 409 corrects it). */
  private readonly known = new Map<string, number>();

  /** @throws TlogError TLOG_KEY_INVALID for a vkey that does not parse */
  constructor(private readonly o: WitnessCollectorOptions) {
    this.witnesses = o.witnesses.map((w) => ({ url: w.url, verifier: parseVerifierKey(w.vkey) }));
  }

  /**
   * Ask every witness, in parallel, to cosign `note` (a checkpoint the log signed). One witness
   * failing does not fail the others; its report says why.
   * @throws TlogError TLOG_NOTE_MALFORMED, TLOG_CHECKPOINT_MALFORMED when `note` is not a checkpoint
   */
  async collect(note: string, proof: ProofSource): Promise<CollectResult> {
    const text = parseNote(note).text;
    const { size } = parseCheckpoint(text);
    const reports = await Promise.all(
      this.witnesses.map(async (w) => {
        try {
          const lines = await this.askOne(w, note, text, size, proof);
          return { lines, report: this.report(w, true) };
        } catch (e) {
          return { lines: [] as string[], report: this.report(w, false, e) };
        }
      }),
    );
    return { lines: reports.flatMap((r) => r.lines), witnesses: reports.map((r) => r.report) };
  }

  private async askOne(
    w: { url: string; verifier: NoteVerifier },
    note: string,
    text: string,
    size: number,
    proof: ProofSource,
  ): Promise<string[]> {
    for (let attempt = 1; ; attempt++) {
      const old = this.known.get(w.url) ?? 0;
      if (old > size) {
        throw refused(
          w.url,
          409,
          `the witness holds size ${old}, larger than this checkpoint's ${size}`,
        );
      }
      const hashes = old === 0 || old === size ? [] : await proof(old, size);
      const answer = await this.o.submit(
        w.url,
        formatAddCheckpoint({ oldSize: old, proof: hashes, checkpoint: note }),
      );
      if (answer.status === 200) {
        const lines = verifiedLines(text, answer.body, w.verifier, w.url);
        this.known.set(w.url, size);
        return lines;
      }
      if (answer.status === 409 && attempt < MAX_ATTEMPTS) {
        const m = /^(0|[1-9][0-9]{0,15})\n$/.exec(answer.body);
        if (m === null) throw refused(w.url, 409, 'a 409 answer without a "<size>\\n" body');
        this.known.set(w.url, Number(m[1]));
        continue;
      }
      throw refused(
        w.url,
        answer.status,
        answer.body.trim().slice(0, 500) || `HTTP ${answer.status}`,
      );
    }
  }

  private report(
    w: { url: string; verifier: NoteVerifier },
    ok: boolean,
    e?: unknown,
  ): WitnessReport {
    const base = { url: w.url, name: w.verifier.name, ok, witnessSize: this.known.get(w.url) ?? 0 };
    if (ok) return base;
    const err = e as TlogError;
    const status = err?.details?.['status'];
    return {
      ...base,
      error: {
        code: typeof err?.code === 'string' ? err.code : 'INTERNAL',
        message: err?.message ?? String(e),
        ...(typeof status === 'number' ? { status } : {}),
      },
    };
  }
}

// The witness's answer appended to the checkpoint text must verify as a note under its key; only
// its own lines are kept (the spec: ignore cosignatures from unknown keys).
function verifiedLines(text: string, body: string, verifier: NoteVerifier, url: string): string[] {
  const lines = body.split(/(?<=\n)/).filter((l) => l !== '');
  if (lines.length === 0 || !body.endsWith('\n')) {
    throw refused(url, 200, 'the witness answered 200 without signature lines');
  }
  try {
    openNote(`${text}\n${body}`, [verifier]);
  } catch (e) {
    throw new TlogError(
      'TLOG_NOTE_UNVERIFIED',
      `the cosignature from ${verifier.name} at ${url} does not verify: ${(e as Error).message}`,
      { cause: e, details: { url, status: 200 } },
    );
  }
  return lines.filter((line) => {
    const sig = parseNote(`${text}\n${line}`).signatures[0];
    return sig !== undefined && sig.name === verifier.name && sig.keyId === verifier.keyId;
  });
}

function refused(url: string, status: number, message: string): TlogError {
  return new TlogError('TLOG_WITNESS_REFUSED', `witness ${url}: ${status}: ${message}`, {
    details: { url, status },
  });
}
