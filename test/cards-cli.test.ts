import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  COMPLETE_DATASET_CARD,
  COMPLETE_MODEL_CARD,
  WEAK_MODEL_CARD,
} from '../src/cards/audit/test-support.js';
import { run } from './cli-support.js';

interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  evidence: string;
  location: { path: string; line?: number; field?: string };
}

interface CardsJson {
  schemaVersion: string;
  root: string;
  summary: { files: number; notAnalysed: number };
  artifacts: { path: string; kind: string; format: string }[];
  findings: JsonFinding[];
  cards?: {
    cards: {
      path: string;
      kind: string;
      score: number;
      minScore: number;
      belowMinimum: boolean;
      breakdown: { id: string; weight: number; earned: number; state: string; source?: string }[];
      hasMetadata: boolean;
      templates: string[];
      findings: number;
    }[];
    summary: { cards: number; models: number; datasets: number; belowMinimum: number; averageScore?: number };
  };
}

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pedigree-cards-cli-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

async function json(argv: string[]): Promise<{ code: number; report: CardsJson; stderr: string }> {
  const out = await run([...argv, '--format', 'json']);
  return { code: out.code, report: JSON.parse(out.stdout) as CardsJson, stderr: out.stderr };
}

function ruleIds(report: CardsJson, prefix: string): string[] {
  return report.findings.filter((f) => f.ruleId.startsWith(prefix)).map((f) => f.ruleId);
}

/**
 * A trusted configuration that makes CARD-SCORE-LOW the only critical finding card rules raise: with
 * `--fail-on critical` the exit code then depends on the score alone, whatever other card rules report.
 */
function scoreGate(minScore: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'pedigree-cards-config-'));
  const file = join(dir, 'pedigree.yaml');
  writeFileSync(file, `cards:\n  minScore: ${minScore}\n  severity:\n    CARD-SCORE-LOW: critical\n`);
  return file;
}

