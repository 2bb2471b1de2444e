import { createHash } from 'node:crypto';

/**
 * RFC 9562 version-5 (name-based, SHA-1) UUID. Used for reproducible serial numbers: the same
 * name always yields the same UUID, and CycloneDX's serialNumber pattern accepts versions 1–5 only.
 */
export function uuidV5(name: string | Uint8Array, namespace: string = CUSTODY_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const bytes = createHash('sha1').update(ns).update(name).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Random version-4 UUID (the default serial number when output need not be reproducible). */
export function uuidV4(random: (n: number) => Uint8Array): string {
  const bytes = Buffer.from(random(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Custody's own namespace for v5 UUIDs (itself a v5 UUID of "custody" in the URL namespace). */
export const CUSTODY_NAMESPACE = '5f3e8c1a-7b2d-5c4e-9a61-0d2f4b8e6c73';
