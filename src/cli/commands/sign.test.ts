import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signToBundle } from '../../trust/bundle-write.js';
import { readPrivateKey } from '../../trust/keys.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../trust/oms/bundle.js';
import { runCli } from '../main.js';
import { memoryIo } from '../test-io.js';

const SAMPLES = join(import.meta.dirname, '../../../test/fixtures/oms/samples');
const KEYS = join(SAMPLES, 'keys/certificate');
const work = mkdtempSync(join(tmpdir(), 'pedigree-sign-cli-'));
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
  writeFileSync(join(dir, 'weights/model.safetensors'), Buffer.alloc(4096, 1));
  return dir;
}

describe('pedigree keygen, sign, verify', () => {
  it('generates a key pair with a private key only its owner can read, and never overwrites it', async () => {
    const key = join(work, 'k1.pem');
    const result = await run('keygen', '-o', key);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(statSync(join(work, 'k1.pub.pem')).mode & 0o777).toBe(0o644);
    expect(readFileSync(key, 'utf8')).toContain('BEGIN PRIVATE KEY');
    const again = await run('keygen', '-o', key);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
    expect((await run('keygen', '-o', key, '--force', '-t', 'ed25519')).code).toBe(0);
  });

  it('encrypts the private key with a passphrase and needs it to sign', async () => {
    const key = join(work, 'enc.pem');
    const pass = join(work, 'pass.txt');
    writeFileSync(pass, 'correct horse\n');
    expect((await run('keygen', '-o', key, '--password-file', pass, '-t', 'ecdsa-p384')).code).toBe(0);
    expect(readFileSync(key, 'utf8')).toContain('ENCRYPTED PRIVATE KEY');
    const dir = model();
    const missing = await run('sign', dir, '--key', key);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/encrypted.*--password-file/);
    expect((await run('sign', dir, '--key', key, '--password-file', pass, '-q')).code).toBe(0);
    const ok = await run('verify', dir, '--key', join(work, 'enc.pub.pem'));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/VERIFIED/);
  });

  it('signs, verifies (exit 0), then lists the tampered files (exit 1), as text and JSON', async () => {
    const key = join(work, 'k2.pem');
    await run('keygen', '-o', key);
    const dir = model();
    const signed = await run('sign', dir, '--key', key);
    expect(signed.code).toBe(0);
    expect(signed.stderr).toMatch(/2 files.*root digest sha256:[0-9a-f]{64}; signature .*model\.sig/);
    expect((await run('verify', dir, '--key', join(work, 'k2.pub.pem'))).code).toBe(0);
    writeFileSync(join(dir, 'weights/model.safetensors'), Buffer.alloc(4096, 2));
    writeFileSync(join(dir, 'backdoor.py'), 'import os');
    rmSync(join(dir, 'config.json'));
    const text = await run('verify', dir, '--key', join(work, 'k2.pub.pem'));
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/changed\s+weights\/model\.safetensors/);
    expect(text.stdout).toMatch(/added\s+backdoor\.py/);
    expect(text.stdout).toMatch(/removed\s+config\.json/);
    expect(text.stdout).toMatch(/NOT VERIFIED: 1 changed, 1 added, 1 removed/);
    const json = await run('verify', dir, '--key', join(work, 'k2.pub.pem'), '-f', 'json');
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      schemaVersion: '1.0.0',
      verified: false,
      added: ['backdoor.py'],
      removed: ['config.json'],
      changed: [{ path: 'weights/model.safetensors' }],
      signature: { ok: true, method: 'key' },
    });
  });

  it('verifies every model_signing sample from the command line, as its own test scripts do', async () => {
    const dir = join(work, 'samples');
    cpSync(SAMPLES, dir, { recursive: true });
    const pub = join(KEYS, 'signing-key-pub.pem');
    const ca = join(KEYS, 'ca-cert.pem');
    const keyless = [
      '--identity',
      'stefanb@us.ibm.com',
      '--issuer',
      'https://sigstore.verify.ibm.com/oauth2',
    ];
    const cases: [string, string[]][] = [
      ['v0.2.0-certificate', ['--certificate-chain', ca]],
      ['v0.3.1-certificate', ['--certificate-chain', ca]],
      ['v0.3.1-sigstore', keyless],
      ['v1.0.1-elliptic-key', ['--key', pub, '--ignore', join(dir, 'v1.0.1-elliptic-key/ignore-me')]],
      ['v1.1.0-certificate', ['--certificate-chain', ca]],
      ['v1.1.0-elliptic-key', ['--key', pub]],
      ['v1.1.0-sigstore', keyless],
    ];
    for (const [sample, args] of cases) {
      const result = await run('verify', join(dir, sample), ...args);
      expect(result.code, `${sample}: ${result.stdout}${result.stderr}`).toBe(0);
    }
    const single = await run(
      'verify',
      join(dir, 'v1.0.0-elliptic-key/signme-1'),
      '--signature',
      join(dir, 'v1.0.0-elliptic-key/model.sig'),
      '--key',
      pub,
    );
    expect(single.code, single.stdout + single.stderr).toBe(0);
    const wrongIdentity = await run(
      'verify',
      join(dir, 'v1.1.0-sigstore'),
      '--identity',
      'mallory@example.com',
      '--issuer',
      'https://sigstore.verify.ibm.com/oauth2',
    );
    expect(wrongIdentity.code).toBe(1);
    expect(wrongIdentity.stdout).toMatch(/INVALID.*mallory@example\.com/);
  });

  it('exits 2 for usage errors and malformed signatures, never crashing', async () => {
    const dir = model();
    const key = join(work, 'k3.pem');
    await run('keygen', '-o', key);
    const none = await run(
      'verify',
      dir,
      '--signature',
      join(dir, 'missing.sig'),
      '--key',
      join(work, 'k3.pub.pem'),
    );
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/missing\.sig/);
    writeFileSync(
      join(dir, 'model.sig'),
      '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{},"dsseEnvelope":{"payload":"","payloadType":"x","signatures":[]}}',
    );
    const bad = await run('verify', dir, '--key', join(work, 'k3.pub.pem'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/model\.sig: bundle\.dsseEnvelope\.signatures: no signature/);
    expect((await run('verify', dir)).code).toBe(2);
    expect((await run('verify', dir, '--key', key, '--certificate-chain', key)).code).toBe(2);
    expect((await run('sign', dir, '--key', join(work, 'nope.pem'))).code).toBe(2);
    expect((await run('sign', dir, '--key', key, '--shard-size', '10')).code).toBe(2);
    expect((await run('sign', dir, '--key', key, '--ignore', '../elsewhere')).code).toBe(2);
  });
});

