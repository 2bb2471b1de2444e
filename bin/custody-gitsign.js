#!/usr/bin/env node
// git's x509 signing program: git config gpg.format x509 && git config gpg.x509.program custody-gitsign
// Passes gpg's arguments to `custody git gpg`.
import { main } from '../dist/src/cli/main.js';

main(['git', 'gpg', '--', ...process.argv.slice(2)]).then((code) => {
  process.exitCode = code;
});
