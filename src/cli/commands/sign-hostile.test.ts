import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { InternalError } from '../../core/errors.js';
import { runCli } from '../main.js';
import { memoryIo } from '../test-io.js';

/**
 * `keygen`, `sign`, `verify`, `attest` and `verify-attestation` used carelessly or against a hostile
 * folder: every refusal is exit 2 with a message naming the option or file, never "internal error", and
 * nothing is written where it would destroy something.
 */

const state = vi.hoisted(() => ({ failHashing: false }));
vi.mock('../../trust/oms/hash-pool.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../trust/oms/hash-pool.js')>();
  return {
    ...original,
    hashJobs: (...args: Parameters<typeof original.hashJobs>) =>
      state.failHashing
        ? Promise.reject(
            new InternalError('IO', 'cannot hash the model: EACCES: permission denied, open weights.bin'),
          )
        : original.hashJobs(...args),
  };
});

const KEYS = join(import.meta.dirname, '../../../test/fixtures/oms/samples/keys/certificate');
const PRIVATE = join(KEYS, 'signing-key.pem');
const PUBLIC = join(KEYS, 'signing-key-pub.pem');
const work = mkdtempSync(join(tmpdir(), 'pedigree-sign-hostile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;

async function run(...argv: string[]) {
  const { io, out } = memoryIo();
  const code = await runCli(argv, io);
  return { code, ...out };
}

function model(): string {
  const dir = join(work, `m${counter++}`, 'model');
  mkdirSync(join(dir, 'weights'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), '{}');
  writeFileSync(join(dir, 'weights/model.safetensors'), Buffer.alloc(64, 1));
  return dir;
}

function expectUsageError(result: { code: number; stderr: string }, message: RegExp) {
  expect(result.code).toBe(2);
  expect(result.stderr).not.toMatch(/internal error/);
  expect(result.stderr).toMatch(message);
}

describe('pedigree keygen > when used carelessly', () => {
  it('refuses a public key path that is the private key spelled otherwise, even with --force', async () => {
    const d = join(work, `k${counter++}`);
    mkdirSync(d);
    const key = join(d, 'k.pem');
    for (const force of [[], ['--force']]) {
      expectUsageError(
        await run('keygen', '-o', key, '--public-output', join(d, '.', 'k.pem'), ...force),
        /same file/,
      );
      expect(existsSync(key)).toBe(false);
    }
    await run('keygen', '-o', key);
    const before = readFileSync(key, 'utf8');
    expectUsageError(
      await run('keygen', '-o', key, '--public-output', `${d}//k.pem`, '--force'),
      /same file/,
    );
    expect(readFileSync(key, 'utf8')).toBe(before);
    expect(before).toContain('PRIVATE KEY');
  });

  it('writes neither key when the public key file exists', async () => {
    const d = join(work, `k${counter++}`);
    mkdirSync(d);
    writeFileSync(join(d, 'k.pub.pem'), '');
    expectUsageError(await run('keygen', '-o', join(d, 'k.pem')), /k\.pub\.pem already exists/);
    expect(readdirSync(d)).toEqual(['k.pub.pem']);
  });

  it('with --force, replaces a symbolic link planted where the key goes instead of writing through it', async () => {
    const d = join(work, `k${counter++}`);
    mkdirSync(d);
    writeFileSync(join(d, 'victim'), 'keep');
    symlinkSync(join(d, 'victim'), join(d, 'k.pem'));
    expectUsageError(await run('keygen', '-o', join(d, 'k.pem')), /already exists/);
    expect((await run('keygen', '-o', join(d, 'k.pem'), '--force')).code).toBe(0);
    expect(readFileSync(join(d, 'victim'), 'utf8')).toBe('keep');
    expect(statSync(join(d, 'k.pem')).mode & 0o777).toBe(0o600);
  });

  it('refuses a password file that never ends', async () => {
    if (!existsSync('/dev/zero')) return;
    const d = join(work, `k${counter++}`);
    mkdirSync(d);
    expectUsageError(
      await run('keygen', '-o', join(d, 'k.pem'), '--password-file', '/dev/zero'),
      /--password-file \/dev\/zero is larger than/,
    );
  });
});

describe('pedigree sign > when used carelessly or on a hostile folder', () => {
  it('turns a file that cannot be hashed into exit 2 naming the model, not an internal error', async () => {
    const dir = model();
    state.failHashing = true;
    try {
      expectUsageError(await run('sign', dir, '--key', PRIVATE), /not signed: cannot hash the model: EACCES/);
    } finally {
      state.failHashing = false;
    }
    expect(existsSync(join(dir, 'model.sig'))).toBe(false);
  });

  it('never writes the signature through a symbolic link or into a FIFO planted where it goes', async () => {
    const dir = model();
    const victim = join(dir, '..', 'victim');
    writeFileSync(victim, 'keep');
    symlinkSync(victim, join(dir, 'model.sig'));
    expectUsageError(await run('sign', dir, '--key', PRIVATE), /model\.sig is a symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('keep');
    rmSync(join(dir, 'model.sig'));
    execFileSync('mkfifo', [join(dir, 'model.sig')]);
    expectUsageError(await run('sign', dir, '--key', PRIVATE), /model\.sig exists and is not a regular file/);
  });

  it('refuses to overwrite the model file itself or a file of the model folder, but replaces its own signature', async () => {
    const dir = model();
    const weights = join(dir, 'weights/model.safetensors');
    expectUsageError(await run('sign', weights, '--key', PRIVATE, '-o', weights), /is the model itself/);
    expectUsageError(
      await run('sign', dir, '--key', PRIVATE, '-o', join(dir, 'config.json')),
      /config\.json is a file of the model, not a signature/,
    );
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe('{}');
    expect(readFileSync(weights)).toEqual(Buffer.alloc(64, 1));
    expect((await run('sign', dir, '--key', PRIVATE, '-q')).code).toBe(0);
    expect((await run('sign', dir, '--key', PRIVATE, '-q')).code).toBe(0);
    expect((await run('verify', dir, '--key', PUBLIC)).code).toBe(0);
  });

  it('refuses --ignore . (it would be recorded as the whole model)', async () => {
    const dir = model();
    expectUsageError(
      await run('sign', dir, '--key', PRIVATE, '--ignore', `${dir}/.`),
      /--ignore .*names the whole model/,
    );
  });

  it('records a signature file named ..sig inside the model as ignored', async () => {
    const dir = model();
    const sig = join(dir, '..sig');
    expect((await run('sign', dir, '--key', PRIVATE, '-o', sig, '-q')).code).toBe(0);
    const payload = JSON.parse(
      Buffer.from(JSON.parse(readFileSync(sig, 'utf8')).dsseEnvelope.payload, 'base64').toString('utf8'),
    );
    expect(payload.predicate.serialization.ignore_paths).toContain('..sig');
  });
});

describe('pedigree verify > when used carelessly or on a hostile folder', () => {
  it('names --trusted-root given without keyless options, and a malformed one, with exit 2', async () => {
    const dir = model();
    await run('sign', dir, '--key', PRIVATE, '-q');
    expectUsageError(
      await run('verify', dir, '--key', PUBLIC, '--trusted-root', '/nonexistent'),
      /--trusted-root goes with Sigstore keyless/,
    );
    const bad = join(dir, '..', 'root.json');
    writeFileSync(bad, '{');
    expectUsageError(
      await run('verify', dir, '--identity', 'a@b.c', '--issuer', 'https://i', '--trusted-root', bad),
      /--trusted-root .*root\.json: not JSON/,
    );
  });

  it('names an identity regex that does not compile even when the signature is not keyless', async () => {
    const dir = model();
    await run('sign', dir, '--key', PRIVATE, '-q');
    expectUsageError(
      await run('verify', dir, '--identity-regex', '(', '--issuer', 'https://i'),
      /identity regex "\(" is not a valid regular expression/,
    );
  });

  it('refuses a FIFO as the signature at once (exit 2), not after waiting for a writer', async () => {
    const dir = model();
    execFileSync('mkfifo', [join(dir, 'model.sig')]);
    expectUsageError(
      await run('verify', dir, '--key', PUBLIC),
      /signature .*model\.sig is not a regular file/,
    );
  });

  it('never writes the report (-o) through a symbolic link planted in the model folder', async () => {
    const dir = model();
    await run('sign', dir, '--key', PRIVATE, '-q');
    const victim = join(dir, '..', 'bashrc');
    writeFileSync(victim, 'keep');
    symlinkSync(victim, join(dir, 'report.json'));
    expectUsageError(
      await run(
        'verify',
        dir,
        '--key',
        PUBLIC,
        '--ignore',
        'report.json',
        '-f',
        'json',
        '-o',
        join(dir, 'report.json'),
      ),
      /--output .*report\.json is a symbolic link; not written through it/,
    );
    expect(readFileSync(victim, 'utf8')).toBe('keep');
  });

  it('prints file names from the model with their control characters neutralised', async () => {
    const dir = model();
    await run('sign', dir, '--key', PRIVATE, '-q');
    writeFileSync(join(dir, 'x\u001b[2J\nVERIFIED: all good'), '');
    const result = await run('verify', dir, '--key', PUBLIC);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('\u001b');
    expect(result.stdout.split('\n').filter((l) => l.startsWith('VERIFIED'))).toEqual([]);
    expect(result.stdout).toMatch(/added\s+x\?\[2J\\nVERIFIED: all good/);
  });
});

describe('pedigree attest, verify-attestation > when used carelessly', () => {
  it('never writes the attestation through a symbolic link', async () => {
    const dir = model();
    const predicate = join(dir, '..', 'p.json');
    writeFileSync(predicate, '{}');
    const victim = join(dir, '..', 'victim');
    writeFileSync(victim, 'keep');
    const out = join(dir, '..', 'att.json');
    symlinkSync(victim, out);
    expectUsageError(
      await run(
        'attest',
        '--predicate-type',
        'https://x/y',
        '--predicate',
        predicate,
        '--subject',
        dir,
        '--base-dir',
        join(dir, '..'),
        '--key',
        PRIVATE,
        '-o',
        out,
      ),
      /att\.json is a symbolic link/,
    );
    expect(readFileSync(victim, 'utf8')).toBe('keep');
  });

  it('reports a statement nesting too deep as exit 2, not a stack overflow in the JSON report', async () => {
    const dir = model();
    const predicate = join(dir, '..', 'p.json');
    writeFileSync(predicate, '{}');
    const att = join(dir, '..', 'deep.att.json');
    expect(
      (
        await run(
          'attest',
          '--predicate-type',
          'https://x/y',
          '--predicate',
          predicate,
          '--subject',
          dir,
          '--base-dir',
          join(dir, '..'),
          '--key',
          PRIVATE,
          '-o',
          att,
          '-q',
        )
      ).code,
    ).toBe(0);
    // Re-sign a deep statement with the same key (what a careless signer could produce).
    const { signToBundle } = await import('../../trust/bundle-write.js');
    const { readPrivateKey } = await import('../../trust/keys.js');
    const deep = `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha256":"00"}}],"predicateType":"https://x/y","predicate":{"d":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`;
    writeFileSync(
      att,
      signToBundle('application/vnd.in-toto+json', Buffer.from(deep), {
        kind: 'key',
        privateKey: readPrivateKey(PRIVATE),
      }),
    );
    expectUsageError(
      await run('verify-attestation', att, '--key', PUBLIC, '-f', 'json'),
      /nests deeper than/,
    );
  });
});
