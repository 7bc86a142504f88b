/**
 * Cross-checks pedigree's OSV matcher against Python's `packaging` over a whole PyPA-style advisory
 * database: scripts/osv-reference.py evaluates every case with packaging (the reference), this script
 * evaluates the same cases with src/deps/osv/match.ts and reports the agreement.
 *
 *   npx tsx scripts/cross-check-osv.ts [PATH-TO-advisory-database]   (needs python3 with packaging and yaml)
 *
 * Cases with a local version label (`+local.7`) are counted apart: pedigree matches a local build as the
 * public release it was built from (src/deps/pep440.ts), packaging orders it above that release, so they
 * differ by design exactly where a `last_affected` or `fixed` bound equals the public release or a
 * `versions` entry names it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { normalisePypiName } from '../src/deps/names.js';
import { matchAffected } from '../src/deps/osv/match.js';
import { importOsv, openOsvDatabase } from '../src/deps/osv/store.js';
import { compareVersions, parseVersion } from '../src/deps/pep440.js';

const root = resolve(
  process.argv[2] ?? join(import.meta.dirname, '..', '..', 'shared', 'data', 'pypa-advisory-db'),
);
const lines = execFileSync('python3', [join(import.meta.dirname, 'osv-reference.py'), root], {
  encoding: 'utf8',
  maxBuffer: 1 << 30,
})
  .split('\n')
  .filter((l) => l.length > 0);
const store = mkdtempSync(join(tmpdir(), 'pedigree-crosscheck-'));
importOsv(store, root);
const db = openOsvDatabase([store]);
const scheme = { parse: parseVersion, compare: compareVersions };

const count = { cases: 0, agree: 0, local: 0, localAgree: 0, unparsedBoth: 0, parseDisagree: 0 };
const disagreements: string[] = [];
for (const line of lines) {
  const c = JSON.parse(line) as { id: string; name: string; version: string; affected: boolean | null };
  const record = db.recordsFor('PyPI', c.name).find((r) => r.id === c.id);
  const entries = (record?.affected ?? []).filter(
    (a) => a.package && normalisePypiName(a.package.name) === normalisePypiName(c.name),
  );
  const version = parseVersion(c.version);
  count.cases++;
  if (version === undefined || c.affected === null) {
    if (version === undefined && c.affected === null) count.unparsedBoth++;
    else {
      count.parseDisagree++;
      disagreements.push(
        `${c.id} ${c.name} ${c.version}: parsed by ${version === undefined ? 'packaging only' : 'pedigree only'}`,
      );
    }
    continue;
  }
  const ours = entries.some((e) => matchAffected(e, version, scheme) !== undefined);
  const isLocal = c.version.includes('+');
  if (isLocal) {
    count.local++;
    if (ours === c.affected) count.localAgree++;
    continue;
  }
  if (ours === c.affected) count.agree++;
  else disagreements.push(`${c.id} ${c.name} ${c.version}: packaging ${c.affected}, pedigree ${ours}`);
}
db.close();
const publicCases = count.cases - count.local - count.unparsedBoth - count.parseDisagree;
console.log(`cases: ${count.cases} (${lines.length} lines from packaging)`);
console.log(
  `public versions: ${count.agree}/${publicCases} agree (${((100 * count.agree) / publicCases).toFixed(3)}%)`,
);
console.log(`local versions (+label, rule differs by design): ${count.localAgree}/${count.local} agree`);
console.log(`invalid for both: ${count.unparsedBoth}; parsed by only one side: ${count.parseDisagree}`);
for (const d of disagreements.slice(0, 30)) console.log(`  ${d}`);
if (disagreements.length > 30) console.log(`  ... ${disagreements.length - 30} more`);
process.exitCode = disagreements.length === 0 ? 0 : 1;
