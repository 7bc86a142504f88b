import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { projectCdx, projectSpdx3, SHA, text } from '../../bom/diff/test-support.js';
import { UsageError } from '../../core/errors.js';
import { createProgram } from '../main.js';
import { memoryIo } from '../test-io.js';
import { registerBomDiffCommand, runBomDiffCommand } from './bom-diff.js';

const folders: string[] = [];

function folder(files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'pedigree-bom-diff-cli-'));
  folders.push(root);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(root, name), content);
  return root;
}

afterEach(() => {
  for (const root of folders.splice(0)) rmSync(root, { recursive: true, force: true });
});

/**
 * Runs `pedigree bom diff ...` through commander as cli/main.ts wires it: a `bom` command with positional
 * options, `diff` registered under it, errors mapped to exit codes as runCli maps them.
 */
async function run(argv: string[], tty = false) {
  const { io: cli, out } = memoryIo(tty);
  let code = 0;
  const program = new Command('pedigree')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: cli.stdout, writeErr: cli.stderr });
  // As cli/main.ts declares `bom`: an argument, options of its own (`-o` too) and an action.
  const bom = program
    .command('bom')
    .enablePositionalOptions()
    .helpCommand(false)
    .argument('[path]', 'project folder', '.')
    .option('-o, --output <file>', 'write the BOM to a file')
    .action(() => {
      code = 99;
    });
  registerBomDiffCommand(bom, cli, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) code = 2;
    else if (error instanceof UsageError) {
      cli.stderr(`pedigree: ${error.message}\n`);
      code = 2;
    } else throw error;
  }
  return { code, ...out };
}

const v1 = text(projectCdx());
const v2 = text(projectCdx({ torchVersion: '2.4.0', torchSha: SHA.f, shard1: SHA.g }));

