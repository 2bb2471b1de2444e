/**
 * The vuln domain's public surface: code outside src/vuln/ imports it from here.
 */
export {};
