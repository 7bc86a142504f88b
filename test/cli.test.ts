import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../src/cli/io.js';
import { runCli } from '../src/cli/main.js';
import { OP } from '../src/formats/pickle/opcodes.js';
import { pickle } from '../src/formats/pickle/test-support/builder.js';

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], tty = false): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    version: '0.0.0-test',
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    stderrStream: {
      write: (s: string) => {
        stderr += s;
        return true;
      },
    } as unknown as NodeJS.WritableStream,
    stdoutIsTTY: tty,
    stderrIsTTY: tty,
    noColor: false,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

const malicious = pickle()
  .proto(2)
  .global('posix', 'system')
  .unicode('id')
  .op(OP.TUPLE1)
  .op(OP.REDUCE)
  .stop()
  .build();
const unknownOnly = pickle()
  .proto(2)
  .global('mypkg.models', 'Net')
  .op(OP.EMPTY_TUPLE)
  .op(OP.REDUCE)
  .stop()
  .build();
const benign = pickle()
  .proto(2)
  .global('collections', 'OrderedDict')
  .op(OP.EMPTY_TUPLE)
  .op(OP.REDUCE)
  .stop()
  .build();

let root: string;
let clean: string;
let bad: string;
let unknown: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'pedigree-cli-'));
  clean = join(root, 'clean');
  bad = join(root, 'bad');
  unknown = join(root, 'unknown');
  for (const d of [clean, bad, unknown]) mkdirSync(d, { recursive: true });
  writeFileSync(join(clean, 'model.pkl'), benign);
  writeFileSync(join(clean, 'README.md'), '# a model\n');
  mkdirSync(join(bad, 'sub'));
  writeFileSync(join(bad, 'sub', 'weights.bin'), malicious);
  writeFileSync(join(bad, 'ok.pkl'), benign);
  writeFileSync(join(unknown, 'model.pkl'), unknownOnly);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('pedigree scan', () => {
  it('exits 0 on a clean folder and prints a PASS summary', async () => {
    const r = await run(['scan', clean]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASS 2 file\(s\) scanned/m);
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('exits 1 when a finding reaches the threshold, naming the file relative to the root', async () => {
    const r = await run(['scan', bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('sub/weights.bin');
    expect(r.stdout).toContain("posix.system('id')");
  });

  it('honours --fail-on', async () => {
    expect((await run(['scan', unknown])).code).toBe(0);
    expect((await run(['scan', unknown, '--fail-on', 'medium'])).code).toBe(1);
    expect((await run(['scan', bad, '--fail-on', 'none'])).code).toBe(0);
  });

  it('writes JSON with relative POSIX paths and no timestamps, identical across runs', async () => {
    const a = await run(['scan', bad, '--format', 'json']);
    const b = await run(['scan', bad, '--format', 'json']);
    expect(a.stdout).toBe(b.stdout);
    const report = JSON.parse(a.stdout) as {
      root: string;
      artifacts: { path: string; sha256: string }[];
      findings: { ruleId: string; location: { path: string; offset: number } }[];
    };
    expect(report.artifacts.map((x) => x.path)).toEqual(['ok.pkl', 'sub/weights.bin']);
    expect(report.artifacts[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.findings[0]?.ruleId).toBe('PICKLE-IMPORT-DANGEROUS');
    expect(report.findings[0]?.location).toEqual({ path: 'sub/weights.bin', offset: 2 });
    expect(a.stdout).not.toMatch(/20\d\d-\d\d-\d\dT/);
  });

  it('writes the report to --output and renders SARIF and Markdown', async () => {
    const out = join(root, 'report.sarif');
    const r = await run(['scan', bad, '--format', 'sarif', '--output', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).version).toBe('2.1.0');
    const md = await run(['scan', bad, '--format', 'markdown']);
    expect(md.stdout).toContain('## pedigree scan');
  });

  it('reads pedigree.yaml from the scanned folder: allowlist and threshold', async () => {
    const dir = join(root, 'configured');
    mkdirSync(dir);
    writeFileSync(join(dir, 'model.pkl'), unknownOnly);
    writeFileSync(join(dir, 'pedigree.yaml'), 'failOn: medium\npickle:\n  allow:\n    - mypkg.models.Net\n');
    const r = await run(['scan', dir, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).findings).toEqual([]);
  });

  it('exits 2 with a one-line message for a bad configuration', async () => {
    const cfg = join(root, 'bad.yaml');
    writeFileSync(cfg, 'failOn: high\nunknownKey: 1\n');
    const r = await run(['scan', clean, '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknownKey/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 for a path that does not exist and for bad arguments', async () => {
    const missing = await run(['scan', join(root, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope/);
    expect((await run(['scan', clean, '--format', 'xml'])).code).toBe(2);
    expect((await run(['scan', clean, '--fail-on', 'severe'])).code).toBe(2);
    expect((await run(['scan'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
  });

  it('--quiet prints only the verdict line; --exclude leaves paths out', async () => {
    const q = await run(['scan', bad, '--quiet']);
    expect(q.code).toBe(1);
    expect(q.stdout).toBe('');
    expect(q.stderr.trim()).toMatch(/FAIL/);
    const ex = await run(['scan', bad, '--exclude', 'sub/**']);
    expect(ex.code).toBe(0);
  });

  it('draws progress on stderr only when it is a terminal', async () => {
    const tty = await run(['scan', bad, '--format', 'json'], true);
    expect(tty.stderr).toContain('\r');
    const pipe = await run(['scan', bad, '--format', 'json'], false);
    expect(pipe.stderr).toBe('');
  });

  it('prints help and version with exit 0', async () => {
    expect((await run(['--version'])).code).toBe(0);
    const help = await run(['scan', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--fail-on');
  });
});
