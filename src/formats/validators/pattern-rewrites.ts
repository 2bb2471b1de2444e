/**
 * Regular expressions from the official schemas that backtrack badly, each with an equivalent
 * one (the same language; test/formats/validators/runtime.test.ts checks each pair against the
 * other). scripts/gen-validators.mjs compiles the right-hand side. CycloneDX's hash pattern tries
 * every alternative on each 128-digit SHA-512 digest: 4x slower than the factored form.
 */
export const PATTERN_REWRITES: Readonly<Record<string, string>> = {
  '^([a-fA-F0-9]{32}|[a-fA-F0-9]{40}|[a-fA-F0-9]{64}|[a-fA-F0-9]{96}|[a-fA-F0-9]{128})$':
    '^[a-fA-F0-9]{32}(?:[a-fA-F0-9]{8}|[a-fA-F0-9]{32}(?:[a-fA-F0-9]{32}(?:[a-fA-F0-9]{32})?)?)?$',
};
