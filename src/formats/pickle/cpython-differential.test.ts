import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulatePickle } from './simulate.js';

interface Case {
  name: string;
  protocol: number;
  pickle: string;
  opcodes: number;
  globalImports: string[];
}

// Pickles made by CPython's own pickler (see fixtures/make-cpython-pickles.py); never loaded by Python.
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/cpython-pickles.json', import.meta.url), 'utf8'),
) as {
  cases: Case[];
};

describe('simulatePickle on pickles written by CPython', () => {
  for (const c of fixture.cases) {
    it(`${c.name} protocol ${c.protocol}: runs to STOP with CPython's opcode count and imports`, () => {
      const run = simulatePickle(Buffer.from(c.pickle, 'base64'));
      expect(run.error).toBeUndefined();
      expect(run.anomalies).toEqual([]);
      expect(run.opcodes).toBe(c.opcodes);
      const ours = run.imports.map((i) => `${i.module}.${i.name}`);
      for (const g of c.globalImports) expect(ours).toContain(g);
      if (c.protocol < 4) expect([...new Set(ours)].sort()).toEqual(c.globalImports);
      expect(run.end).toBe(Buffer.from(c.pickle, 'base64').length);
    });
  }
});
