/**
 * DSSE v1 pre-authentication encoding: the bytes each envelope signature covers, so a signature
 * binds the payload type as well as the payload.
 * https://github.com/secure-systems-lab/dsse/blob/v1.0.0/protocol.md
 *
 * This file imports nothing, so the log and the verifiers import it alone: the formats index
 * brings the SBOM readers' XML and YAML parsers, about 60 ms of start-up they do not need.
 */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = Buffer.from(payloadType, 'utf8');
  const head = Buffer.from(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `, 'utf8');
  return new Uint8Array(Buffer.concat([head, payload]));
}
