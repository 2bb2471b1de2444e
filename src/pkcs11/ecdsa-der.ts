/**
 * CKM_ECDSA returns r||s, each padded to the curve size (PKCS#11 2.40 §2.3.1); Sigstore bundles,
 * Rekor and @sigstore/verify expect the DER `Ecdsa-Sig-Value` SEQUENCE { r INTEGER, s INTEGER }
 * (RFC 5480 §2.2, RFC 3279 §2.2.3).
 */
export function ecdsaRawToDer(raw: Uint8Array): Buffer {
  if (raw.length === 0 || raw.length % 2 !== 0 || raw.length > 132)
    throw new RangeError(`an ECDSA r||s signature has an even length up to 132, not ${raw.length}`);
  const half = raw.length / 2;
  const body = Buffer.concat([derInteger(raw.subarray(0, half)), derInteger(raw.subarray(half))]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

/** Minimal two's-complement INTEGER of an unsigned big-endian number. */
function derInteger(unsigned: Uint8Array): Buffer {
  let i = 0;
  while (i < unsigned.length - 1 && unsigned[i] === 0) i++;
  const v = unsigned.subarray(i);
  // A leading 1 bit would read as negative: prefix a zero byte.
  const pad = (v[0] as number) & 0x80 ? [0] : [];
  const content = Buffer.concat([Buffer.from(pad), v]);
  return Buffer.concat([Buffer.from([0x02]), derLength(content.length), content]);
}

function derLength(n: number): Buffer {
  return n < 0x80 ? Buffer.from([n]) : Buffer.from([0x81, n]);
}
