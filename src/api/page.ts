/** One page of a listing, newest first; `nextCursor` asks for the next, null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
