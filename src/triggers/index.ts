/**
 * The triggers domain's public surface: code outside src/triggers/ imports it from here.
 */
export {};
