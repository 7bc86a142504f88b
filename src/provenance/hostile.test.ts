import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ParseError, UsageError } from '../core/errors.js';
import { IN_TOTO_STATEMENT_TYPE } from '../trust/oms/bundle.js';
import { readCodeState } from './code-state.js';
import { isSecretName, isSecretValue, probePython, recordVariables } from './environment.js';
import { buildLineage, findLineageFiles, type LineageRecord, parseLineageRecord } from './lineage.js';
import {
  type ProvenanceStatement,
  parseProvenance,
  SLSA_PROVENANCE_V1,
  TRAINING_RUN_BUILD_TYPE,
} from './provenance.js';
import { readRegularFile } from './read-file.js';
import {
  checkParity,
  patternMatches,
  RESTORE_NOTE,
  reproduceRun,
  resolveRunDirectory,
  toleranceFor,
} from './repro.js';
import { readMetrics, recordedSeed, recordRun } from './run.js';
import {
  createSnapshot,
  datasetDigest,
  datasetPathOf,
  parseSnapshot,
  readSnapshot,
  SNAPSHOT_FORMAT,
  type SnapshotEntry,
  verifySnapshot,
} from './snapshot.js';

/**
 * Hostile and careless input to the provenance commands: files that are FIFOs or devices where a record,
 * snapshot or metrics file is expected, records written to make `repro` move or run what it should not,
 * snapshots that ignore or point at what they should not, and the secrets a run must never record.
 */

