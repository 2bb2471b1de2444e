/** Exit code carried by a thrown value so commands can stop with a verdict from deep inside. */
export class CliExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
