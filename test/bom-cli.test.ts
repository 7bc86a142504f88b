import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { timestampOf } from '../src/cli/commands/bom.js';
import { run } from './cli-support.js';

const EXAMPLE = join('examples', 'ml-project');
const out = mkdtempSync(join(tmpdir(), 'pedigree-bom-cli-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

type Json = Record<string, unknown>;

describe('pedigree bom', () => {
  it('writes a CycloneDX 1.6 BOM to a file and a summary on standard error', async () => {
    const file = join(out, 'bom.json');
    const result = await run(['bom', EXAMPLE, '-o', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /pedigree bom: 6 model\(s\) \(\+1 referenced\), 2 dataset\(s\), 5 libraries, 1 container image\(s\)/,
    );
    const bom = JSON.parse(readFileSync(file, 'utf8')) as Json;
    expect(bom.specVersion).toBe('1.6');
    expect((bom.metadata as Json).timestamp).toBeUndefined();
  });

  it('writes the time when asked, from SOURCE_DATE_EPOCH for reproducible builds', async () => {
    const given = await run(['bom', EXAMPLE, '-q', '--timestamp', '2026-01-31T12:00:00Z']);
    expect((JSON.parse(given.stdout).metadata as Json).timestamp).toBe('2026-01-31T12:00:00.000Z');
    expect(timestampOf(true, { SOURCE_DATE_EPOCH: '1700000000' })).toBe('2023-11-14T22:13:20Z');
    expect(timestampOf(undefined, {})).toBeUndefined();
    expect(() => timestampOf('yesterday', {})).toThrow(/ISO 8601/);
    expect(() => timestampOf(true, { SOURCE_DATE_EPOCH: 'soon' })).toThrow(/SOURCE_DATE_EPOCH/);
  });

  it('takes a serial number, or a random one, when asked', async () => {
    const fixed = await run([
      'bom',
      EXAMPLE,
      '-q',
      '--serial-number',
      'urn:uuid:3E671687-395B-41F5-A30F-A58921A69B79',
    ]);
    expect(JSON.parse(fixed.stdout).serialNumber).toBe('urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79');
    const a = await run(['bom', EXAMPLE, '-q', '--serial-number', 'random']);
    const b = await run(['bom', EXAMPLE, '-q', '--serial-number', 'random']);
    expect(JSON.parse(a.stdout).serialNumber).not.toBe(JSON.parse(b.stdout).serialNumber);
    const bad = await run(['bom', EXAMPLE, '-q', '--serial-number', 'not-a-uuid']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--serial-number/);
  });

  it('writes SPDX 3.0.1 and CycloneDX 1.7 on request', async () => {
    const spdx = await run(['bom', EXAMPLE, '-q', '--spec', 'spdx-3.0']);
    expect(spdx.code).toBe(0);
    expect(JSON.parse(spdx.stdout)['@context']).toBe('https://spdx.org/rdf/3.0.1/spdx-context.jsonld');
    const cdx = await run(['bom', EXAMPLE, '-q', '--spec', 'cyclonedx-1.7']);
    expect(JSON.parse(cdx.stdout).specVersion).toBe('1.7');
  });

  it('exits 2 on usage errors', async () => {
    expect((await run(['bom', 'no/such/folder'])).code).toBe(2);
    expect((await run(['bom', EXAMPLE, '--spec', 'cyclonedx-1.2'])).code).toBe(2);
    const failOn = await run(['bom', EXAMPLE, '--fail-on', 'high']);
    expect(failOn.code).toBe(2);
    expect(failOn.stderr).toMatch(/--fail-on needs --with-findings/);
    expect((await run(['bom', EXAMPLE, '--spec', 'spdx-3.0', '--serial-number', 'random'])).code).toBe(2);
  });

  it('includes findings and advisories with --with-findings and exits 1 at the threshold', async () => {
    // One advisory for the example's torch 2.1.0, in a store of its own (the bundled snapshot has none).
    const advisories = join(out, 'advisories');
    mkdirSync(advisories);
    writeFileSync(
      join(advisories, 'PYSEC-2099-1.json'),
      JSON.stringify({
        id: 'PYSEC-2099-1',
        modified: '2026-01-01T00:00:00Z',
        published: '2026-01-01T00:00:00Z',
        aliases: ['CVE-2099-0001'],
        summary: 'Test advisory for torch',
        affected: [
          {
            package: { ecosystem: 'PyPI', name: 'torch' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.2.0' }] }],
          },
        ],
        severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
        references: [{ type: 'WEB', url: 'https://example.org/PYSEC-2099-1' }],
      }),
    );
    const store = join(out, 'store');
    expect((await run(['db', 'import', advisories, '--db-dir', store])).code).toBe(0);
    const result = await run(['bom', EXAMPLE, '-q', '--with-findings', '--db-dir', store]);
    expect(result.code).toBe(1);
    const bom = JSON.parse(result.stdout) as Json;
    const vulns = bom.vulnerabilities as Json[];
    // The malicious pickle in downloads/ affects its model component.
    const pickle = vulns.find((v) =>
      (v.affects as Json[] | undefined)?.some((a) => a.ref === 'model:downloads/pytorch_model.bin'),
    );
    expect(pickle?.source).toEqual({ name: 'pedigree' });
    // torch 2.1.0 from requirements.txt has OSV advisories (the bundled PyPA snapshot).
    const advisory = vulns.find((v) =>
      (v.affects as Json[] | undefined)?.some((a) => a.ref === 'pkg:pypi/torch@2.1.0'),
    );
    expect(advisory).toMatchObject({
      id: 'PYSEC-2099-1',
      source: { name: 'OSV', url: 'https://osv.dev/vulnerability/PYSEC-2099-1' },
      ratings: [{ method: 'CVSSv31', score: 9.8, severity: 'critical' }],
      recommendation: 'Upgrade torch to 2.2.0 or later.',
    });
    const none = await run(['bom', EXAMPLE, '-q', '--with-findings', '--db-dir', store, '--fail-on', 'none']);
    expect(none.code).toBe(0);
  });
});
