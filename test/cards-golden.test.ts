import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditCardPaths } from '../src/cards/run.js';
import { cardsTextHeader } from '../src/cli/commands/card.js';
import { renderJson } from '../src/report/json.js';
import { renderText } from '../src/report/text.js';

/**
 * Golden reports of `pedigree card audit` over real cards (test/fixtures/cards, sources in SOURCES.txt).
 * Every change to what the audit finds on them shows up as a diff of these files, to be reviewed like code.
 * Regenerate with `UPDATE_GOLDEN=1 npx vitest run test/cards-golden.test.ts` after checking the change is right.
 */
const FIXTURES = join('test', 'fixtures', 'cards');
const GOLDEN = join('test', 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

function compare(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (update || !existsSync(file)) {
    if (!update)
      throw new Error(`${file} is missing: run UPDATE_GOLDEN=1 npx vitest run test/cards-golden.test.ts`);
    writeFileSync(file, actual);
    return;
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('card audit golden reports', () => {
  it('matches the JSON and text reports of the real cards', async () => {
    const report = await auditCardPaths([FIXTURES], {
      tool: { name: 'pedigree', version: 'golden' },
      root: 'test/fixtures/cards',
      selection: 'all',
    });
    expect(report.cards.summary.cards).toBe(8);
    compare('cards-report.json', renderJson(report));
    compare(
      'cards-report.txt',
      cardsTextHeader(report) + renderText(report, { color: false, failOn: 'high', verbose: true }),
    );
  });

  it('gives the same bytes twice', async () => {
    const options = { tool: { name: 'pedigree', version: 'golden' }, root: 'x', selection: 'all' as const };
    const a = renderJson(await auditCardPaths([FIXTURES], options));
    const b = renderJson(await auditCardPaths([FIXTURES], options));
    expect(a).toBe(b);
  });
});
