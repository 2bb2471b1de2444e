import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

/**
 * A table that scrolls inside its own box when it is wider than the screen, so the page itself
 * never scrolls sideways; focusable so keyboard users can scroll it too.
 */
export function Table({
  caption,
  children,
  hideCaption = false,
}: {
  caption: string;
  children: ComponentChildren;
  hideCaption?: boolean;
}) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section class="table-wrap" tabIndex={0} aria-label={caption}>
      <table>
        <caption class={hideCaption ? 'visually-hidden' : undefined}>{caption}</caption>
        {children}
      </table>
    </section>
  );
}

/** "Next page" for cursor-paginated listings. */
export function Pager({
  cursor,
  onNext,
  onFirst,
  atFirst,
}: {
  cursor: string | null;
  onNext: (c: string) => void;
  onFirst: () => void;
  atFirst: boolean;
}) {
  return (
    <div class="pager">
      <button type="button" disabled={atFirst} onClick={onFirst}>
        First page
      </button>
      <button type="button" disabled={cursor === null} onClick={() => cursor && onNext(cursor)}>
        Next page
      </button>
    </div>
  );
}

/**
 * The cursors of the pages a listing has walked through, so "Next page" follows the API's
 * `nextCursor` and "First page" starts over; `reset` starts over when a filter changes.
 */
export function useCursorPages(): {
  cursor: string | null;
  reset: () => void;
  pager: (next: string | null) => Parameters<typeof Pager>[0];
} {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    cursor: cursors[cursors.length - 1] ?? null,
    reset: () => setCursors([]),
    pager: (next) => ({
      cursor: next,
      atFirst: cursors.length === 0,
      onFirst: () => setCursors([]),
      onNext: (c) => setCursors([...cursors, c]),
    }),
  };
}

/** The row a table body shows when a listing is empty, across all its columns. */
export function EmptyRow({ columns, children }: { columns: number; children: ComponentChildren }) {
  return (
    <tr>
      <td colSpan={columns} class="muted">
        {children}
      </td>
    </tr>
  );
}
