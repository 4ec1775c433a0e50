// A child process for the kill tests: writes one stack with the writer the test transpiled from src/synth/ (the
// current source, no build needed), and is killed with SIGKILL somewhere in the middle.
//   node write-child.js <folder with writer.js> <out> <stack> <files.json>
// Prints "go" just before writeStack starts and "done <ms> <stats JSON>" when it returns.
'use strict';
const fs = require('fs');
const path = require('path');

const [lib, out, stack, filesJson] = process.argv.slice(2);
const { writeStack } = require(path.join(lib, 'writer.js'));
const files = JSON.parse(fs.readFileSync(filesJson, 'utf8'));
fs.writeSync(1, 'go\n');
const started = process.hrtime.bigint();
const stats = writeStack(out, stack, files);
fs.writeSync(1, `done ${Number(process.hrtime.bigint() - started) / 1e6} ${JSON.stringify(stats)}\n`);
