/**
 * Every analyser must survive hostile bytes: real files (PyTorch, joblib with every compressor, zip, tar,
 * npy) with random bytes overwritten or cut short must never make an analyser throw (SCAN-ERROR): bad bytes
 * become findings that say what could not be checked. Deterministic seed, so a failure reproduces.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../src/core/byte-reader.js';
import { DEFAULT_ANALYSERS } from '../src/scan/analysers/index.js';
import { analyseSource } from '../src/scan/engine.js';
import { createImportPolicy } from '../src/scan/pickle/policy.js';

const MUTATIONS_PER_FILE = 40;
const here = (p: string) => new URL(p, import.meta.url).pathname;
const DIRS = [
  here('./fixtures/real'),
  here('./fixtures/compressed-payloads'),
  here('../src/formats/zip/fixtures'),
  here('../src/formats/tar/fixtures'),
  here('../examples/ml-project/checkpoints'),
  here('../examples/ml-project/downloads'),
];

describe('mutated real files', () => {
  it('never make an analyser throw', async () => {
    let seed = 20261123;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const policy = createImportPolicy();
    const failures: string[] = [];
    let runs = 0;
    for (const dir of DIRS) {
      for (const name of readdirSync(dir).sort()) {
        if (name.endsWith('.py') || name.endsWith('.json') || name.endsWith('.md')) continue;
        const original = readFileSync(join(dir, name));
        for (let i = 0; i < MUTATIONS_PER_FILE; i++) {
          const bytes = Buffer.from(original);
          const flips = 1 + Math.floor(rnd() * 8);
          for (let k = 0; k < flips; k++) bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
          const input = rnd() < 0.2 ? bytes.subarray(0, Math.floor(rnd() * bytes.length)) : bytes;
          const result = await analyseSource(bufferSource(input), name, {
            analysers: DEFAULT_ANALYSERS,
            policy,
          });
          runs++;
          for (const f of result.findings) {
            if (f.ruleId === 'SCAN-ERROR') failures.push(`${name} mutation ${i}: ${f.evidence}`);
          }
        }
      }
    }
    expect(runs).toBeGreaterThan(1000);
    expect(failures).toEqual([]);
  }, 120_000);
});
