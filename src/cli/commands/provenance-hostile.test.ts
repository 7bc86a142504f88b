import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DvcVerifyReport } from '../../provenance/dvc/index.js';
import { datasetDigest, SNAPSHOT_FORMAT } from '../../provenance/snapshot.js';
import { runCli } from '../main.js';
import { memoryIo } from '../test-io.js';
import { renderDvcText } from './data.js';

/** The provenance commands given hostile or careless input: exit 2 naming what is wrong, never a hang. */

const work = mkdtempSync(join(tmpdir(), 'pedigree-provenance-cli-hostile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;
const fresh = () => {
  const dir = join(work, `c${counter++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};
const posix = process.platform !== 'win32';

async function run(...argv: string[]) {
  const { io, out } = memoryIo();
  const code = await runCli(argv, io);
  return { code, ...out };
}

describe.runIf(posix)('FIFOs and devices where a file is expected', () => {
  it.each([['data', 'verify'], ['repro', '--dry-run'], ['lineage']])(
    '%s refuses one with exit 2, at once',
    async (...args) => {
      const dir = fresh();
      const path = join(dir, 'x.provenance.json');
      execFileSync('mkfifo', [path]);
      const [command, ...rest] = args as string[];
      const result =
        command === 'data'
          ? await run('data', 'verify', path, dir)
          : await run(command as string, path, ...rest.filter((a) => a.startsWith('--')));
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/not a (regular file|folder or a record file)/);
      expect(result.stderr).not.toMatch(/internal error/);
    },
  );

  it('data verify refuses /dev/zero with exit 2', async () => {
    const result = await run('data', 'verify', '/dev/zero', fresh());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not a regular file/);
  });
});

describe('data', () => {
  it('escapes a hostile snapshot name in the text report and lists what it ignores', async () => {
    const dir = fresh();
    mkdirSync(join(dir, 'd'));
    const entries: { path: string; size: number; sha256: string }[] = [];
    writeFileSync(join(dir, 'd/skipped'), 'x');
    writeFileSync(
      join(dir, 's.snapshot.json'),
      JSON.stringify({
        snapshotFormat: SNAPSHOT_FORMAT,
        version: 1,
        name: '\u001b[2J\nUNCHANGED: fine',
        path: 'd',
        digest: { sha256: datasetDigest(entries) },
        files: 0,
        bytes: 0,
        ignored: ['skipped'],
        entries,
      }),
    );
    const result = await run('data', 'verify', join(dir, 's.snapshot.json'));
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/\u001b/);
    expect(result.stdout.split('\n')[0]).toMatch(/\?\[2J\\nUNCHANGED: fine/);
    expect(result.stdout).toMatch(/^ignored {3}skipped \(as the snapshot says; not checked\)$/m);
  });

  it('refuses a snapshot that points at an absolute folder unless the folder is given', async () => {
    const dir = fresh();
    writeFileSync(
      join(dir, 's.snapshot.json'),
      JSON.stringify({
        snapshotFormat: SNAPSHOT_FORMAT,
        version: 1,
        name: 'root',
        path: '/',
        digest: { sha256: datasetDigest([]) },
        files: 0,
        bytes: 0,
        ignored: [],
        entries: [],
      }),
    );
    const refused = await run('data', 'verify', join(dir, 's.snapshot.json'));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/snapshot\.path "\/" is not a relative path/);
    mkdirSync(join(dir, 'empty'));
    expect((await run('data', 'verify', join(dir, 's.snapshot.json'), join(dir, 'empty'))).code).toBe(0);
  });

  it.each(['.', '..', '/etc', ''])('data snapshot --ignore %j is exit 2 naming the option', async (entry) => {
    const dir = fresh();
    writeFileSync(join(dir, 'a'), 'a');
    const result = await run('data', 'snapshot', dir, '--ignore', entry, '-q');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--ignore/);
  });

  it('escapes every name of a DVC report (a hostile project names its files and stages)', () => {
    const evil = 'x\u001b[31m\nCHANGED';
    const report: DvcVerifyReport = {
      from: 'workspace',
      cacheDir: '.dvc/cache',
      files: [{ path: evil, kind: 'dvc', error: evil }],
      outs: [
        {
          source: { file: evil, stage: evil, role: 'out', index: 0 },
          path: evil,
          hashName: 'md5',
          isDir: true,
          status: 'changed',
          reason: evil,
          directory: {
            manifest: 'none',
            manifestProblem: evil,
            files: 1,
            added: { count: 1, paths: [evil] },
            removed: { count: 0, paths: [] },
            changed: { count: 0, paths: [] },
            unreadable: { count: 0, paths: [] },
          },
        },
      ],
      problems: [{ file: evil, field: evil, code: 'bad-value', message: evil }],
      summary: { ok: 0, changed: 1, missing: 0, notChecked: 0 },
      verdict: 'drift',
    };
    const text = renderDvcText(report, evil, false);
    expect(text).not.toMatch(/\u001b/);
    expect(text).not.toMatch(/\nCHANGED(?!:)/);
  });
});

describe('run: options that are exit 2', () => {
  it('--record-env takes a variable name', async () => {
    const result = await run('run', '--no-python', '--record-env', 'A-B', '--', 'true');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--record-env takes a variable name/);
  });

  it('--python that cannot be asked stops the run before the command', async () => {
    const dir = fresh();
    const result = await run('run', '--python', join(dir, 'no-such-python'), '-C', dir, '--', 'touch', 'ran');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--python .*no-such-python: cannot be asked/);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('--cwd must exist, and nothing is created for a typo', async () => {
    const missing = join(fresh(), 'typo');
    const result = await run('run', '--no-python', '--cwd', missing, '--', 'true');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--cwd .*no such folder/);
    expect(existsSync(missing)).toBe(false);
  });

  it('refuses a record written into an output or input it records', async () => {
    const dir = fresh();
    const output = await run(
      'run',
      '--no-python',
      '-C',
      dir,
      '-O',
      'model',
      '-p',
      join(dir, 'model/run.provenance.json'),
      '--',
      'true',
    );
    expect(output.code).toBe(2);
    expect(output.stderr).toMatch(/is inside --output model: the record would change what it records/);
    const input = await run(
      'run',
      '--no-python',
      '-C',
      dir,
      '-i',
      '.',
      '-p',
      join(dir, 'x.provenance.json'),
      '--',
      'true',
    );
    expect(input.code).toBe(2);
    expect(input.stderr).toMatch(/--input \./);
  });
});

describe('repro says what it runs before running it', () => {
  it('prints the command on standard error even when the report is JSON', async () => {
    const dir = fresh();
    execFileSync('git', ['init', '-q'], { cwd: dir });
    const recorded = await run(
      'run',
      '--no-python',
      '-q',
      '-C',
      dir,
      '-p',
      join(dir, 'r.provenance.json'),
      '--',
      'true',
      'two words',
    );
    expect(recorded.code).toBe(0);
    const result = await run(
      'repro',
      join(dir, 'r.provenance.json'),
      '--cwd',
      dir,
      '--no-python',
      '-f',
      'json',
    );
    expect(result.stderr).toMatch(/pedigree repro: re-running true "two words" in .* \(record unsigned\)/);
    expect(JSON.parse(result.stdout).verdict).toBe('identical');
  });
});
