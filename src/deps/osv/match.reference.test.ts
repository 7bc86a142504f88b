import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalisePypiName } from '../names.js';
import { compareVersions, parseVersion } from '../pep440.js';
import { matchAffected } from './match.js';
import { bundledStoreDir, openOsvDatabase } from './store.js';

interface Case {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly affected: boolean | null;
}

const CASES = readFileSync(new URL('./fixtures/packaging-reference.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.length > 0)
  .map((l) => JSON.parse(l) as Case);

describe('OSV matching against Python packaging', () => {
  it('gives packaging’s verdict on a sample of the PyPA database (bundled snapshot)', () => {
    const db = openOsvDatabase([bundledStoreDir()]);
    const scheme = { parse: parseVersion, compare: compareVersions };
    const wrong: string[] = [];
    for (const c of CASES) {
      const record = db.recordsFor('PyPI', c.name).find((r) => r.id === c.id);
      expect(record, `${c.id} in the snapshot`).toBeDefined();
      const version = parseVersion(c.version);
      if (c.affected === null) {
        if (version !== undefined) wrong.push(`${c.version} parses here but not in packaging`);
        continue;
      }
      if (version === undefined) {
        wrong.push(`${c.version} does not parse here`);
        continue;
      }
      const entries = (record?.affected ?? []).filter(
        (a) => a.package && normalisePypiName(a.package.name) === normalisePypiName(c.name),
      );
      const ours = entries.some((e) => matchAffected(e, version, scheme) !== undefined);
      if (ours !== c.affected)
        wrong.push(`${c.id} ${c.name} ${c.version}: packaging ${c.affected}, pedigree ${ours}`);
    }
    db.close();
    expect(CASES.length).toBeGreaterThan(2500);
    expect(wrong).toEqual([]);
  });
});
