import { describe, expect, it } from 'vitest';
import { OP } from './formats/pickle/opcodes.js';
import { pickle } from './formats/pickle/test-support/builder.js';
import * as api from './index.js';

describe('public API', () => {
  it('exports exactly the documented names', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'ALL_RULES',
        'CARD_RULES',
        'auditCard',
        'buildCycloneDx',
        'buildSpdxDocument',
        'collectInventory',
        'diffBoms',
        'parseBom',
        'readBom',
        'renderBomDiff',
        'serializeCycloneDx',
        'serializeSpdx',
        'toBomDiffJson',
        'auditCardPaths',
        'checkModelIndex',
        'initCard',
        'readCard',
        'ParseError',
        'REPORT_SCHEMA_VERSION',
        'SEVERITIES',
        'UsageError',
        'createImportPolicy',
        'exitCodeFor',
        'parseConfig',
        'readConfig',
        'renderReport',
        'ruleById',
        'runCli',
        'scanPaths',
        'severityRank',
        'simulatePickle',
        'toJsonReport',
        'toSarif',
        'createAttestation',
        'expandSubjects',
        'verifyAttestation',
        'generateKeyPair',
        'publicKeyHint',
        'readCertificates',
        'readPrivateKey',
        'readPublicKey',
        'parseOmsBundle',
        'signModel',
        'verifyModel',
        'loadTrustedRoot',
        'verifyDvcProject',
        'buildLineage',
        'lineageToDot',
        'lineageToJson',
        'lineageToMermaid',
        'readLineageSources',
        'traceLineage',
        'parseProvenance',
        'checkParity',
        'reproduceRun',
        'recordRun',
        'createSnapshot',
        'datasetDigest',
        'readSnapshot',
        'serializeSnapshot',
        'verifySnapshot',
      ].sort(),
    );
  });

  it('simulates a pickle without running it', () => {
    const bytes = pickle()
      .proto(2)
      .global('posix', 'system')
      .unicode('id')
      .op(OP.TUPLE1)
      .op(OP.REDUCE)
      .stop()
      .build();
    const run = api.simulatePickle(bytes);
    expect(run.imports.map((i) => `${i.module}.${i.name}`)).toEqual(['posix.system']);
    expect(api.createImportPolicy().classify('posix', 'system').kind).toBe('dangerous');
  });

  it('describes every rule with help text', () => {
    for (const rule of api.ALL_RULES) {
      expect(rule.help.length, rule.id).toBeGreaterThan(10);
      expect(api.ruleById(rule.id)).toBe(rule);
    }
  });
});

describe('README', () => {
  it('documents every rule', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const rule of api.ALL_RULES) expect(readme, rule.id).toContain(`\`${rule.id}\``);
  });
});
