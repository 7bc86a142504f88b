import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A temporary folder of OSV files (path → JSON value or raw text), for import tests. */
export function osvFolder(files: Record<string, unknown>): string {
  const root = mkdtempSync(join(tmpdir(), 'pedigree-osv-'));
  for (const [path, value] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return root;
}

/** An OSV record affecting one PyPI package in one ECOSYSTEM range. */
export function pypiRecord(
  id: string,
  name: string,
  events: Record<string, string>[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id,
    modified: '2024-01-01T00:00:00Z',
    affected: [{ package: { ecosystem: 'PyPI', name }, ranges: [{ type: 'ECOSYSTEM', events }] }],
    ...extra,
  };
}