describe('pedigree bom diff', () => {
  it('exits 0 and says so when the BOMs match, also across formats', async () => {
    const root = folder({ 'a.json': v1, 'b.json': v1, 'b.spdx.json': text(projectSpdx3()) });
    const same = await run(['bom', 'diff', join(root, 'a.json'), join(root, 'b.json')]);
    expect(same).toMatchObject({ code: 0, stderr: '' });
    expect(same.stdout).toMatch(/No differences: 7 components in both BOMs\.\n$/);
    const mixed = await run(['bom', 'diff', join(root, 'a.json'), join(root, 'b.spdx.json')]);
    expect(mixed.code).toBe(0);
    expect(mixed.stdout).toContain('(SPDX 3.0.1, 7 components)');
  });

  it('exits 1 when they differ, in text, json and markdown', async () => {
    const root = folder({ 'a.json': v1, 'b.json': v2 });
    const a = join(root, 'a.json');
    const b = join(root, 'b.json');
    const shown = await run(['bom', 'diff', a, b]);
    expect(shown.code).toBe(1);
    expect(shown.stdout).toContain('Models whose weights changed (1)');
    expect(shown.stdout).toContain('version: 2.3.1 → 2.4.0');
    expect(shown.stdout).not.toMatch(/\u001b\[/);

    const json = await run(['bom', 'diff', a, b, '--format', 'json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as {
      a: { path: string };
      summary: { changed: number; modelsChanged: number };
    };
    expect(report.a.path).toBe(a);
    expect(report.summary).toMatchObject({ changed: 2, modelsChanged: 1 });

    const md = await run(['bom', 'diff', a, b, '-f', 'markdown']);
    expect(md.code).toBe(1);
    expect(md.stdout).toMatch(/^## pedigree bom diff\n/);
    expect(md.stdout.indexOf('### Models whose weights changed')).toBeLessThan(
      md.stdout.indexOf('### Changed'),
    );
  });

  it('colours text on a terminal', async () => {
    const root = folder({ 'a.json': v1, 'b.json': v2 });
    const shown = await run(['bom', 'diff', join(root, 'a.json'), join(root, 'b.json')], true);
    expect(shown.stdout).toMatch(/\u001b\[/);
  });

  it('writes the report to --output and nothing to standard output', async () => {
    const root = folder({ 'a.json': v1, 'b.json': v2 });
    const report = join(root, 'diff.json');
    const result = await run([
      'bom',
      'diff',
      join(root, 'a.json'),
      join(root, 'b.json'),
      '-f',
      'json',
      '-o',
      report,
    ]);
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: '' });
    expect(JSON.parse(readFileSync(report, 'utf8'))).toMatchObject({
      schemaVersion: '1.0.0',
      summary: { identical: false },
    });
    // A file written with colour on a terminal would hold escapes: it does not.
    await run(
      ['bom', 'diff', join(root, 'a.json'), join(root, 'b.json'), '-o', join(root, 'diff.txt')],
      true,
    );
    expect(readFileSync(join(root, 'diff.txt'), 'utf8')).not.toMatch(/\u001b\[/);
  });

  it('exits 2 for a missing file, naming it', async () => {
    const root = folder({ 'a.json': v1 });
    const result = await run(['bom', 'diff', join(root, 'a.json'), join(root, 'missing.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`pedigree: ${join(root, 'missing.json')}: no such file\n`);
    expect(result.stdout).toBe('');
  });

  it('exits 2 for a file that is not a BOM it can compare, naming the file, field and reason', async () => {
    const root = folder({
      'a.json': v1,
      'array.json': '[]',
      'bad.json': text({
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        components: [{ type: 'library', name: 3 }],
      }),
    });
    const bad = await run(['bom', 'diff', join(root, 'a.json'), join(root, 'bad.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      `pedigree: not a BOM pedigree can compare: ${join(root, 'bad.json')}: components[0].name: expected a string, got a number\n`,
    );
    const array = await run(['bom', 'diff', join(root, 'array.json'), join(root, 'a.json')]);
    expect(array.code).toBe(2);
    expect(array.stderr).toContain('array.json: (top level): expected a JSON object');
  });

  it('is reached as a subcommand of bom, with its own --output', async () => {
    const root = folder({ 'a.json': v1 });
    const report = join(root, 'out.txt');
    const result = await run(['bom', 'diff', join(root, 'a.json'), join(root, 'a.json'), '-o', report]);
    expect(result.code).toBe(0);
    expect(readFileSync(report, 'utf8')).toContain('No differences');
    expect((await run(['bom', root])).code).toBe(99);
  });

  it("works under the bom command of cli/main.ts's program", async () => {
    const root = folder({ 'a.json': v1, 'b.json': v2 });
    const { io: cli, out } = memoryIo();
    let code = -1;
    const program = createProgram(cli, (c) => {
      code = c;
    });
    const bom = program.commands.find((c) => c.name() === 'bom');
    if (bom === undefined) throw new Error('no bom command in the program');
    // Registered here until cli/main.ts does it itself.
    if (!bom.commands.some((c) => c.name() === 'diff'))
      registerBomDiffCommand(bom, cli, (c) => {
        code = c;
      });
    await program.parseAsync(['bom', 'diff', join(root, 'a.json'), join(root, 'b.json'), '-f', 'json'], {
      from: 'user',
    });
    expect(code).toBe(1);
    expect(JSON.parse(out.stdout)).toMatchObject({ summary: { identical: false, modelsChanged: 1 } });
  });

  it('exits 2 for an unknown format or a missing argument', async () => {
    const root = folder({ 'a.json': v1 });
    const badFormat = await run(['bom', 'diff', join(root, 'a.json'), join(root, 'a.json'), '-f', 'sarif']);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain("argument 'sarif' is invalid");
    expect((await run(['bom', 'diff', join(root, 'a.json')])).code).toBe(2);
    await expect(runBomDiffCommand('a', 'b', { format: 'html' }, memoryIo().io)).rejects.toThrow(
      "--format must be one of text, json, markdown, got 'html'",
    );
  });

  it('exits 2 when the output file cannot be written', async () => {
    const root = folder({ 'a.json': v1 });
    const result = await run([
      'bom',
      'diff',
      join(root, 'a.json'),
      join(root, 'a.json'),
      '-o',
      join(root, 'no', 'such', 'dir.txt'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^pedigree: cannot write .*dir\.txt/);
  });
});
