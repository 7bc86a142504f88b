import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../main.js';
import { memoryIo } from '../test-io.js';

const work = mkdtempSync(join(tmpdir(), 'pedigree-data-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const { io, out } = memoryIo();
  const code = await runCli(argv, io);
  return { code, ...out };
}

describe('pedigree data snapshot, data verify', () => {
  it('snapshots a dataset, finds it unchanged (exit 0), then names each changed file (exit 1)', async () => {
    const dir = join(work, 'reviews');
    mkdirSync(join(dir, 'train'), { recursive: true });
    writeFileSync(join(dir, 'train/a.csv'), 'a\n');
    writeFileSync(join(dir, 'train/b.csv'), 'b\n');
    const snap = join(work, 'reviews.snapshot.json');
    const made = await run('data', 'snapshot', dir, '-o', snap);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stderr).toMatch(/reviews: 2 files, 4 bytes .* dataset digest sha256:[0-9a-f]{64}/);
    expect(JSON.parse(readFileSync(snap, 'utf8'))).toMatchObject({
      name: 'reviews',
      path: 'reviews',
      files: 2,
    });
    const same = await run('data', 'verify', snap);
    expect(same.code, same.stdout + same.stderr).toBe(0);
    expect(same.stdout).toMatch(/UNCHANGED/);
    writeFileSync(join(dir, 'train/b.csv'), 'B\n');
    writeFileSync(join(dir, 'train/c.csv'), 'c\n');
    const changed = await run('data', 'verify', snap);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/changed\s+train\/b\.csv/);
    expect(changed.stdout).toMatch(/added\s+train\/c\.csv/);
    const json = await run('data', 'verify', snap, dir, '-f', 'json');
    expect(JSON.parse(json.stdout)).toMatchObject({ verified: false, added: [{ path: 'train/c.csv' }] });
  });

  it('writes the same snapshot twice (no time unless asked), and exits 2 on bad input', async () => {
    const dir = join(work, 'd2');
    mkdirSync(dir);
    writeFileSync(join(dir, 'x'), 'x');
    const a = await run('data', 'snapshot', dir, '-q');
    const b = await run('data', 'snapshot', dir, '-q');
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).not.toMatch(/createdAt/);
    expect((await run('data', 'snapshot', dir, '--timestamp', '2026-01-02T03:04:05Z', '-q')).stdout).toMatch(
      /"createdAt": "2026-01-02T03:04:05.000Z"/,
    );
    expect((await run('data', 'snapshot', join(work, 'missing'))).code).toBe(2);
    const bad = join(work, 'bad.json');
    writeFileSync(bad, '{"snapshotFormat":"pedigree-dataset-snapshot"}');
    const r = await run('data', 'verify', bad, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json: snapshot\.version/);
    expect((await run('data', 'verify', bad)).code).toBe(2);
  });
});

describe('pedigree run', () => {
  it('runs a command, writes its provenance (signed with --key), and exits 1 for a failing command', async () => {
    const dir = join(work, 'run');
    mkdirSync(dir);
    const key = join(work, 'run-key.pem');
    expect((await run('keygen', '-o', key)).code).toBe(0);
    const out = join(dir, 'out.txt');
    const prov = join(dir, 'run.provenance.sigstore.json');
    const script = `require('fs').writeFileSync(${JSON.stringify(out)}, 'trained')`;
    const ok = await run(
      'run',
      '--no-python',
      '-O',
      out,
      '-p',
      prov,
      '--key',
      key,
      '--',
      process.execPath,
      '-e',
      script,
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/succeeded \(exit 0\); 1 output file recorded; provenance \(signed\)/);
    const verified = await run(
      'verify-attestation',
      prov,
      '--key',
      join(work, 'run-key.pub.pem'),
      '--base-dir',
      '/',
      '--predicate-type',
      'https://slsa.dev/provenance/v1',
    );
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    const failed = await run(
      'run',
      '--no-python',
      '-p',
      join(dir, 'f.json'),
      '--',
      process.execPath,
      '-e',
      'process.exit(4)',
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/FAILED \(exit 4\)/);
    expect(
      JSON.parse(readFileSync(join(dir, 'f.json'), 'utf8')).predicate.runDetails.byproducts[0].annotations
        .status,
    ).toBe('failed');
    expect((await run('run', '--seed', 'two words', '--', 'true')).code).toBe(2);
  });
});
