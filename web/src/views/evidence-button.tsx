import { useState } from 'preact/hooks';
import { ApiError, download } from '../lib/api.js';

/** Downloads the release's evidence tar (`custody evidence verify` checks it offline). */
export function EvidenceButton({ product, version }: { product: string; version: string }) {
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async () => {
    setBusy(true);
    setSaid(null);
    try {
      const { blob, name } = await download(
        `/api/v1/products/${encodeURIComponent(product)}/releases/${encodeURIComponent(version)}/evidence`,
      );
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = name ?? `${product}-${version}-evidence.tar`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setSaid({
        ok: true,
        text: `Evidence downloaded (${Math.round(blob.size / 1024)} KiB): check it with custody evidence verify.`,
      });
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(0, 'CLIENT', String(e));
      setSaid({ ok: false, text: `${err.code}: ${err.message}` });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="actions">
      <button type="button" class="primary" disabled={busy} onClick={() => void run()}>
        {busy ? 'Exporting…' : 'Export evidence'}
      </button>
      <span aria-live="polite" data-testid="evidence-result">
        {said && <span class={said.ok ? 'good small' : 'error-inline small'}>{said.text}</span>}
      </span>
    </div>
  );
}
