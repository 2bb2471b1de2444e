/**
 * The vex domain's public surface: code outside src/vex/ imports it from here.
 */
export {};
