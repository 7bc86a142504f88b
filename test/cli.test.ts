import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OP } from '../src/formats/pickle/opcodes.js';
import { pickle } from '../src/formats/pickle/test-support/builder.js';
import { run } from './cli-support.js';

interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  evidence: string;
  location: { path: string };
}

interface JsonReport {
  summary: { notAnalysed: number };
  artifacts: { path: string }[];
  findings: JsonFinding[];
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

  it('reads pedigree.yaml from the scanned folder: allowlist and threshold applied, and reported', async () => {
    const dir = join(root, 'configured');
    mkdirSync(dir);
    writeFileSync(join(dir, 'model.pkl'), unknownOnly);
    writeFileSync(join(dir, 'pedigree.yaml'), 'failOn: medium\npickle:\n  allow:\n    - mypkg.models.Net\n');
    const r = await run(['scan', dir, '--format', 'json']);
    const report = JSON.parse(r.stdout) as JsonReport;
    // The allow entry lifted the unknown import, and the stricter threshold was honoured, so the SCAN-CONFIG
    // finding (medium: it extends the allowlist) fails the scan.
    expect(report.findings.map((f) => f.ruleId)).toEqual(['SCAN-CONFIG']);
    expect(r.code).toBe(1);
    // Given with --config, the same file is the user's own: applied silently, as before.
    const explicit = await run(['scan', dir, '--format', 'json', '--config', join(dir, 'pedigree.yaml')]);
    expect(explicit.code).toBe(0);
    expect(JSON.parse(explicit.stdout).findings).toEqual([]);
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

describe('pedigree scan: configuration found in the scanned folder (SCAN-CONFIG)', () => {
  let n = 0;
  /** A fresh folder holding `files` (path -> content), built under the test root. */
  function repo(files: Record<string, string | Uint8Array>): string {
    const dir = join(root, `repo-${n++}`);
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), content);
    }
    return dir;
  }
  async function scanJson(argv: string[]): Promise<{ code: number; report: JsonReport; stderr: string }> {
    const r = await run(['scan', ...argv, '--format', 'json']);
    return { code: r.code, report: JSON.parse(r.stdout) as JsonReport, stderr: r.stderr };
  }
  const configFindings = (report: JsonReport) => report.findings.filter((f) => f.ruleId === 'SCAN-CONFIG');

  it('excludes hide nothing silently: the excluded file is named in the finding and counted as not analysed', async () => {
    const dir = repo({
      'pedigree.yaml': 'exclude: ["**/*.bin"]\n',
      'sub/weights.bin': malicious,
      'ok.pkl': benign,
    });
    const { code, report } = await scanJson([dir]);
    expect(report.artifacts.map((a) => a.path)).toEqual(['ok.pkl', 'pedigree.yaml']);
    const [finding, ...others] = configFindings(report);
    expect(others).toEqual([]);
    expect(finding).toMatchObject({ severity: 'high', location: { path: 'pedigree.yaml' } });
    expect(finding?.message).toContain('sub/weights.bin');
    expect(finding?.evidence).toContain('exclude: **/*.bin (1 path)');
    expect(finding?.evidence).toContain('excluded (1): sub/weights.bin');
    expect(report.summary.notAnalysed).toBe(1);
    expect(code).toBe(1); // a found config that hides files fails the default threshold

    const text = await run(['scan', dir]);
    expect(text.stdout).toContain('SCAN-CONFIG');
    expect(text.stdout).toContain('sub/weights.bin');
    expect(text.stdout).toMatch(/1 not fully analysed/);
  });

  it('lists at most 50 excluded paths in the evidence, and counts all of them', async () => {
    const files: Record<string, string> = { 'pedigree.yaml': 'exclude: ["data/**"]\n' };
    for (let i = 0; i < 60; i++) files[`data/f${String(i).padStart(2, '0')}.txt`] = 'x';
    const { report } = await scanJson([repo(files)]);
    const finding = configFindings(report)[0];
    expect(finding?.evidence).toContain('excluded (60): data/f00.txt,');
    expect(finding?.evidence).toContain('data/f49.txt, … and 10 more');
    expect(finding?.evidence).not.toContain('data/f50.txt');
    expect(report.summary.notAnalysed).toBe(60);
  });

  it('still reports links leaving the folder under excluded paths', async () => {
    const dir = repo({ 'pedigree.yaml': 'exclude: ["data/**"]\n', 'data/a.txt': 'x' });
    symlinkSync(tmpdir(), join(dir, 'data', 'escape'));
    const { report } = await scanJson([dir]);
    expect(report.findings.map((f) => [f.ruleId, f.location.path])).toContainEqual([
      'SCAN-SYMLINK-OUTSIDE-ROOT',
      'data/escape',
    ]);
  });

  it('is low when it hides nothing: excludes matching no file, a stricter threshold', async () => {
    const dir = repo({
      'pedigree.yml': 'failOn: medium\nexclude: ["nothing/**"]\n',
      'model.pkl': unknownOnly,
    });
    const { code, report } = await scanJson([dir]);
    const finding = configFindings(report)[0];
    expect(finding).toMatchObject({ severity: 'low', location: { path: 'pedigree.yml' } });
    expect(finding?.evidence).toContain('failOn: medium (honoured');
    expect(finding?.evidence).toContain('exclude: nothing/** (0 paths)');
    // The stricter threshold is honoured: the unknown import (medium) now fails the scan.
    expect(code).toBe(1);
    expect((await run(['scan', dir, '--no-config'])).code).toBe(0);
  });

  it('ignores and reports a threshold looser than the default (failOn: none)', async () => {
    const dir = repo({ '.pedigree.yaml': 'failOn: none\n', 'weights.bin': malicious });
    const { code, report } = await scanJson([dir]);
    expect(code).toBe(1);
    const finding = configFindings(report)[0];
    expect(finding).toMatchObject({ severity: 'medium', location: { path: '.pedigree.yaml' } });
    expect(finding?.evidence).toContain('failOn: none (ignored: looser than high)');
    const text = await run(['scan', dir]);
    expect(text.stdout).toMatch(/^FAIL .*threshold high$/m);
  });

  it('never lowers the threshold given on the command line; --fail-on wins over a stricter file', async () => {
    const loose = repo({ 'pedigree.yaml': 'failOn: critical\n', 'model.pkl': unknownOnly });
    const r1 = await scanJson([loose, '--fail-on', 'medium']);
    expect(r1.code).toBe(1);
    expect(configFindings(r1.report)[0]).toMatchObject({ severity: 'medium' });
    expect(configFindings(r1.report)[0]?.evidence).toContain(
      'failOn: critical (ignored: looser than medium)',
    );

    const strict = repo({ 'pedigree.yaml': 'failOn: info\n', 'model.pkl': unknownOnly });
    const r2 = await scanJson([strict, '--fail-on', 'high']);
    expect(r2.code).toBe(0);
    expect(configFindings(r2.report)[0]).toMatchObject({ severity: 'low' });
    expect(configFindings(r2.report)[0]?.evidence).toContain('failOn: info (ignored: --fail-on high given)');
  });

  it('reports allowlist entries it adds', async () => {
    const dir = repo({
      'pedigree.yaml': 'pickle:\n  allow: [mypkg.models.Net, evil.*]\n',
      'model.pkl': unknownOnly,
    });
    const { report } = await scanJson([dir]);
    expect(report.findings.map((f) => f.ruleId)).toEqual(['SCAN-CONFIG']);
    const finding = configFindings(report)[0];
    expect(finding?.severity).toBe('medium');
    expect(finding?.message).toContain('mypkg.models.Net, evil.*');
    expect(finding?.evidence).toContain('pickle.allow (2): mypkg.models.Net, evil.*');
  });

  it('--no-config ignores the file: nothing excluded, allowed or loosened, and no SCAN-CONFIG', async () => {
    const dir = repo({
      'pedigree.yaml': 'failOn: none\nexclude: ["**/*.bin"]\npickle:\n  allow: [posix.system]\n',
      'sub/weights.bin': malicious,
    });
    const { code, report } = await scanJson([dir, '--no-config']);
    expect(code).toBe(1);
    expect(configFindings(report)).toEqual([]);
    expect(report.artifacts.map((a) => a.path)).toContain('sub/weights.bin');
    expect(report.findings.map((f) => f.ruleId)).toContain('PICKLE-IMPORT-DANGEROUS');
    // --no-config also gets past a found file that does not parse (which is otherwise exit 2).
    const broken = repo({ 'pedigree.yaml': 'bogus: 1\n', 'ok.pkl': benign });
    const bad = await run(['scan', broken]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bogus.*--no-config/);
    expect((await run(['scan', broken, '--no-config'])).code).toBe(0);
  });

  it('a file given with --config still applies silently, as before', async () => {
    const dir = repo({ 'sub/weights.bin': malicious, 'ok.pkl': benign });
    const cfg = join(root, `explicit-${n++}.yaml`);
    writeFileSync(cfg, 'failOn: none\nexclude: ["**/*.bin"]\n');
    const { code, report } = await scanJson([dir, '--config', cfg]);
    expect(code).toBe(0);
    expect(report.findings).toEqual([]);
    expect(report.artifacts.map((a) => a.path)).toEqual(['ok.pkl']);
    expect(report.summary.notAnalysed).toBe(0);
    // An explicit --config is used instead of the file in the folder, which is then not reported either.
    writeFileSync(join(dir, 'pedigree.yaml'), 'pickle:\n  allow: [evil.*]\n');
    const both = await scanJson([dir, '--config', cfg]);
    expect(configFindings(both.report)).toEqual([]);
    expect(both.code).toBe(0);
  });
});

