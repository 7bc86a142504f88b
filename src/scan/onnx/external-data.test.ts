import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModel, externalTensor } from '../../formats/onnx/test-support.js';
import { scanPaths } from '../scan-paths.js';
import { ruleList } from '../test-support.js';
import { unsafeLocation } from './external-data.js';

const tool = { name: 'pedigree', version: 'test' };
const temp = mkdtempSync(join(tmpdir(), 'pedigree-onnx-external-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
const fixture = (name: string) => new URL(`../../formats/onnx/fixtures/${name}`, import.meta.url);

/** A folder holding `model.onnx` whose tensor `W` (2×2 float, 16 bytes) reads `location`. */
function modelFolder(name: string, location: string, entries: Record<string, string> = {}): string {
  const folder = join(temp, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'model.onnx'), buildModel({ initializer: [externalTensor(location, entries)] }));
  return folder;
}

async function scanFolder(folder: string) {
  const report = await scanPaths([folder], { tool, hash: false });
  const onnx = report.findings.filter((f) => f.ruleId.startsWith('ONNX-'));
  return { report, rules: ruleList(onnx), onnx };
}

describe('unsafeLocation', () => {
  it('accepts plain relative names and refuses everything that can leave the folder', () => {
    for (const ok of [
      'weights.bin',
      'data/weights.bin',
      'model.onnx.data',
      'a..b',
      '.hidden',
      'w%20x.bin',
      '%2e',
    ]) {
      expect(unsafeLocation(ok), ok).toBeUndefined();
    }
    for (const bad of [
      '/etc/passwd',
      '\\etc',
      '../w',
      'a/../../w',
      'a\\..\\w',
      'C:w',
      'file:///etc/passwd',
      '//host/share',
      'w\u0000',
      '%2e%2e/w',
      'a/.%2E/w',
      'file:/etc/passwd',
      'https:w.bin',
    ]) {
      expect(unsafeLocation(bad), bad).toBeDefined();
    }
  });
});

describe('external data on disk (scanPaths)', () => {
  it('accepts the valid external data onnx wrote next to the model', async () => {
    const folder = join(temp, 'valid');
    mkdirSync(folder);
    copyFileSync(fixture('external-valid/model.onnx'), join(folder, 'model.onnx'));
    copyFileSync(fixture('external-valid/weights.bin'), join(folder, 'weights.bin'));
    const { rules, report } = await scanFolder(folder);
    expect(rules).toEqual([]);
    expect(report.artifacts.find((a) => a.path.endsWith('model.onnx'))?.format).toBe('onnx');
  });

  it('reports a location that leaves the folder through a symbolic link, at high', async () => {
    const outside = join(temp, 'outside-secret');
    writeFileSync(outside, 'secret'.repeat(10));
    const folder = modelFolder('symlink', 'weights.bin');
    symlinkSync(outside, join(folder, 'weights.bin'));
    const { rules, onnx, report } = await scanFolder(folder);
    expect(rules).toEqual(['ONNX-EXTERNAL-DATA:high']);
    expect(onnx[0]?.message).toMatch(/is a symbolic link to .*outside-secret, outside the model's folder/);
    // The walker reports the link itself too.
    expect(report.findings.map((f) => f.ruleId)).toContain('SCAN-SYMLINK-OUTSIDE-ROOT');
  });

  it('reports a location inside a linked folder that points outside', async () => {
    const outsideDir = join(temp, 'outside-dir');
    mkdirSync(outsideDir);
    writeFileSync(join(outsideDir, 'w.bin'), new Uint8Array(16));
    const folder = modelFolder('dirlink', 'data/w.bin');
    symlinkSync(outsideDir, join(folder, 'data'));
    const { rules, onnx } = await scanFolder(folder);
    expect(rules).toEqual(['ONNX-EXTERNAL-DATA:high']);
    expect(onnx[0]?.message).toContain('goes through a symbolic link');
  });

  it('reports a missing external file and data past its end, at medium', async () => {
    const missing = await scanFolder(modelFolder('missing', 'absent.bin'));
    expect(missing.rules).toEqual(['ONNX-EXTERNAL-DATA:medium']);
    expect(missing.onnx[0]?.message).toMatch(/does not exist/);
    const short = modelFolder('short', 'w.bin', { offset: '8' });
    writeFileSync(join(short, 'w.bin'), new Uint8Array(16));
    const result = await scanFolder(short);
    expect(result.rules).toEqual(['ONNX-EXTERNAL-DATA:medium']);
    expect(result.onnx[0]?.message).toMatch(/read past the end of 'w.bin' \(16 bytes\)/);
  });

  it('does not follow locations already reported as unsafe', async () => {
    const { rules } = await scanFolder(modelFolder('traversal', '../outside-secret'));
    expect(rules).toEqual(['ONNX-EXTERNAL-DATA:high']);
  });
});
