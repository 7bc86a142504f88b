import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './cli-support.js';

interface CheckJson {
  findings: {
    ruleId: string;
    severity: string;
    message: string;
    evidence: string;
    location: { path: string; line?: number };
  }[];
  dependencies: {
    files: { path: string; format: string; packages: number }[];
    baseline: {
      file: string;
      digest: string;
      approval: { approver?: string; note?: string; approvedAt?: string };
      critical: 'all' | string[];
      unmatchedCritical: string[];
      summary: {
        approved: number;
        current: number;
        unchanged: number;
        changes: Record<string, number>;
        critical: number;
      };
    };
  };
}

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pedigree-baseline-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const requirements = (demo: string, hash: string, requests: string) =>
  `# app\nDemo_Lib==${demo} --hash=sha256:${hash}\nrequests==${requests}\n`;

async function checkJson(root: string, ...extra: string[]): Promise<{ code: number; report: CheckJson }> {
  const out = await run(['deps', 'check', root, '-f', 'json', ...extra]);
  expect(out.stderr).toBe('');
  return { code: out.code, report: JSON.parse(out.stdout) as CheckJson };
}

describe('pedigree deps approve / check', () => {
  it('gates changes of critical packages from approval to re-approval', async () => {
    const root = project({
      'requirements.txt': requirements('2.0.0', HASH_A, '2.31.0'),
      'pedigree.yaml': 'deps:\n  baseline:\n    critical: [demo-lib]\n',
    });
    const baselineFile = join(root, 'pedigree-baseline.json');
    const write = (text: string) => writeFileSync(join(root, 'requirements.txt'), text);

    const approved = await run(['deps', 'approve', root, '--approver', 'alice', '--note', 'initial']);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain('approved 2 packages from requirements.txt');
    const first = readFileSync(baselineFile, 'utf8');
    expect(JSON.parse(first)).toMatchObject({
      format: 'pedigree-deps-baseline',
      version: 1,
      approval: { approver: 'alice', note: 'initial' },
      packages: [
        {
          ecosystem: 'PyPI',
          name: 'demo-lib',
          file: 'requirements.txt',
          version: '2.0.0',
          hashes: [`sha256:${HASH_A}`],
        },
        { name: 'requests', version: '2.31.0', hashes: [] },
      ],
    });

    // Unchanged: clean, and re-approving writes the same bytes.
    const clean = await checkJson(root);
    expect(clean.code).toBe(0);
    expect(clean.report.findings).toEqual([]);
    expect(clean.report.dependencies.baseline).toMatchObject({
      file: expect.stringMatching(/pedigree-baseline\.json$/),
      critical: ['demo-lib'],
      summary: { approved: 2, current: 2, unchanged: 2, critical: 0 },
    });
    const again = await run(['deps', 'approve', root, '--approver', 'alice', '--note', 'initial']);
    expect(again.stdout).toContain('is up to date');
    expect(readFileSync(baselineFile, 'utf8')).toBe(first);

    // A critical version bump fails, naming old → new at the line.
    write(requirements('2.0.1', HASH_A, '2.31.0'));
    const bumped = await checkJson(root);
    expect(bumped.code).toBe(1);
    expect(bumped.report.findings).toEqual([
      expect.objectContaining({
        ruleId: 'DEP-BASELINE-VERSION',
        severity: 'high',
        location: { path: 'requirements.txt', line: 2 },
        message: expect.stringContaining('Demo_Lib (PyPI) in requirements.txt line 2: version 2.0.0 → 2.0.1'),
      }),
    ]);
    const text = await run(['deps', 'check', root]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('critical: demo-lib (from');
    expect(text.stdout).toContain('version 2.0.0 → 2.0.1');

    // Same version, other hash: fails, naming the hashes.
    write(requirements('2.0.0', HASH_B, '2.31.0'));
    const rehashed = await checkJson(root);
    expect(rehashed.code).toBe(1);
    expect(rehashed.report.findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ['DEP-BASELINE-HASH', 'high'],
    ]);
    expect(rehashed.report.findings[0]?.message).toContain(
      `added sha256:${HASH_B}; removed sha256:${HASH_A}`,
    );

    // A non-critical change is reported for information only.
    write(requirements('2.0.0', HASH_A, '2.32.0'));
    const minor = await checkJson(root);
    expect(minor.code).toBe(0);
    expect(minor.report.findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ['DEP-BASELINE-VERSION', 'info'],
    ]);
    expect(minor.report.findings[0]?.message).toContain('version 2.31.0 → 2.32.0');
    expect((await checkJson(root, '--fail-on', 'info')).code).toBe(1);

    // Approving the change makes the check clean again and says what the approval changed.
    const reapproved = await run(['deps', 'approve', root, '--approver', 'alice']);
    expect(reapproved.code).toBe(0);
    expect(reapproved.stdout).toContain('since the previous approval: 1 version');
    expect(readFileSync(baselineFile, 'utf8')).not.toBe(first);
    const after = await checkJson(root);
    expect(after.code).toBe(0);
    expect(after.report.findings).toEqual([]);
  });

  it('treats every package as critical when the policy lists none, and reports additions and removals', async () => {
    const root = project({ 'requirements.txt': requirements('2.0.0', HASH_A, '2.31.0') });
    expect((await run(['deps', 'approve', root, '--approver', 'alice'])).code).toBe(0);
    writeFileSync(join(root, 'requirements.txt'), `Demo_Lib==2.0.0 --hash=sha256:${HASH_A}\nnumpy==2.0.0\n`);
    const { code, report } = await checkJson(root);
    expect(code).toBe(1);
    expect(report.dependencies.baseline.critical).toBe('all');
    expect(report.findings.map((f) => [f.ruleId, f.severity, f.location])).toEqual([
      ['DEP-BASELINE-REMOVED', 'high', { path: 'requirements.txt' }],
      ['DEP-BASELINE-ADDED', 'high', { path: 'requirements.txt', line: 2 }],
    ]);
    expect(report.findings[0]?.message).toBe(
      'requests 2.31.0 (PyPI) was approved in requirements.txt but is no longer declared there.',
    );
    const quiet = await run(['deps', 'check', root, '-q']);
    expect(quiet.stdout).toBe('');
    expect(quiet.stderr).toContain('2 changes of critical packages');
    expect(quiet.stderr).toContain('FAIL');
    const sarif = JSON.parse((await run(['deps', 'check', root, '-f', 'sarif'])).stdout);
    expect(sarif.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toEqual([
      'DEP-BASELINE-REMOVED',
      'DEP-BASELINE-ADDED',
    ]);
    expect((await run(['deps', 'check', root, '-f', 'markdown'])).stdout).toContain('DEP-BASELINE-ADDED');
  });

  it('is a usage error (exit 2) when the baseline is missing, not JSON, not a baseline or edited by hand', async () => {
    const root = project({ 'requirements.txt': requirements('2.0.0', HASH_A, '2.31.0') });
    const missing = await run(['deps', 'check', root]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no approved baseline at');
    expect(missing.stderr).toContain('pedigree deps approve');

    const baselineFile = join(root, 'pedigree-baseline.json');
    writeFileSync(baselineFile, '{"format":');
    expect((await run(['deps', 'check', root])).stderr).toContain('not JSON');
    writeFileSync(baselineFile, '{"name":"app","version":"1.0.0"}');
    const other = await run(['deps', 'check', root]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('not a pedigree baseline');

    expect((await run(['deps', 'approve', root, '--approver', 'alice'])).code).toBe(0);
    const edited = readFileSync(baselineFile, 'utf8').replace('"2.0.0"', '"2.0.1"');
    writeFileSync(baselineFile, edited);
    writeFileSync(join(root, 'requirements.txt'), requirements('2.0.1', HASH_A, '2.31.0'));
    const tampered = await run(['deps', 'check', root]);
    expect(tampered.code).toBe(2);
    expect(tampered.stderr).toContain('the digest does not match the content');
  });

  it('refuses to approve what it could not fully read, and writes nothing', async () => {
    const root = project({ 'requirements.txt': 'demo==1.0\n-r missing.txt\n' });
    const out = await run(['deps', 'approve', root, '--approver', 'alice']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('not approved: 1 problem reading the dependency files');
    expect(out.stderr).toContain('requirements.txt:2');
    expect(existsSync(join(root, 'pedigree-baseline.json'))).toBe(false);
    expect((await run(['deps', 'approve', project({ 'README.md': 'hi' })])).code).toBe(2);
  });

  it('finds the baseline through --baseline or deps.baseline.file, confined to a found configuration folder', async () => {
    const root = project({
      'requirements.txt': requirements('2.0.0', HASH_A, '2.31.0'),
      'pedigree.yaml': 'deps:\n  baseline:\n    file: policy/approved.json\n',
    });
    expect((await run(['deps', 'approve', root, '--approver', 'alice'])).code).toBe(0);
    expect(existsSync(join(root, 'policy/approved.json'))).toBe(true);
    expect((await checkJson(root)).code).toBe(0);

    const elsewhere = join(mkdtempSync(join(tmpdir(), 'pedigree-baseline-out-')), 'b.json');
    expect((await run(['deps', 'approve', root, '--baseline', elsewhere, '--approver', 'bob'])).code).toBe(0);
    const viaFlag = await checkJson(root, '--baseline', elsewhere);
    expect(viaFlag.report.dependencies.baseline.approval.approver).toBe('bob');

    writeFileSync(join(root, 'pedigree.yaml'), 'deps:\n  baseline:\n    file: ../outside.json\n');
    const escaping = await run(['deps', 'approve', root, '--approver', 'alice']);
    expect(escaping.code).toBe(2);
    expect(escaping.stderr).toContain('leaves the folder');
    // The same file given with --config is the user's own choice: honoured.
    const explicit = await run([
      'deps',
      'approve',
      root,
      '--config',
      join(root, 'pedigree.yaml'),
      '--approver',
      'alice',
    ]);
    expect(explicit.code).toBe(0);
    expect(existsSync(join(root, '../outside.json'))).toBe(true);
  });

  it('records the approval time only when asked', async () => {
    const root = project({ 'requirements.txt': 'demo==1.0\n' });
    await run(['deps', 'approve', root, '--approver', 'alice', '--timestamp']);
    const recorded = JSON.parse(readFileSync(join(root, 'pedigree-baseline.json'), 'utf8'));
    expect(recorded.approval.approvedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect((await checkJson(root)).code).toBe(0);
  });

  it('keeps `pedigree deps PATH` auditing, with `approve` and `check` taken as subcommands only when named', async () => {
    const parent = project({ 'approve/requirements.txt': 'demo==1.0\n' });
    const store = mkdtempSync(join(tmpdir(), 'pedigree-baseline-store-'));
    const audit = await run(['deps', join(parent, 'approve'), '--db-dir', store, '-f', 'json']);
    expect(audit.code).toBe(0);
    expect(JSON.parse(audit.stdout).dependencies.database).toBeDefined();
    const cwd = process.cwd();
    process.chdir(parent);
    try {
      // A folder literally named `approve` is given as `./approve`.
      const folder = await run(['deps', './approve', '--db-dir', store, '-f', 'json']);
      expect(folder.code).toBe(0);
      expect(JSON.parse(folder.stdout).dependencies.files).toEqual([
        { path: 'requirements.txt', format: 'requirements', packages: 1 },
      ]);
      expect(existsSync(join(parent, 'pedigree-baseline.json'))).toBe(false);
      // Options after a subcommand belong to it; an audit option there is an error, not silently taken.
      expect((await run(['deps', 'approve', './approve', '--db-dir', store])).code).toBe(2);
      const approved = await run(['deps', 'approve', './approve', '--approver', 'alice']);
      expect(approved.code).toBe(0);
      expect(existsSync(join(parent, 'approve', 'pedigree-baseline.json'))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
    const help = await run(['deps', '--help']);
    expect(help.stdout).toMatch(/approve \[options\] \[paths\.\.\.\]/);
    expect(help.stdout).toMatch(/check \[options\] \[paths\.\.\.\]/);
  });
});

describe('baseline path confinement', () => {
  it('refuses a found configuration whose baseline leads out of the folder through a symbolic link', async () => {
    const { symlinkSync } = await import('node:fs');
    const outside = mkdtempSync(join(tmpdir(), 'pedigree-outside-'));
    writeFileSync(join(outside, 'victim.json'), 'precious\n');
    const root = project({
      'requirements.txt': 'demo==1.0\n',
      'pedigree.yaml': 'deps:\n  baseline:\n    file: out/victim.json\n',
    });
    symlinkSync(outside, join(root, 'out'));
    const out = await run(['deps', 'approve', root, '--approver', 'x']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('leaves the folder');
    expect(readFileSync(join(outside, 'victim.json'), 'utf8')).toBe('precious\n');
  });
});