describe('pedigree sign, verify > interoperability with model_signing', () => {
  it('notes on standard error what model_signing will not verify, and says nothing with -q', async () => {
    const key = join(work, 'k-notes.pem');
    await run('keygen', '-o', key);
    const dir = model();
    const plain = await run('sign', dir, '--key', key);
    expect(plain.stderr).not.toMatch(/note:/);
    const shards = await run('sign', dir, '--key', key, '--method', 'shards', '--hash', 'blake2b');
    expect(shards.code).toBe(0);
    expect(shards.stderr).toMatch(
      /pedigree sign: note: model_signing's command line cannot verify a shard signature/,
    );
    expect(shards.stderr).toMatch(/pedigree sign: note: model_signing cannot verify a blake2b signature/);
    expect((await run('sign', dir, '--key', key, '--method', 'shards', '-q')).stderr).toBe('');
    const ed = join(work, 'k-notes-ed.pem');
    await run('keygen', '-o', ed, '-t', 'ed25519');
    expect((await run('sign', dir, '--key', ed)).stderr).toMatch(
      /note: model_signing \(v1\.1\) verifies ECDSA keys only/,
    );
    symlinkSync('config.json', join(dir, 'config-link.json'));
    expect((await run('sign', dir, '--key', key, '--allow-symlinks')).stderr).toMatch(
      /note: model_signing verifies this signature only from its command line with --allow-symlinks/,
    );
  });

  it('signs and compares the git paths with --no-ignore-git-paths', async () => {
    const key = join(work, 'k-git.pem');
    await run('keygen', '-o', key);
    const dir = model();
    writeFileSync(join(dir, '.gitattributes'), '*.safetensors filter=lfs\n');
    expect((await run('sign', dir, '--key', key, '--no-ignore-git-paths', '-q')).code).toBe(0);
    const pub = join(work, 'k-git.pub.pem');
    const json = await run('verify', dir, '--key', pub, '-f', 'json');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { files: number; ignorePaths: string[]; notes: unknown[] };
    expect(report.files).toBe(3);
    expect(report.ignorePaths).toEqual(['.git', '.github', '.gitignore', 'model.sig']);
    expect(report.notes).toEqual([]);
    writeFileSync(join(dir, '.gitignore'), '*.tmp\n');
    expect((await run('verify', dir, '--key', pub)).code).toBe(0);
    const strict = await run('verify', dir, '--key', pub, '--no-ignore-git-paths');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/added\s+\.gitignore/);
  });

  it('shows notes and predicate fields OMS v1.0 does not define, without failing', async () => {
    const key = join(work, 'k-extra.pem');
    await run('keygen', '-o', key);
    const dir = model();
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real/w.bin'), 'w');
    await run('sign', dir, '--key', key, '--allow-symlinks', '-q');
    symlinkSync('real', join(dir, 'alias'));
    // The same signature with a predicate key v1.0 does not define, signed again with the same key.
    const bundle = JSON.parse(readFileSync(join(dir, 'model.sig'), 'utf8'));
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
    statement.predicate.futureField = { x: 1 };
    const signed = signToBundle(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement)), {
      kind: 'key',
      privateKey: readPrivateKey(key, undefined),
    });
    writeFileSync(join(dir, 'model.sig'), signed);
    const text = await run('verify', dir, '--key', join(work, 'k-extra.pub.pem'));
    expect(text.code, text.stdout).toBe(0);
    expect(text.stdout).toMatch(/note\s+alias: is a symbolic link to the folder real; not followed/);
    expect(text.stdout).toMatch(
      /note\s+the signed predicate also holds a field OMS v1\.0 does not define, not checked .*: futureField/,
    );
    const json = await run('verify', dir, '--key', join(work, 'k-extra.pub.pem'), '-f', 'json');
    expect(JSON.parse(json.stdout)).toMatchObject({
      verified: true,
      extraPredicateFields: ['futureField'],
      notes: [{ path: 'alias' }],
    });
  });
});

