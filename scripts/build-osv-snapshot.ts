/**
 * Builds the OSV snapshot that ships in the package (data/osv/) from a checkout of the PyPA advisory
 * database, so a fresh clone matches dependencies offline. Deterministic: the import time recorded is the
 * database commit's date, so rebuilding from the same commit gives the same bytes.
 *
 *   npx tsx scripts/build-osv-snapshot.ts [PATH-TO-advisory-database]   (default ../shared/data/pypa-advisory-db)
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { importOsv } from '../src/deps/osv/store.js';

const source = resolve(
  process.argv[2] ?? join(import.meta.dirname, '..', '..', 'shared', 'data', 'pypa-advisory-db'),
);
const target = resolve(import.meta.dirname, '..', 'data', 'osv');
// SOURCE.txt: "pypa/advisory-database <commit> <date>", as the shared copy records it.
const [repo, commit, ...date] = readFileSync(join(source, 'SOURCE.txt'), 'utf8').trim().split(/\s+/);
rmSync(join(target, 'sources'), { recursive: true, force: true });
rmSync(join(target, 'store.json'), { force: true });
const result = importOsv(target, source, {
  id: 'pypa-advisory-db',
  kind: 'directory',
  recordedLocation: `https://github.com/${repo}/tree/${commit}`,
  now: new Date(date.join(' ')),
  compress: true,
});
writeFileSync(join(target, 'LICENSE-pypa-advisory-database'), readFileSync(join(source, 'LICENSE')));
console.log(
  `${result.source.records} records (${result.source.withdrawn} withdrawn, ${result.problemCount} problems) → ${target}`,
);
