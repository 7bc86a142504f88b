import { createHash } from 'node:crypto';
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
    const prov = join(dir, 'run.provenance.sigstore.json');
    const script = "require('fs').writeFileSync('out.txt', 'trained')";
    const ok = await run(
      'run',
      '--no-python',
      '-C',
      dir,
      '-O',
      'out.txt',
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
      dir,
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

describe('pedigree data verify on DVC records', () => {
  it('verifies DVC 3 files and directories by their recorded MD5s and names each drifted file', async () => {
    const root = join(work, 'dvc-project');
    mkdirSync(join(root, '.dvc/cache/files/md5/5e'), { recursive: true });
    mkdirSync(join(root, 'data/images'), { recursive: true });
    writeFileSync(join(root, 'data/images/foo'), 'foo');
    writeFileSync(join(root, 'data/images/bar'), 'bar');
    writeFileSync(join(root, 'data/labels.csv'), 'a,b\n');
    // DVC's own vector: {bar: "bar", foo: "foo"} is 5ea40360f5b4ec688df672a4db9c17d1.dir, whose manifest
    // the cache holds under its MD5.
    const manifest =
      '[{"md5": "37b51d194a7513e45b56f6524f2d51f2", "relpath": "bar"}, {"md5": "acbd18db4cc2f85cedef654fccc4a4d8", "relpath": "foo"}]';
    writeFileSync(join(root, '.dvc/cache/files/md5/5e/a40360f5b4ec688df672a4db9c17d1.dir'), manifest);
    writeFileSync(
      join(root, 'data/images.dvc'),
      'outs:\n- md5: 5ea40360f5b4ec688df672a4db9c17d1.dir\n  size: 6\n  nfiles: 2\n  hash: md5\n  path: images\n',
    );
    writeFileSync(
      join(root, 'data/labels.csv.dvc'),
      `outs:\n- md5: ${createHash('md5').update('a,b\n').digest('hex')}\n  size: 4\n  hash: md5\n  path: labels.csv\n`,
    );
    const ok = await run('data', 'verify', root);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/UNCHANGED: 2 DVC-tracked entries/);
    expect((await run('data', 'verify', join(root, 'data/labels.csv.dvc'))).code).toBe(0);
    writeFileSync(join(root, 'data/images/foo'), 'FOO');
    writeFileSync(join(root, 'data/images/baz'), 'baz');
    const drift = await run('data', 'verify', root);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toMatch(/changed\s+data\/images\//);
    expect(drift.stdout).toMatch(/changed\s+foo/);
    expect(drift.stdout).toMatch(/added\s+baz/);
    const json = await run('data', 'verify', root, '-f', 'json');
    expect(JSON.parse(json.stdout)).toMatchObject({ verdict: 'drift', summary: { ok: 1, changed: 1 } });
    const empty = join(work, 'not-dvc');
    mkdirSync(empty);
    const none = await run('data', 'verify', empty);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no \.dvc file/);
  });
});
