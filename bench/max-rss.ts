// Preloaded into a benchmarked synth (node -r): reports its peak resident memory on exit.
import * as fs from 'fs';

process.on('exit', () => {
  fs.writeSync(2, `\nbench:max-rss-kb=${process.resourceUsage().maxRSS}\n`);
});
