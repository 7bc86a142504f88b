import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Severity, severityRank } from '../src/core/finding.js';
import { scanPaths } from '../src/scan/scan-paths.js';

/**
 * The shared corpus of malicious and benign model files from picklescan's, ModelScan's and ModelAudit's test
 * suites (../shared/data/model-corpus, verdicts in expected.csv): the pickle family, and the formats of the
 * model-format issue covered so far (safetensors, chat templates). Never load these files with Python.
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
  return lines.map((line) => {
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
  });
}

function readPickleRows(): Row[] {
  return readRows().filter((r) => !NON_PICKLE.test(r.format));
}

/** The family a non-pickle corpus row is counted under, from its format column. */
function familyOf(format: string): string {
  if (/safetensors/i.test(format)) return 'safetensors';
  if (/chat[_ ]template/i.test(format)) return 'chat template';
  if (/hdf5/i.test(format)) return 'Keras HDF5';
  if (/savedmodel/i.test(format)) return 'TensorFlow SavedModel';
  return 'JSON config';
}

const worst = (severities: Severity[]): Severity | 'none' =>
  severities.reduce<Severity | 'none'>(
    (w, s) => (w === 'none' || severityRank(s) > severityRank(w) ? s : w),
    'none',
  );

describe.skipIf(!existsSync(CORPUS))('model corpus (pickle family)', () => {
  const rows = existsSync(CORPUS) ? readPickleRows() : [];

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
    // Per format column of expected.csv: malicious found at high / malicious, safe at high / safe.
    const byFormat: Record<string, string> = {};
    for (const format of [...new Set(results.map((r) => r.row.format))].sort()) {
      const of = results.filter((r) => r.row.format === format);
      const bad = of.filter((r) => r.row.expected === 'malicious');
      const good = of.filter((r) => r.row.expected === 'safe');
      byFormat[format] =
        `malicious at high ${bad.filter((r) => isHigh(r.worst)).length}/${bad.length}, ` +
        `safe at high ${good.filter((r) => isHigh(r.worst)).length}/${good.length}`;
    }
    const summary = {
      byFormat,
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
    expect(summary.maliciousDetectedAtHigh).toBeGreaterThanOrEqual(116);
    // Every malicious file is at least reported (medium or above), none silently clean.
    expect(allMalicious.filter((r) => r.worst === 'none' || r.worst === 'info' || r.worst === 'low')).toEqual(
      [],
    );
  });
});

describe.skipIf(!existsSync(CORPUS))('model corpus (every other format)', () => {
  const rows = existsSync(CORPUS) ? readRows().filter((r) => NON_PICKLE.test(r.format)) : [];

  it('reports every malicious indicator at medium or above, exec-on-load ones at high, and no safe file at high', async () => {
    const byFormat = new Map<string, { malicious: number; found: number; safe: number; safeHigh: number }>();
    const problems: string[] = [];
    for (const row of rows) {
      const report = await scanPaths([`${CORPUS}${row.path}`], {
        tool: { name: 'pedigree', version: 'test' },
        hash: false,
      });
      const w = worst(report.findings.map((f) => f.severity));
      const rank = w === 'none' ? -1 : severityRank(w);
      const family = familyOf(row.format);
      const counts = byFormat.get(family) ?? { malicious: 0, found: 0, safe: 0, safeHigh: 0 };
      if (row.expected === 'malicious') {
        counts.malicious++;
        const needed = row.execOnLoad.startsWith('yes') ? severityRank('high') : severityRank('medium');
        if (rank >= needed) counts.found++;
        else problems.push(`missed ${row.path} (${w})`);
      } else {
        counts.safe++;
        if (rank >= severityRank('high')) {
          counts.safeHigh++;
          problems.push(`false positive ${row.path} (${w})`);
        }
      }
      byFormat.set(family, counts);
    }
    if (process.env.PEDIGREE_CORPUS_SUMMARY)
      writeFileSync(
        `${process.env.PEDIGREE_CORPUS_SUMMARY}.formats.json`,
        JSON.stringify(Object.fromEntries(byFormat), null, 2),
      );
    expect(problems).toEqual([]);
    for (const family of [
      'safetensors',
      'chat template',
      'Keras HDF5',
      'TensorFlow SavedModel',
      'JSON config',
    ]) {
      expect(byFormat.get(family)?.malicious, family).toBeGreaterThan(0);
    }
  });
});
