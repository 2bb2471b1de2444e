import assert from 'node:assert/strict';

/** Wait for `ready`, failing (not hanging) when it does not come within `ms`. */
export async function until(ready: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
