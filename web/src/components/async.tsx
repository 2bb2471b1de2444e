import type { ComponentChildren } from 'preact';
import type { ApiError } from '../lib/api.js';
import type { Loaded } from '../lib/use-api.js';

/** The service's own error code and message, announced to screen readers. */
export function ErrorBox({ error, what }: { error: ApiError; what: string }) {
  return (
    <div class="error" role="alert">
      <strong>Could not load {what}.</strong> <code>{error.code}</code> {error.message}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}

/** Renders `children(data)` once loaded; a loading line or the error until then. */
export function Async<T>({
  value,
  what,
  children,
}: {
  value: Loaded<T>;
  what: string;
  children: (data: T) => ComponentChildren;
}) {
  if (value.state === 'loading') return <Loading what={what} />;
  if (value.state === 'error') return <ErrorBox error={value.error} what={what} />;
  return <>{children(value.data)}</>;
}
