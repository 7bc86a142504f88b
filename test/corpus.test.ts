import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Severity, severityRank } from '../src/core/finding.js';
import { scanPaths } from '../src/scan/scan-paths.js';

/**
 * The shared corpus of malicious and benign model files from picklescan's, ModelScan's and ModelAudit's test
 * suites (../shared/data/model-corpus, verdicts in expected.csv). Pickle-family files only here; other
 * formats belong to the model-format issue. Never load these files with Python.
 */
const CORPUS = fileURLToPath(new URL('../../shared/data/model-corpus/', import.meta.url));
const NON_PICKLE = /template|safetensors|json|hdf5|savedmodel/i;

interface Row {
  path: string;
  expected: 'malicious' | 'safe';
  execOnLoad: string;
  format: string;
}

function readRows(): Row[] {
  const text = readFileSync(`${CORPUS}expected.csv`, 'utf8');
  const lines = text.trim().split('\n').slice(1);
  return lines
    .map((line) => {
      // RFC 4180 fields: quoted fields may hold commas.
      const fields: string[] = [];
      let cur = '';
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        const ch = line[i] as string;
        if (quoted) {
          if (ch === '"' && line[i + 1] === '"') {
            cur += '"';
            i++;
          } else if (ch === '"') quoted = false;
          else cur += ch;
        } else if (ch === '"') quoted = true;
        else if (ch === ',') {
          fields.push(cur);
          cur = '';
        } else cur += ch;
      }
      fields.push(cur);
      return {
        path: fields[0] as string,
        expected: fields[1] as Row['expected'],
        execOnLoad: fields[2] as string,
        format: fields[3] as string,
      };
    })
    .filter((r) => !NON_PICKLE.test(r.format));
}

const worst = (severities: Severity[]): Severity | 'none' =>
  severities.reduce<Severity | 'none'>(
    (w, s) => (w === 'none' || severityRank(s) > severityRank(w) ? s : w),
    'none',
  );

describe.skipIf(!existsSync(CORPUS))('model corpus (pickle family)', () => {
  const rows = existsSync(CORPUS) ? readRows() : [];

  it('reports every exec-on-load malicious file at high or above, and no safe file at high or above', async () => {
    const results: { row: Row; worst: Severity | 'none'; rules: string[] }[] = [];
    for (const row of rows) {
      const report = await scanPaths([`${CORPUS}${row.path}`], {
        tool: { name: 'pedigree', version: 'test' },
        hash: false,
      });
      results.push({
        row,
        worst: worst(report.findings.map((f) => f.severity)),
        rules: [...new Set(report.findings.map((f) => `${f.ruleId}:${f.severity}`))],
      });
    }
    const isHigh = (w: Severity | 'none') => w !== 'none' && severityRank(w) >= severityRank('high');
    const execMalicious = results.filter(
      (r) => r.row.expected === 'malicious' && r.row.execOnLoad.startsWith('yes'),
    );
    const allMalicious = results.filter((r) => r.row.expected === 'malicious');
    const safe = results.filter((r) => r.row.expected === 'safe');
    const missed = execMalicious.filter((r) => !isHigh(r.worst));
    const falsePositives = safe.filter((r) => isHigh(r.worst));
    const summary = {
      files: results.length,
      maliciousDetectedAtHigh: allMalicious.filter((r) => isHigh(r.worst)).length,
      malicious: allMalicious.length,
      execOnLoadDetectedAtHigh: execMalicious.length - missed.length,
      execOnLoad: execMalicious.length,
      safeBelowHigh: safe.length - falsePositives.length,
      safe: safe.length,
      missed: missed.map((r) => `${r.row.path} (${r.worst}; ${r.rules.join(' ')})`),
      falsePositives: falsePositives.map((r) => `${r.row.path} (${r.worst}; ${r.rules.join(' ')})`),
      notHighMalicious: allMalicious
        .filter((r) => !isHigh(r.worst))
        .map((r) => `${r.row.path} (${r.worst}; ${r.rules.join(' ')})`),
    };
    if (process.env.PEDIGREE_CORPUS_SUMMARY)
      writeFileSync(process.env.PEDIGREE_CORPUS_SUMMARY, JSON.stringify(summary, null, 2));
    expect(summary.missed).toEqual([]);
    expect(summary.falsePositives).toEqual([]);
    // README reports these next to picklescan (114/122) and ModelScan (48/122): keep them honest.
    expect(summary.malicious).toBe(122);
    expect(summary.maliciousDetectedAtHigh).toBeGreaterThanOrEqual(115);
    // Every malicious file is at least reported (medium or above), none silently clean.
    expect(allMalicious.filter((r) => r.worst === 'none' || r.worst === 'info' || r.worst === 'low')).toEqual(
      [],
    );
  });
});
