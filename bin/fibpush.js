#!/usr/bin/env node
'use strict';
let main;
try {
  main = require('../dist/ts/cli/main.js').main;
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && /dist[\\/]ts[\\/]cli/.test(String(e.message))) {
    console.error('fibpush: the TypeScript build is missing (dist/). Run `npm install` (or `npm run build:ts`) in the fibpush checkout.');
    process.exit(1);
  }
  throw e;
}
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`fibpush: ${err && err.message ? err.message : err}`);
    process.exit(1);
  },
);