describe('pedigree attest, verify-attestation', () => {
  it('attests a BOM about a model folder and verifies it; exit 1 names the changed file', async () => {
    const key = join(work, 'att.pem');
    await run('keygen', '-o', key);
    const dir = model();
    const bom = join(work, `bom${counter++}.json`);
    writeFileSync(bom, '{"bomFormat":"CycloneDX","specVersion":"1.6"}');
    const out = join(work, `att${counter++}.json`);
    const attested = await run(
      'attest',
      '--predicate-type',
      'https://cyclonedx.org/bom',
      '--predicate',
      bom,
      '--subject',
      dir,
      '--base-dir',
      join(dir, '..'),
      '--key',
      key,
      '-o',
      out,
    );
    expect(attested.code, attested.stderr).toBe(0);
    expect(attested.stderr).toMatch(/about 2 subjects/);
    const pub = join(work, 'att.pub.pem');
    const ok = await run('verify-attestation', out, '--key', pub, '--base-dir', join(dir, '..'));
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/match\s+model\/weights\/model\.safetensors/);
    writeFileSync(join(dir, 'weights/model.safetensors'), 'changed');
    const bad = await run(
      'verify-attestation',
      out,
      '--key',
      pub,
      '--base-dir',
      join(dir, '..'),
      '-f',
      'json',
    );
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({
      verified: false,
      subjects: [
        { name: 'model/config.json', status: 'match' },
        { name: 'model/weights/model.safetensors', status: 'mismatch' },
      ],
    });
    expect((await run('verify-attestation', join(work, 'none.json'), '--key', pub)).code).toBe(2);
    expect(
      (await run('attest', '--predicate-type', 'x', '--predicate', bom, '--subject', dir, '--key', key)).code,
    ).toBe(2);
  });
});
