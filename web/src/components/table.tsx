import type { ComponentChildren } from 'preact';

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
