import { type ByteSource, bufferSource } from '../core/byte-reader.js';
import type { Finding } from '../core/finding.js';
import { DEFAULT_ANALYSERS } from './analysers/index.js';
import type { ScanLimits } from './context.js';
import { analyseSource } from './engine.js';
import { createImportPolicy } from './pickle/policy.js';

/** Analyses bytes (or a source) as the scanner does a file at `path`, with the default analysers and policy. */
export function analyseBytes(input: Uint8Array | ByteSource, path: string, limits?: Partial<ScanLimits>) {
  return analyseSource(input instanceof Uint8Array ? bufferSource(input) : input, path, {
    analysers: DEFAULT_ANALYSERS,
    policy: createImportPolicy(),
    ...(limits ? { limits } : {}),
  });
}

/** `RULE-ID:severity` of each finding, sorted: what most assertions compare. */
export function ruleList(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.ruleId}:${f.severity}`).sort();
}