const work = mkdtempSync(join(tmpdir(), 'pedigree-provenance-hostile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;
const fresh = (name = 'case') => {
  const dir = join(work, `${name}-${counter++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};
const posix = process.platform !== 'win32';
const fifo = (path: string) => execFileSync('mkfifo', [path]);
const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
    cwd: dir,
    stdio: 'ignore',
  });

/** A snapshot's text with a correct digest (so only the field under test is wrong). */
function snapshotText(over: { entries?: SnapshotEntry[]; ignored?: string[]; path?: string; name?: string }) {
  const entries = over.entries ?? [{ path: 'a', size: 1, sha256: 'a'.repeat(64) }];
  return JSON.stringify({
    snapshotFormat: SNAPSHOT_FORMAT,
    version: 1,
    name: over.name ?? 'd',
    ...(over.path !== undefined ? { path: over.path } : {}),
    digest: { sha256: datasetDigest(entries) },
    files: entries.length,
    bytes: entries.reduce((s, e) => s + e.size, 0),
    ignored: over.ignored ?? [],
    entries,
  });
}

describe.runIf(posix)('readRegularFile', () => {
  it('refuses a FIFO at once instead of waiting for a writer, and a device that never ends', () => {
    const dir = fresh();
    fifo(join(dir, 'x.provenance.json'));
    const started = Date.now();
    expect(() => readRegularFile(join(dir, 'x.provenance.json'), 1024, 'record')).toThrow(
      /not a regular file/,
    );
    expect(() => readRegularFile('/dev/zero', 1024, 'record')).toThrow(/not a regular file/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a file over the limit and names it', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'big'), 'x'.repeat(100));
    expect(() => readRegularFile(join(dir, 'big'), 99, 'record')).toThrow(ParseError);
    expect(readRegularFile(join(dir, 'big'), 100, 'record').length).toBe(100);
  });
});

describe('snapshots from someone else', () => {
  it.runIf(posix)('readSnapshot refuses a FIFO and /dev/zero instead of hanging', () => {
    const dir = fresh();
    fifo(join(dir, 'd.snapshot.json'));
    expect(() => readSnapshot(join(dir, 'd.snapshot.json'))).toThrow(UsageError);
    expect(() => readSnapshot('/dev/zero')).toThrow(/not a regular file/);
  });

  it.each([
    ['.', 'names no path inside the dataset'],
    ['', 'names no path inside the dataset'],
    ['./', 'names no path inside the dataset'],
    ['..', 'leaves the dataset'],
    ['a/../..', 'leaves the dataset'],
    ['/etc', 'is an absolute path'],
    ['a\0b', 'contains a NUL character'],
  ])('refuses the ignored entry %j, naming the field', (entry, why) => {
    expect(() => parseSnapshot(snapshotText({ ignored: [entry] }), 's.json')).toThrow(
      new RegExp(`snapshot\\.ignored\\[0\\] .* ${why}`),
    );
  });

  it('refuses an entry under a path it says it ignores (it contradicts itself)', () => {
    const text = snapshotText({
      ignored: ['raw'],
      entries: [{ path: 'raw/x', size: 1, sha256: 'b'.repeat(64) }],
    });
    expect(() => parseSnapshot(text, 's.json')).toThrow(
      /entries\[0\]\.path "raw\/x" is under the ignored path "raw"/,
    );
  });

  it('refuses a path with a NUL character', () => {
    const text = snapshotText({ entries: [{ path: 'a\0b', size: 1, sha256: 'b'.repeat(64) }] });
    expect(() => parseSnapshot(text, 's.json')).toThrow(/entries\[0\]\.path .* not a relative path/);
  });

  it('does not walk an absolute dataset path a snapshot records; a path given is used', () => {
    const snapshot = parseSnapshot(snapshotText({ path: '/' }), 's.json');
    expect(() => datasetPathOf('s.json', snapshot)).toThrow(/snapshot\.path "\/" is not a relative path/);
    expect(datasetPathOf('s.json', snapshot, 'here')).toBe('here');
  });

  it('lists what the snapshot ignores in the drift, since those paths are not checked', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'a'), 'a');
    writeFileSync(join(dir, 'secret-change'), 'x');
    const snapshot = await createSnapshot(dir, { ignore: ['secret-change'] });
    const drift = await verifySnapshot(snapshot, dir);
    expect(drift.verified).toBe(true);
    expect(drift.ignored).toContain('secret-change');
  });
});

describe('creating snapshots carelessly', () => {
  it.each([
    ['.', 'names no path'],
    ['..', 'leaves the dataset'],
    ['/etc', 'absolute'],
    ['', 'names no path'],
  ])('refuses --ignore %j with a usage error naming the option', async (entry, why) => {
    const dir = fresh();
    writeFileSync(join(dir, 'a'), 'a');
    await expect(createSnapshot(dir, { ignore: [entry] })).rejects.toThrow(
      new RegExp(`--ignore ${JSON.stringify(entry).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .*${why}`),
    );
  });

  it('records an ignore entry in one spelling (./a//b/ is a/b)', async () => {
    const dir = fresh();
    mkdirSync(join(dir, 'a/b'), { recursive: true });
    writeFileSync(join(dir, 'a/b/x'), 'x');
    writeFileSync(join(dir, 'a/y'), 'y');
    const snapshot = await createSnapshot(dir, { ignore: ['./a//b/'] });
    expect(snapshot.ignored).toContain('a/b');
    expect(snapshot.entries.map((e) => e.path)).toEqual(['a/y']);
  });

  it('refuses to write the snapshot of a file over that file, and --ignore for a file', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'data.csv'), 'x\n');
    await expect(
      createSnapshot(join(dir, 'data.csv'), { outputPath: join(dir, 'data.csv') }),
    ).rejects.toThrow(/would overwrite the dataset file/);
    await expect(createSnapshot(join(dir, 'data.csv'), { ignore: ['x'] })).rejects.toThrow(
      /--ignore is for a dataset folder/,
    );
    expect(readFileSync(join(dir, 'data.csv'), 'utf8')).toBe('x\n');
  });
});

describe('run: seeds, metrics and commands', () => {
  it.each([
    ['42', 42],
    ['-5', -5],
    ['0', 0],
    ['007', '007'],
    ['-0', '-0'],
    ['99999999999999999999', '99999999999999999999'],
    ['1e3', '1e3'],
    ['abc', 'abc'],
  ])('records the seed %j as %j, so repro gives the command the same text', (given, recorded) => {
    expect(recordedSeed(given)).toBe(recorded);
    expect(String(recordedSeed(given))).toBe(given);
  });

  it.runIf(posix)('refuses a metrics file that is a FIFO or a device, without hanging', () => {
    const dir = fresh();
    fifo(join(dir, 'metrics.json'));
    const started = Date.now();
    expect(readMetrics(join(dir, 'metrics.json')).problem).toMatch(/not a regular file/);
    expect(readMetrics('/dev/zero').problem).toMatch(/not a regular file/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('keeps __proto__ as a metric, and says when metrics are cut or collide', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'm.json'), '{"__proto__": 1, "constructor": 2, "a": {"b": 3}, "a.b": 4}');
    const read = readMetrics(join(dir, 'm.json'));
    expect(Object.entries(read.metrics)).toEqual([
      ['__proto__', 1],
      ['constructor', 2],
      ['a.b', 4],
    ]);
    expect(read.problem).toMatch(/"a\.b" appears twice/);
    let deep = '1';
    for (let i = 0; i < 40; i++) deep = `{"k": ${deep}}`;
    writeFileSync(join(dir, 'deep.json'), deep);
    expect(readMetrics(join(dir, 'deep.json')).problem).toMatch(/nested deeper than/);
    writeFileSync(
      join(dir, 'many.json'),
      JSON.stringify(Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`m${i}`, i]))),
    );
    const many = readMetrics(join(dir, 'many.json'));
    expect(Object.keys(many.metrics)).toHaveLength(10_000);
    expect(many.problem).toMatch(/more than 10000 metrics/);
  });

  it('records a command Node refuses to start (a NUL byte) as failed instead of throwing', async () => {
    const dir = fresh();
    const record = await recordRun({ command: ['sh\0x'], cwd: dir, python: false, stdio: 'ignore' });
    expect(record.status).toBe('failed');
    expect(record.problems.join('\n')).toMatch(/could not start/);
  });

  it.runIf(posix)(
    'passes a SIGTERM sent to pedigree on to the command, which is recorded as killed',
    async () => {
      const dir = fresh();
      let timer: NodeJS.Timeout | undefined;
      const started = Date.now();
      const record = await recordRun({
        command: ['sleep', '30'],
        cwd: dir,
        python: false,
        stdio: 'ignore',
        onCommandStart: () => {
          // Only the listeners run: the test process itself is not signalled.
          timer = setTimeout(() => process.emit('SIGTERM', 'SIGTERM'), 200);
        },
      });
      clearTimeout(timer);
      expect(record.signal).toBe('SIGTERM');
      expect(record.status).toBe('failed');
      expect(Date.now() - started).toBeLessThan(10_000);
    },
  );
});

describe('environment: secrets and probes', () => {
  it.each(['GH_PAT', 'SENTRY_DSN', 'MYSQL_PWD', 'CI_JOB_JWT', 'GPG_PASSPHRASE', 'HF_TOKEN', 'WANDB_API_KEY'])(
    'treats %s as a credential by its name',
    (name) => expect(isSecretName(name)).toBe(true),
  );

  it.each(['PATH', 'PWD', 'OLDPWD', 'OMP_NUM_THREADS', 'XLA_FLAGS', 'PATCH_LEVEL'])(
    'does not treat %s as a credential',
    (name) => expect(isSecretName(name)).toBe(false),
  );

  it.each([
    'postgres://trainer:hunter2@db.internal:5432/runs',
    '--xla_dump_to=/tmp --token=abc123',
    'api_key: 12345',
    `ghp_${'a'.repeat(36)}`,
    `hf_${'B'.repeat(34)}`,
    `sk-${'c'.repeat(40)}`,
    'AKIAIOSFODNN7EXAMPLE',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig',
  ])('treats the value %j as a credential whatever the variable is called', (value) => {
    expect(isSecretValue(value)).toBe(true);
  });

  it.each([
    '0,1',
    'expandable_segments:True',
    '--xla_gpu_deterministic_ops=true',
    ':4096:8',
    'https://example.com/x',
  ])('records the ordinary value %j', (value) => expect(isSecretValue(value)).toBe(false));

  it('records an allow-listed or requested variable holding a credential by name only', () => {
    const { variables, redacted } = recordVariables(
      {
        XLA_FLAGS: '--xla_gpu_autotune_level=2 --token=s3cr3t',
        DATABASE_URL: 'postgres://u:pw@host/db',
        OMP_NUM_THREADS: '4',
      },
      ['DATABASE_URL'],
    );
    expect(variables).toEqual({ OMP_NUM_THREADS: '4' });
    expect(redacted.sort()).toEqual(['DATABASE_URL', 'XLA_FLAGS']);
  });

  it('checks a huge value in bounded time', () => {
    const started = Date.now();
    expect(isSecretValue('a'.repeat(200_000))).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it.runIf(posix)('ends a probe that ignores SIGTERM at its timeout', () => {
    const dir = fresh();
    const stubborn = join(dir, 'python3');
    writeFileSync(stubborn, "#!/bin/sh\ntrap '' TERM\nsleep 30\n");
    chmodSync(stubborn, 0o755);
    const started = Date.now();
    const found = probePython(stubborn, 500);
    expect(found.python).toBeUndefined();
    expect(found.problem).toBeDefined();
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it.runIf(posix)('reports an interpreter that answers garbage or null', () => {
    const dir = fresh();
    const liar = join(dir, 'python3');
    writeFileSync(liar, '#!/bin/sh\necho null\n');
    chmodSync(liar, 0o755);
    expect(probePython(liar).problem).toMatch(/unreadable answer/);
  });
});

describe.runIf(posix)('code state read with git', () => {
  it("never runs the repository's core.fsmonitor program", () => {
    const dir = fresh('repo');
    git(dir, 'init', '-q');
    writeFileSync(join(dir, 'f'), 'x');
    git(dir, 'add', 'f');
    git(dir, 'commit', '-qm', 'i');
    const marker = join(dir, '..', `fsmonitor-ran-${counter}`);
    git(dir, 'config', 'core.fsmonitor', `touch '${marker}'; false`);
    writeFileSync(join(dir, 'f'), 'y');
    const state = readCodeState(dir);
    expect(state?.dirty).toBe(true);
    expect(existsSync(marker)).toBe(false);
  });

  it('hashes many untracked files in a few processes, as git hash-object does one by one', () => {
    const dir = fresh('repo');
    git(dir, 'init', '-q');
    writeFileSync(join(dir, 'f'), 'x');
    git(dir, 'add', 'f');
    git(dir, 'commit', '-qm', 'i');
    mkdirSync(join(dir, 'u'));
    for (let i = 0; i < 1_500; i++) writeFileSync(join(dir, 'u', `${i}`), `${i}\n`);
    // Names git's --stdin-paths would read otherwise: a newline, a leading quote.
    writeFileSync(join(dir, 'new\nline'), 'n');
    writeFileSync(join(dir, '"quoted"'), 'q');
    const started = Date.now();
    const state = readCodeState(dir);
    const elapsed = Date.now() - started;
    expect(state?.untrackedCount).toBe(1_502);
    expect(state?.problems).toEqual([]);
    // The digest over names and git blob ids (`blob <size>\0<content>`), computed here file by file.
    const names = execFileSync('git', ['ls-files', '--others', '--exclude-standard', '-z'], { cwd: dir })
      .toString('utf8')
      .split('\0')
      .filter(Boolean)
      .sort();
    const hash = createHash('sha256');
    for (const name of names) {
      const content = readFileSync(join(dir, name));
      const id = createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
      hash.update(`${name}\0${id}\n`);
    }
    expect(state?.untrackedSha256).toBe(hash.digest('hex'));
    expect(elapsed).toBeLessThan(20_000);
  });
});

/** A pedigree training-run statement with the given parameters (only what the code under test reads). */
function statement(over: {
  command?: string[];
  outputs?: string[];
  workingDirectory?: string;
  environment?: Record<string, string>;
  seed?: string | number;
  inputs?: string[];
  invocationId?: string;
  interpreter?: string;
}): ProvenanceStatement {
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [],
    predicateType: SLSA_PROVENANCE_V1,
    predicate: {
      buildDefinition: {
        buildType: TRAINING_RUN_BUILD_TYPE,
        externalParameters: {
          command: over.command ?? ['true'],
          workingDirectory: over.workingDirectory ?? '.',
          ...(over.seed !== undefined ? { seed: over.seed } : {}),
          inputs: over.inputs ?? [],
          outputs: over.outputs ?? [],
          environment: over.environment ?? {},
        },
        resolvedDependencies: over.interpreter
          ? [
              {
                name: 'python',
                uri: `file:${over.interpreter}`,
                annotations: { kind: 'interpreter', version: '3.0' },
              },
            ]
          : [],
      },
      runDetails: {
        builder: { id: 'https://pedigree.dev/builders/pedigree-run' },
        metadata: {
          invocationId: over.invocationId ?? '00000000-0000-4000-8000-000000000000',
          startedOn: '2025-01-01T00:00:00.000Z',
          finishedOn: '2025-01-01T00:00:01.000Z',
        },
        byproducts: [
          { name: 'pedigree.run', annotations: { status: 'succeeded', exitCode: 0, signal: null } },
        ],
      },
    },
  };
}

describe('records that cannot have come from pedigree run', () => {
  it.each([
    [{ command: ['sh\0x'] }, /command\[0\]: contains a NUL character/],
    [{ environment: { 'A=B': 'x' } }, /environment\.A=B: Invalid key/],
    [{ environment: { XLA_FLAGS: 'a\0b' } }, /environment\.XLA_FLAGS: contains a NUL character/],
    [{ seed: 'two words' }, /seed: not one word/],
    [{ seed: 'x'.repeat(300) }, /seed: not one word/],
  ])('refuses %j, naming the field', (over, message) => {
    const json = JSON.parse(JSON.stringify(statement(over as Parameters<typeof statement>[0])));
    expect(() => parseProvenance(json, 'r.json')).toThrow(message);
  });
});

describe('lineage from conflicting copies of one run', () => {
  it('describes the run from the copy whose signature verified, not the unsigned one first by name', () => {
    const forged: LineageRecord = {
      file: 'a.provenance.json',
      statement: statement({ command: ['forged'] }),
      signed: false,
    };
    const genuine: LineageRecord = {
      file: 'b.provenance.sigstore.json',
      statement: statement({ command: ['genuine'] }),
      signed: true,
      signature: { ok: true, signer: 'me' },
    };
    const graph = buildLineage([forged, genuine], []);
    const run = graph.nodes.find((n) => n.kind === 'run');
    expect(run?.kind === 'run' && run.command).toEqual(['genuine']);
    expect(graph.problems.map((p) => p.message).join('\n')).toMatch(
      /also recorded in b\.provenance\.sigstore\.json with other content; b\.provenance\.sigstore\.json is used \(its signature verified\)/,
    );
  });

  it.runIf(posix)('refuses a FIFO given as the folder or record to read', () => {
    const dir = fresh();
    fifo(join(dir, 'x.provenance.json'));
    expect(() => findLineageFiles(join(dir, 'x.provenance.json'))).toThrow(/not a folder or a record file/);
  });
});

/** A git repository with outputs from an earlier run in place. */
function repo(): string {
  const dir = fresh('repro');
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data/a.csv'), 'x\n1\n');
  writeFileSync(join(dir, '.gitignore'), 'model/\n.pedigree/\nout/\n');
  git(dir, 'init', '-q');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'i');
  mkdirSync(join(dir, 'model'));
  writeFileSync(join(dir, 'model/w'), 'mine');
  return dir;
}

describe.runIf(posix)('repro never moves what is not the run folder', () => {
  it('refuses an output reached through a symbolic link out of the folder, and moves nothing', async () => {
    const dir = repo();
    const outside = fresh('outside');
    writeFileSync(join(outside, 'keep'), 'precious');
    symlinkSync(outside, join(dir, 'lnk'));
    await expect(
      reproduceRun({
        statement: statement({ outputs: ['lnk/keep'] }),
        cwd: dir,
        stdio: 'ignore',
        python: false,
      }),
    ).rejects.toThrow(/reached through the symbolic link "lnk"/);
    expect(readFileSync(join(outside, 'keep'), 'utf8')).toBe('precious');
  });

  it('refuses to set .git aside', async () => {
    const dir = repo();
    await expect(
      reproduceRun({ statement: statement({ outputs: ['.git'] }), cwd: dir, stdio: 'ignore', python: false }),
    ).rejects.toThrow(/git's own data/);
    await expect(
      reproduceRun({
        statement: statement({ outputs: ['sub/.git/x'] }),
        cwd: dir,
        stdio: 'ignore',
        python: false,
      }),
    ).rejects.toThrow(/git's own data/);
    expect(existsSync(join(dir, '.git/HEAD'))).toBe(true);
  });

  it('refuses a .pedigree that is a link elsewhere, and never writes through a planted .gitignore link', async () => {
    const dir = repo();
    const elsewhere = fresh('elsewhere');
    symlinkSync(elsewhere, join(dir, '.pedigree'));
    await expect(
      reproduceRun({
        statement: statement({ outputs: ['model'] }),
        cwd: dir,
        stdio: 'ignore',
        python: false,
      }),
    ).rejects.toThrow(/\.pedigree is a symbolic link/);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(readFileSync(join(dir, 'model/w'), 'utf8')).toBe('mine');

    const other = repo();
    mkdirSync(join(other, '.pedigree/repro'), { recursive: true });
    const target = join(fresh('target'), 'created-through-link');
    symlinkSync(target, join(other, '.pedigree/repro/.gitignore'));
    const result = await reproduceRun({
      statement: statement({ outputs: ['model'] }),
      cwd: other,
      stdio: 'ignore',
      python: false,
    });
    expect(existsSync(target)).toBe(false);
    expect(result.workspace.problems).toEqual([]);
    expect(readFileSync(join(other, 'model/w'), 'utf8')).toBe('mine');
  });

  it('refuses a working directory that is a link out of the repository', () => {
    const dir = repo();
    const outside = fresh('outside');
    symlinkSync(outside, join(dir, 'away'));
    expect(() => resolveRunDirectory(statement({ workingDirectory: 'away' }), dir)).toThrow(
      /outside the repository \(a symbolic link\)/,
    );
    expect(resolveRunDirectory(statement({ workingDirectory: 'data' }), dir)).toBe(join(dir, 'data'));
  });

  it('puts the outputs back when pedigree is signalled before the command starts, then lets the signal end it', async () => {
    const dir = repo();
    const listeners = process.listenerCount('SIGTERM');
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const seen: { model?: string; signal?: unknown } = {};
    kill.mockImplementation((_pid, signal) => {
      seen.signal = signal;
      seen.model = existsSync(join(dir, 'model/w')) ? readFileSync(join(dir, 'model/w'), 'utf8') : undefined;
      return true;
    });
    try {
      // An input large enough to be hashed on worker threads: the re-run waits on them before the command.
      mkdirSync(join(dir, 'big'));
      execFileSync('truncate', ['-s', `${65 * 1024 * 1024}`, join(dir, 'big/zeros')]);
      appendFileSync(join(dir, '.git/info/exclude'), 'big/\n');
      const record = statement({
        inputs: ['big'],
        outputs: ['model'],
        command: ['sh', '-c', 'mkdir -p model && echo rerun > model/w'],
      });
      const parity = { matches: true, differences: [], notes: [] };
      // Fires while the re-run waits for the input's hash, after the outputs were set aside.
      setImmediate(() => process.emit('SIGTERM', 'SIGTERM'));
      const result = await reproduceRun({
        statement: record,
        cwd: dir,
        stdio: 'ignore',
        python: false,
        parity,
      });
      expect(seen.signal).toBe('SIGTERM');
      expect(seen.model).toBe('mine');
      expect(result.workspace.folder).toBeDefined();
      expect(existsSync(join(result.workspace.folder as string, RESTORE_NOTE))).toBe(false);
    } finally {
      kill.mockRestore();
    }
    expect(process.listenerCount('SIGTERM')).toBe(listeners);
  });

  it('leaves a note saying how to put the outputs back while they are set aside, removed once they are', async () => {
    const dir = repo();
    const record = statement({
      outputs: ['model'],
      command: ['sh', '-c', 'mkdir -p model && cat .pedigree/repro/*/RESTORE.txt > model/note'],
    });
    const result = await reproduceRun({ statement: record, cwd: dir, stdio: 'ignore', python: false });
    const folder = result.workspace.folder as string;
    const note = readFileSync(join(folder, 'outputs/model/note'), 'utf8');
    expect(note).toContain(
      `mv ${JSON.stringify(join(folder, 'previous', 'model'))} ${JSON.stringify(join(dir, 'model'))}`,
    );
    expect(existsSync(join(folder, RESTORE_NOTE))).toBe(false);
    expect(readFileSync(join(dir, 'model/w'), 'utf8')).toBe('mine');
    expect(lstatSync(join(folder, 'previous')).isDirectory()).toBe(true);
  });
});

describe.runIf(posix)('repro --dry-run runs nothing a record names', () => {
  it('does not run an "interpreter" that is not one, and says so', async () => {
    const dir = repo();
    const marker = join(dir, '..', `interpreter-ran-${counter}`);
    const evil = join(fresh('bin'), 'evil');
    writeFileSync(evil, `#!/bin/sh\ntouch '${marker}'\n`);
    chmodSync(evil, 0o755);
    const parity = await checkParity(statement({ interpreter: evil }), { cwd: dir });
    expect(existsSync(marker)).toBe(false);
    expect(parity.notes.join('\n')).toMatch(/is not run \(its name is not a Python interpreter's\)/);
  });

  it('does not count the record itself, copied into the repository, as an untracked file', async () => {
    const dir = repo();
    const record = await recordRun({ command: ['true'], cwd: dir, python: false, stdio: 'ignore' });
    const file = join(dir, 'run.provenance.json');
    writeFileSync(file, JSON.stringify(record.statement));
    const parsed = parseLineageRecord(readFileSync(file, 'utf8'), file).statement;
    const without = await checkParity(parsed, { cwd: dir, python: false, recordFile: file });
    expect(without.differences.filter((d) => d.category === 'code')).toEqual([]);
    const counted = await checkParity(parsed, { cwd: dir, python: false });
    expect(counted.differences.some((d) => d.name === 'untracked files')).toBe(true);
  });
});

describe('repro tolerance patterns from a pedigree.yaml someone else wrote', () => {
  it('matches a pattern made to backtrack against a long metric name at once', () => {
    const started = performance.now();
    const tolerance = toleranceFor('a'.repeat(100_000), {
      metrics: { '*a*a*a*a*a*a*a*a*a*b': { absolute: 1 } },
      tolerance: { absolute: 0 },
    });
    expect(tolerance).toEqual({ absolute: 0 });
    // Before: a regular expression that did not finish in two minutes for a 200-character name.
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('agrees with `*` as "any characters" on any pattern and name', () => {
    const text = fc
      .array(fc.constantFrom('a', 'b', '.', '*', '\n', '😀'), { maxLength: 8 })
      .map((a) => a.join(''));
    const name = fc
      .array(fc.constantFrom('a', 'b', '.', '\n', '😀'), { maxLength: 10 })
      .map((a) => a.join(''));
    fc.assert(
      fc.property(text, name, (pattern, n) => {
        const source = pattern
          .split('*')
          .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*');
        return patternMatches(pattern, n) === new RegExp(`^${source}$`, 's').test(n);
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('repro --dry-run reads only what the run folder holds', () => {
  it('does not hash an input a record names by an absolute path', async () => {
    const dir = fresh();
    const record = statement({});
    const withInput: ProvenanceStatement = {
      ...record,
      predicate: {
        ...record.predicate,
        buildDefinition: {
          ...record.predicate.buildDefinition,
          resolvedDependencies: [
            { name: '/', digest: { sha256: 'a'.repeat(64) }, annotations: { kind: 'dataset' } },
          ],
        },
      },
    };
    const started = Date.now();
    const parity = await checkParity(withInput, { cwd: dir, python: false });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(parity.notes.join('\n')).toMatch(/input "\/" is recorded as an absolute path: not read/);
  });
});
