import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cycloneDxValidator, SHARED_CYCLONEDX_SCHEMAS } from '../src/bom/test-support.js';
import { run } from './cli-support.js';

/**
 * Golden BOMs of the bundled example project (examples/ml-project) in every spec we write: any change to
 * what `pedigree bom` records shows up as a diff of these files, to be reviewed like code. Each is also
 * validated against the official schema of its spec. Regenerate with
 * `UPDATE_GOLDEN=1 npx vitest run test/bom-golden.test.ts` after checking the change is right.
 */
const GOLDEN = join('test', 'golden');
const EXAMPLE = join('examples', 'ml-project');
const update = process.env.UPDATE_GOLDEN === '1';

function compare(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (update || !existsSync(file)) {
    if (!update)
      throw new Error(`${file} is missing: run UPDATE_GOLDEN=1 npx vitest run test/bom-golden.test.ts`);
    writeFileSync(file, actual);
    return;
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020') as typeof import('ajv/dist/2020').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

function spdxValidator() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(
    JSON.parse(readFileSync(join('test', 'schemas', 'spdx-3.0.1', 'spdx-json-schema.json'), 'utf8')),
  );
}

describe('pedigree bom golden BOMs of the example project', () => {
  for (const version of ['1.6', '1.7'] as const) {
    it(`CycloneDX ${version}`, async () => {
      const result = await run(['bom', EXAMPLE, '--spec', `cyclonedx-${version}`, '-q']);
      expect(result.code).toBe(0);
      const bom = JSON.parse(result.stdout);
      for (const source of existsSync(SHARED_CYCLONEDX_SCHEMAS)
        ? (['library', 'shared'] as const)
        : (['library'] as const)) {
        const validate = cycloneDxValidator(version, source);
        validate(bom);
        expect(validate.errors ?? []).toEqual([]);
      }
      compare(`ml-project.cdx-${version}.json`, result.stdout);
    });
  }

  it('SPDX 3.0.1', async () => {
    const result = await run(['bom', EXAMPLE, '--spec', 'spdx-3.0', '-q']);
    expect(result.code).toBe(0);
    const validate = spdxValidator();
    validate(JSON.parse(result.stdout));
    expect(validate.errors ?? []).toEqual([]);
    compare('ml-project.spdx.json', result.stdout);
  });

  it('writes identical bytes on a second run', async () => {
    const a = await run(['bom', EXAMPLE, '-q']);
    const b = await run(['bom', EXAMPLE, '-q']);
    expect(b.stdout).toBe(a.stdout);
  });
});
