import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { memoryIo } from '../test-io.js';
import { runCardInitCommand } from './card-init.js';

const folders: string[] = [];

function folder(files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'pedigree-card-init-cli-'));
  folders.push(root);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return root;
}

afterEach(() => {
  for (const root of folders.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('pedigree card init', () => {
  it('writes README.md into the folder and says what it holds', async () => {
    const root = folder({
      'config.json': '{"architectures": ["BertForMaskedLM"], "transformers_version": "4.40.0"}',
    });
    const { io: cli, out } = memoryIo();
    expect(await runCardInitCommand(root, {}, cli)).toBe(0);
    const card = readFileSync(join(root, 'README.md'), 'utf8');
    expect(card).toContain('pipeline_tag: fill-mask');
    expect(out.stdout).toMatch(
      /^wrote .*README\.md: model card: \d+ fact line\(s\) from the folder's files, \d+ TODO\(s\) to fill in\n$/,
    );
    expect(out.stderr).toBe('');
  });

  it('refuses to overwrite an existing card without --force, and overwrites it with', async () => {
    const root = folder({ 'README.md': '# mine\n' });
    const { io: cli } = memoryIo();
    await expect(runCardInitCommand(root, {}, cli)).rejects.toThrow(
      /README\.md already exists; pass --force to overwrite it, or write with --output FILE or --stdout/,
    );
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toBe('# mine\n');
    expect(await runCardInitCommand(root, { force: true }, cli)).toBe(0);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('# Model Card for ');
  });

  it('never writes through a README.md that is a symbolic link, even with --force', async () => {
    const root = folder();
    const victim = folder({ 'target.txt': 'keep me\n' });
    symlinkSync(join(victim, 'target.txt'), join(root, 'README.md'));
    const { io: cli } = memoryIo();
    await expect(runCardInitCommand(root, { force: true }, cli)).rejects.toThrow(
      /is a symbolic link; not overwritten/,
    );
    expect(readFileSync(join(victim, 'target.txt'), 'utf8')).toBe('keep me\n');
  });

  it('prints with --stdout, writes elsewhere with --output, and reports notes on standard error', async () => {
    const root = folder({ 'config.json': '{not json' });
    const printed = memoryIo();
    expect(
      await runCardInitCommand(root, { stdout: true, kind: 'dataset', name: 'my-data' }, printed.io),
    ).toBe(0);
    expect(printed.out.stdout).toContain('# Dataset Card for my-data');
    expect(printed.out.stderr).toContain(
      'pedigree card init: config.json: could not be read: not valid JSON',
    );
    expect(printed.out.stderr).toMatch(/dataset card: \d+ fact line\(s\)/);
    const target = join(folder(), 'CARD.md');
    const written = memoryIo();
    expect(await runCardInitCommand(root, { output: target, hash: false }, written.io)).toBe(0);
    expect(readFileSync(target, 'utf8')).toContain('# Model Card for ');
    expect(() => readFileSync(join(root, 'README.md'))).toThrow();
  });

  it('refuses bad options and a path that is not a folder with a usage error', async () => {
    const root = folder({ 'x.txt': 'x' });
    const { io: cli } = memoryIo();
    await expect(runCardInitCommand(root, { kind: 'space' }, cli)).rejects.toThrow(UsageError);
    await expect(runCardInitCommand(root, { stdout: true, output: 'x.md' }, cli)).rejects.toThrow(
      '--stdout and --output cannot be used together',
    );
    await expect(runCardInitCommand(join(root, 'x.txt'), { stdout: true }, cli)).rejects.toThrow(
      /is not a folder/,
    );
    await expect(runCardInitCommand(join(root, 'missing'), { stdout: true }, cli)).rejects.toThrow(
      /cannot read/,
    );
  });
});