describe('scan with dependencies', () => {
  it('audits the manifests of a scanned folder along with its models, unless --no-deps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pedigree-scan-deps-'));
    writeFileSync(join(dir, 'requirements.txt'), 'PyYAML==5.1\n');
    writeFileSync(join(dir, 'model.pkl'), malicious);
    const store = mkdtempSync(join(tmpdir(), 'pedigree-scan-deps-store-'));
    const out = await run(['scan', dir, '--format', 'json', '--db-dir', store]);
    const report = JSON.parse(out.stdout) as JsonReport & {
      dependencies?: { summary: { vulnerabilities: number } };
    };
    expect(report.findings.map((f) => f.ruleId)).toEqual(
      expect.arrayContaining(['PICKLE-IMPORT-DANGEROUS', 'DEP-VULN', 'DEP-DB-STALE']),
    );
    expect(report.dependencies?.summary.vulnerabilities).toBe(3);
    expect(report.artifacts.filter((a) => a.path === 'requirements.txt')).toHaveLength(1);
    const without = JSON.parse(
      (await run(['scan', dir, '--format', 'json', '--no-deps'])).stdout,
    ) as JsonReport;
    expect(without.findings.some((f) => f.ruleId.startsWith('DEP-'))).toBe(false);
    // The `deps:` policy of the configuration applies to the scan's audit too.
    const config = join(store, 'policy.yaml');
    writeFileSync(
      config,
      'deps:\n  ignore:\n    - { id: CVE-2020-14343, reason: loader not used, owner: sec, expires: 2999-01-01 }\n',
    );
    const ignored = JSON.parse(
      (await run(['scan', dir, '--format', 'json', '--db-dir', store, '--config', config])).stdout,
    ) as JsonReport;
    expect(ignored.findings.filter((f) => f.ruleId === 'DEP-VULN')).toHaveLength(2);
    // `${VAR}` in a requirements file expands from the environment, as in `pedigree deps`.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: pip's ${VAR} syntax, written literally
    writeFileSync(join(dir, 'requirements.txt'), 'PyYAML==${PEDIGREE_TEST_PYYAML}\n');
    process.env.PEDIGREE_TEST_PYYAML = '5.1';
    try {
      const expanded = JSON.parse(
        (await run(['scan', dir, '--format', 'json', '--db-dir', store])).stdout,
      ) as {
        dependencies?: { summary: { vulnerabilities: number } };
      };
      expect(expanded.dependencies?.summary.vulnerabilities).toBe(3);
    } finally {
      delete process.env.PEDIGREE_TEST_PYYAML;
    }
    // A model file given by name is not audited as a manifest.
    const single = JSON.parse(
      (await run(['scan', join(dir, 'model.pkl'), '--format', 'json'])).stdout,
    ) as JsonReport;
    expect(single.findings.some((f) => f.ruleId.startsWith('DEP-'))).toBe(false);
  });
});