describe('pedigree card audit: exit codes', () => {
  it('0 on a good card, with the score header first', async () => {
    const root = project({ 'README.md': COMPLETE_MODEL_CARD });
    const out = await run(['card', 'audit', root]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(
      out.stdout.startsWith(
        '1 card(s): 1 model, 0 dataset; average completeness 100/100\nmodel   100/100  README.md\n\n',
      ),
    ).toBe(true);
  });

  it('1 with --min-score 90 on a weak card: CARD-SCORE-LOW becomes high', async () => {
    const root = project({ 'README.md': WEAK_MODEL_CARD });
    const out = await run(['card', 'audit', root, '--min-score', '90']);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain(
      'model    15/100 (below 90)  README.md  missing: quantitative analyses (results); intended use; training data; ethical considerations, bias and risks\n',
    );
    const { report } = await json(['card', 'audit', root, '--min-score', '90']);
    expect(report.findings.filter((f) => f.ruleId === 'CARD-SCORE-LOW').map((f) => f.severity)).toEqual([
      'high',
    ]);
    expect(report.cards?.cards[0]).toMatchObject({ score: 15, minScore: 90, belowMinimum: true });
  });

  it('the score alone decides under a critical score gate', async () => {
    const gate = scoreGate(90);
    const weak = project({ 'README.md': WEAK_MODEL_CARD });
    const good = project({ 'README.md': COMPLETE_MODEL_CARD });
    expect((await run(['card', 'audit', weak, '--config', gate, '--fail-on', 'critical'])).code).toBe(1);
    expect((await run(['card', 'audit', good, '--config', gate, '--fail-on', 'critical'])).code).toBe(0);
    expect(
      (await run(['card', 'audit', weak, '--config', gate, '--fail-on', 'critical', '--min-score', '15']))
        .code,
    ).toBe(0);
  });

  it('below the default minimum without --min-score: medium, not a failure', async () => {
    const root = project({ 'README.md': WEAK_MODEL_CARD });
    const { report } = await json(['card', 'audit', root]);
    expect(report.findings.filter((f) => f.ruleId === 'CARD-SCORE-LOW').map((f) => f.severity)).toEqual([
      'medium',
    ]);
    expect(report.cards?.cards[0]).toMatchObject({ score: 15, minScore: 50, belowMinimum: true });
  });

  it('2 when no card is found', async () => {
    const root = project({ 'app.py': 'print(1)\n' });
    const out = await run(['card', 'audit', root]);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe(`pedigree: no model or dataset card found in ${root}\n`);
  });

  it('a weight folder without a card is a finding, not a usage error', async () => {
    const root = project({ 'model.safetensors': 'x' });
    const { code, report } = await json(['card', 'audit', root]);
    expect(code).toBe(0);
    expect(report.findings.map((f) => f.ruleId)).toEqual(['CARD-MISSING']);
    expect(report.cards?.cards).toEqual([]);
  });

  it('--min-score accepts 0 and 100', async () => {
    const root = project({ 'README.md': WEAK_MODEL_CARD });
    expect((await json(['card', 'audit', root, '--min-score', '0'])).report.cards?.cards[0]?.minScore).toBe(
      0,
    );
    expect((await json(['card', 'audit', root, '--min-score', '100'])).report.cards?.cards[0]?.minScore).toBe(
      100,
    );
  });

  it('2 on a bad --kind', async () => {
    const root = project({ 'README.md': COMPLETE_MODEL_CARD });
    const out = await run(['card', 'audit', root, '--kind', 'code']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(
      "option '--kind <kind>' argument 'code' is invalid. Allowed choices are model, dataset.",
    );
  });

  it.each(['abc', '101', '-1', '50.5', '', ' ', '0x10', '1e1'])('2 on --min-score %j', async (value) => {
    const root = project({ 'README.md': COMPLETE_MODEL_CARD });
    const out = await run(['card', 'audit', root, '--min-score', value]);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(`pedigree: --min-score: expected a whole number from 0 to 100, got '${value}'\n`);
  });

  it('2 on a configuration naming an unknown rule or topic', async () => {
    const root = project({ 'README.md': COMPLETE_MODEL_CARD });
    const config = join(project({}), 'pedigree.yaml');
    writeFileSync(config, 'cards:\n  disable: [CARD-NOPE]\n');
    const out = await run(['card', 'audit', root, '--config', config]);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(`pedigree: ${config}: invalid configuration: cards: unknown rule 'CARD-NOPE'\n`);
    writeFileSync(config, 'cards:\n  require: [limitation]\n');
    const topic = await run(['card', 'audit', root, '--config', config]);
    expect(topic.code).toBe(2);
    expect(topic.stderr).toMatch(/cards\.require: unknown topic 'limitation' \(known: annotations, /);
  });

  it('2 on a found configuration naming an unknown rule, unless --no-config', async () => {
    const root = project({
      'README.md': COMPLETE_MODEL_CARD,
      'pedigree.yaml': 'cards:\n  severity:\n    CARD-NOPE: high\n',
    });
    const out = await run(['card', 'audit', root]);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(
      "pedigree: pedigree.yaml: invalid configuration: cards: unknown rule 'CARD-NOPE' (found in the audited folder; pass --no-config to ignore it)\n",
    );
    expect((await run(['card', 'audit', root, '--no-config'])).code).toBe(0);
  });

  it('--quiet prints the verdict on standard error', async () => {
    const root = project({ 'README.md': WEAK_MODEL_CARD });
    const out = await run(['card', 'audit', root, '--min-score', '90', '--quiet']);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^1 card\(s\), \d+ finding\(s\): FAIL \(threshold high\)\n$/);
  });
});

describe('pedigree card audit: reports', () => {
  it('JSON: schema 1.2.0, the cards section with the breakdown of each card', async () => {
    const root = project({
      'model/README.md': COMPLETE_MODEL_CARD,
      'data/DATASET_CARD.md': COMPLETE_DATASET_CARD,
    });
    const { code, report } = await json(['card', 'audit', root]);
    expect(code).toBe(0);
    expect(report.schemaVersion).toBe('1.2.0');
    expect(report.root).toBe(root);
    expect(report.artifacts.map((a) => [a.path, a.kind, a.format])).toEqual([
      ['data/DATASET_CARD.md', 'card', 'dataset-card'],
      ['model/README.md', 'card', 'model-card'],
    ]);
    expect(report.cards?.summary).toEqual({
      cards: 2,
      models: 1,
      datasets: 1,
      belowMinimum: 0,
      averageScore: 100,
    });
    const [data, model] = report.cards?.cards ?? [];
    expect(data?.breakdown.map((i) => i.id)).toEqual([
      'summary',
      'motivation',
      'composition',
      'collection',
      'preprocessing',
      'uses',
      'distribution',
      'maintenance',
      'personal-data',
      'bias',
      'limitations',
      'citation',
    ]);
    expect(model?.breakdown).toHaveLength(20);
    expect(model?.breakdown[0]).toEqual({
      id: 'description',
      title: 'Model description',
      weight: 6,
      earned: 6,
      state: 'content',
      source: 'line 13',
    });
    expect(model).toMatchObject({
      path: 'model/README.md',
      kind: 'model',
      score: 100,
      hasMetadata: true,
      templates: [],
    });
  });

  it('markdown starts with the completeness table', async () => {
    const root = project({ 'a/README.md': COMPLETE_MODEL_CARD, 'b/README.md': WEAK_MODEL_CARD });
    const out = await run(['card', 'audit', root, '--format', 'markdown']);
    expect(out.code).toBe(0);
    expect(
      out.stdout.startsWith(
        [
          '### Card completeness',
          '',
          '| card | kind | score | missing |',
          '| --- | --- | --- | --- |',
          '| `a/README.md` | model | 100 | — |',
          '| `b/README.md` | model | 15 ⚠️ (min 50) | Quantitative analyses (results), Intended use, Training data, Ethical considerations, bias and risks, Licence, Out-of-scope use, Evaluation data, Factors, Metrics, How to use, Developers, Model type / architecture, Training procedure, Environmental impact, Citation, Contact, Intended users, Recommendations |',
          '',
          '',
        ].join('\n'),
      ),
    ).toBe(true);
  });

  it('--kind forces the kind of every card', async () => {
    const root = project({ 'README.md': COMPLETE_MODEL_CARD });
    const { report } = await json(['card', 'audit', root, '--kind', 'dataset']);
    expect(report.cards?.cards[0]).toMatchObject({ kind: 'dataset' });
    expect(report.cards?.cards[0]?.breakdown).toHaveLength(12);
  });

  it('a card file given by name; several cards in one run', async () => {
    const root = project({ 'notes.md': WEAK_MODEL_CARD, 'm/MODEL_CARD.md': COMPLETE_MODEL_CARD });
    const { report } = await json(['card', 'audit', join(root, 'notes.md'), join(root, 'm')]);
    expect(report.cards?.cards.map((c) => [c.path, c.score])).toEqual([
      [`${join(root, 'm')}/MODEL_CARD.md`, 100],
      [join(root, 'notes.md'), 15],
    ]);
  });

  it('writes the report to --output', async () => {
    const root = project({ 'README.md': COMPLETE_MODEL_CARD });
    const file = join(project({}), 'report.json');
    const out = await run(['card', 'audit', root, '--format', 'json', '--output', file]);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe('');
    expect(existsSync(file)).toBe(true);
    expect((JSON.parse(readFileSync(file, 'utf8')) as CardsJson).cards?.summary.cards).toBe(1);
  });
});

describe('pedigree card audit: a configuration found in the audited folder', () => {
  it('cannot disable rules: the rule stays and CARD-CONFIG says it was ignored', async () => {
    const root = project({
      'README.md': WEAK_MODEL_CARD,
      'pedigree.yaml': 'cards:\n  disable: [CARD-CITATION-MISSING]\n  minScore: 10\n',
    });
    const { code, report } = await json(['card', 'audit', root]);
    expect(code).toBe(0);
    expect(ruleIds(report, 'CARD-CITATION-MISSING')).toEqual(['CARD-CITATION-MISSING']);
    // Its lower minimum is ignored too.
    expect(report.cards?.cards[0]?.minScore).toBe(50);
    const config = report.findings.filter((f) => f.ruleId === 'CARD-CONFIG');
    expect(config).toEqual([
      expect.objectContaining({
        severity: 'medium',
        message:
          'pedigree.yaml in the audited folder set the card audit: it asks for a model card minimum score of 10, below the default 50: ignored; it asks for a dataset card minimum score of 10, below the default 50: ignored; it disables CARD-CITATION-MISSING: ignored',
        location: { path: 'pedigree.yaml', field: 'cards' },
        evidence: '3 setting(s), 3 ignored as looser than the defaults',
      }),
    ]);
  });

  it('can tighten: a higher minimum applies and fails the audit', async () => {
    const root = project({ 'README.md': WEAK_MODEL_CARD, 'pedigree.yaml': 'cards:\n  minScore: 60\n' });
    const { code, report } = await json(['card', 'audit', root]);
    expect(code).toBe(1);
    expect(report.findings.filter((f) => f.ruleId === 'CARD-SCORE-LOW').map((f) => f.severity)).toEqual([
      'high',
    ]);
    expect(report.findings.find((f) => f.ruleId === 'CARD-CONFIG')?.message).toBe(
      'pedigree.yaml in the audited folder set the card audit: it sets the model card minimum score to 60; it sets the dataset card minimum score to 60',
    );
  });

  it('--no-config ignores it; --config applies it as written', async () => {
    const root = project({
      'README.md': WEAK_MODEL_CARD,
      'pedigree.yaml': 'cards:\n  disable: [CARD-CITATION-MISSING]\n',
    });
    const ignored = await json(['card', 'audit', root, '--no-config']);
    expect(ruleIds(ignored.report, 'CARD-CONFIG')).toEqual([]);
    expect(ruleIds(ignored.report, 'CARD-CITATION-MISSING')).toEqual(['CARD-CITATION-MISSING']);
    const trusted = await json(['card', 'audit', root, '--config', join(root, 'pedigree.yaml')]);
    expect(ruleIds(trusted.report, 'CARD-CONFIG')).toEqual([]);
    expect(ruleIds(trusted.report, 'CARD-CITATION-MISSING')).toEqual([]);
  });

  it('without a cards: section it is not reported', async () => {
    const root = project({ 'README.md': COMPLETE_MODEL_CARD, 'pedigree.yaml': 'exclude: ["*.tmp"]\n' });
    const { report } = await json(['card', 'audit', root]);
    expect(ruleIds(report, 'CARD-CONFIG')).toEqual([]);
  });
});

describe('pedigree scan audits the cards it meets', () => {
  it('a folder with a card: the cards section and card findings join the scan report', async () => {
    const root = project({ 'README.md': WEAK_MODEL_CARD, 'model.safetensors': 'not really' });
    const { report } = await json(['scan', root]);
    expect(report.cards?.summary).toMatchObject({ cards: 1, models: 1, averageScore: 15 });
    expect(report.cards?.cards[0]).toMatchObject({ path: 'README.md', score: 15 });
    expect(report.artifacts.find((a) => a.path === 'README.md')).toMatchObject({
      kind: 'card',
      format: 'model-card',
    });
    expect(ruleIds(report, 'CARD-SCORE-LOW')).toEqual(['CARD-SCORE-LOW']);
  });

  it('--no-cards leaves the card audit out', async () => {
    const root = project({ 'README.md': WEAK_MODEL_CARD, 'model.safetensors': 'not really' });
    const { report } = await json(['scan', root, '--no-cards']);
    expect(report.cards).toBeUndefined();
    expect(ruleIds(report, 'CARD-')).toEqual([]);
    expect(report.artifacts.find((a) => a.path === 'README.md')?.kind).not.toBe('card');
  });

  it('a code README in a subfolder is not a card; weights without a card are reported', async () => {
    const root = project({
      'src/README.md': '# Helpers\n\nUtility code.\n',
      'src/app.py': 'print(1)\n',
      'weights/model.safetensors': 'not really',
    });
    const { report } = await json(['scan', root]);
    expect(report.cards?.cards).toEqual([]);
    expect(report.findings.filter((f) => f.ruleId === 'CARD-MISSING').map((f) => f.location.path)).toEqual([
      'weights/model.safetensors',
    ]);
  });

  it('a folder without cards or weights gets no cards section', async () => {
    const root = project({ 'app.py': 'print(1)\n' });
    const { report } = await json(['scan', root]);
    expect(report.cards).toBeUndefined();
  });
});
