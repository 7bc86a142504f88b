// In-process timing of `pedigree deps` on one lockfile against an OSV store, without Node's start-up:
// the first run opens the store (cold), the median of the next runs is the warm figure. Prints JSON.
import { performance } from 'node:perf_hooks';
import { openOsvDatabase } from '../dist/deps/osv/store.js';
import { scanDependencies } from '../dist/deps/run.js';

const [store, lockfile, runs = '10'] = process.argv.slice(2);
const t0 = performance.now();
const database = openOsvDatabase([store]);
const tool = { name: 'pedigree', version: 'bench' };
const first = scanDependencies([lockfile], { tool, database });
const cold = performance.now() - t0;
const times = [];
for (let i = 0; i < Number(runs); i++) {
  const t = performance.now();
  scanDependencies([lockfile], { tool, database });
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
database.close();
console.log(
  JSON.stringify({
    coldMs: cold,
    warmMs: times[Math.floor(times.length / 2)],
    packages: first.dependencies.summary.packages,
    vulnerabilities: first.dependencies.summary.vulnerabilities,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
