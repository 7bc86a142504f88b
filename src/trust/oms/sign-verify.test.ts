import { createPrivateKey, createPublicKey } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ParseError } from '../../core/errors.js';
import {
  certificateFromBase64,
  generateKeyPair,
  KEY_TYPES,
  readCertificates,
  readPrivateKey,
  readPublicKey,
} from '../keys.js';
import { loadTrustedRoot } from '../sigstore.js';
import { parseOmsBundle } from './bundle.js';
import { compareResourceNames, rootDigest } from './manifest.js';
import { signModel } from './sign.js';
import { type VerifyTrust, verifyModel } from './verify.js';

/** Models signed by model_signing v0.2.0-v1.1.0 (test/fixtures/oms/SOURCES.txt). */
const SAMPLES = join(import.meta.dirname, '../../../test/fixtures/oms/samples');
/** The same samples in the shared data set, when present (CI may run without it). */
const SHARED_SAMPLES = join(import.meta.dirname, '../../../../shared/data/oms/scripts/tests');
const SHARED_PAYLOADS = join(
  import.meta.dirname,
  '../../../../shared/data/oms/tests/_signing/testdata/signing/TestPayload',
);
const KEYS = join(SAMPLES, 'keys/certificate');

const work = mkdtempSync(join(tmpdir(), 'pedigree-oms-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;
function fresh(name = 'model'): string {
  const dir = join(work, `${counter++}`, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** How model_signing's own test scripts verify each sample (scripts/tests/test-verify-*.sh). */
function trustFor(sample: string): VerifyTrust {
  if (sample.endsWith('elliptic-key'))
    return { kind: 'key', publicKey: readPublicKey(join(KEYS, 'signing-key-pub.pem')) };
  if (sample.endsWith('certificate'))
    return { kind: 'certificate', roots: readCertificates(join(KEYS, 'ca-cert.pem')) };
  return {
    kind: 'sigstore',
    policy: { identity: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2' },
    trustedRoot: loadTrustedRoot(),
  };
}

function sampleNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((d) => /^v\d/.test(d))
    .sort();
}

/** Verifies a sample folder as model_signing's scripts do (ignore-me given for releases that did not record it). */
async function verifySample(dir: string, sample: string) {
  // Releases v0.3.1 and v1.0.0 signed the key samples as a single file (resource ".", subject the file).
  const sig = parseOmsBundle(readFileSync(join(dir, 'model.sig'), 'utf8'), 'model.sig');
  const single = sig.resources.length === 1 && sig.resources[0]?.name === '.';
  return verifyModel({
    modelPath: single ? join(dir, sig.subject.name) : dir,
    signaturePath: join(dir, 'model.sig'),
    trust: trustFor(sample),
    ignorePaths: existsSync(join(dir, 'ignore-me')) ? ['ignore-me'] : [],
    workers: 1,
  });
}

describe('interop with model_signing signatures', () => {
  const sources = [SAMPLES, ...(existsSync(SHARED_SAMPLES) ? [SHARED_SAMPLES] : [])];
  for (const source of sources)
    for (const sample of sampleNames(source)) {
      it(`verifies ${sample} (${source === SAMPLES ? 'fixtures' : 'shared data'})`, async () => {
        const result = await verifySample(join(source, sample), sample);
        expect(result.signature).toMatchObject({ ok: true });
        expect(result.problems).toEqual([]);
        expect(result.verified).toBe(true);
        if (sample.startsWith('v0.2.0')) expect(result.layout).toBe('v0.2');
        if (sample.endsWith('sigstore')) expect(result.signature.signer).toContain('stefanb@us.ibm.com');
      });

      it(`names the changed, added and removed files of a tampered copy of ${sample}`, async () => {
        const dir = fresh(sample);
        cpSync(join(source, sample), dir, { recursive: true });
        const files = readdirSync(dir).filter((f) => f.startsWith('signme'));
        if (files.length === 1) {
          // A single-file model (signed with the model file as the path): change it.
          writeFileSync(join(dir, 'signme-1'), 'tampered\n');
        } else {
          writeFileSync(join(dir, 'signme-1'), 'tampered\n');
          rmSync(join(dir, 'signme-2'));
        }
        writeFileSync(join(dir, 'extra.py'), 'import os\n');
        const result = await verifySample(dir, sample);
        expect(result.verified).toBe(false);
        expect(result.signature.ok).toBe(true);
        if (files.length === 1) {
          // The model is the file itself: it changed; extra.py is beside it, not in it.
          expect(result.changed.map((c) => c.path)).toEqual(['.']);
          return;
        }
        expect(result.changed.map((c) => c.path)).toEqual(['signme-1']);
        expect(result.added).toEqual(['extra.py']);
        if (files.length > 1) expect(result.removed).toEqual(['signme-2']);
      });
    }

  it('refuses a sample verified with the wrong method or key, saying which to use', async () => {
    const dir = join(SAMPLES, 'v1.1.0-elliptic-key');
    const wrong = generateKeyPair('ecdsa-p384');
    const other = await verifyModel({
      modelPath: dir,
      signaturePath: join(dir, 'model.sig'),
      trust: { kind: 'key', publicKey: createPublicKey(wrong.publicPem) },
    });
    expect(other.verified).toBe(false);
    expect(other.compared).toBe(false);
    expect(other.signature.reason).toMatch(/another key \(hint e8450dec/);
    const cert = await verifyModel({
      modelPath: dir,
      signaturePath: join(dir, 'model.sig'),
      trust: { kind: 'certificate', roots: readCertificates(join(KEYS, 'ca-cert.pem')) },
    });
    expect(cert.signature.reason).toMatch(/bare key.*--key/);
    const certSample = join(SAMPLES, 'v1.1.0-certificate');
    const asKey = await verifyModel({
      modelPath: certSample,
      signaturePath: join(certSample, 'model.sig'),
      trust: { kind: 'key', publicKey: readPublicKey(join(KEYS, 'signing-key-pub.pem')) },
    });
    expect(asKey.signature.reason).toMatch(/--certificate-chain/);
    const untrusted = await verifyModel({
      modelPath: certSample,
      signaturePath: join(certSample, 'model.sig'),
      trust: { kind: 'certificate', roots: [createSelfSigned()] },
    });
    expect(untrusted.signature.ok).toBe(false);
    expect(untrusted.signature.reason).toMatch(/not issued by any trusted root/);
  });

  it('reads model_signing shard manifests: resource order and root digest as model_signing computes them', () => {
    if (!existsSync(SHARED_PAYLOADS)) return;
    for (const name of readdirSync(SHARED_PAYLOADS)) {
      const statement = JSON.parse(readFileSync(join(SHARED_PAYLOADS, name), 'utf8')) as {
        subject: { digest: { sha256: string } }[];
        predicate: { resources: { name: string; digest: string; algorithm: string }[] };
      };
      const resources = statement.predicate.resources;
      expect(rootDigest(resources), name).toBe(statement.subject[0]?.digest.sha256);
      const names = resources.map((r) => r.name);
      expect([...names].sort(compareResourceNames), name).toEqual(names);
    }
  });
});

/** A certificate unrelated to the samples' CA: the Fulcio certificate of the keyless sample. */
function createSelfSigned() {
  const bundle = JSON.parse(readFileSync(join(SAMPLES, 'v1.1.0-sigstore/model.sig'), 'utf8')) as {
    verificationMaterial: { certificate: { rawBytes: string } };
  };
  return certificateFromBase64(bundle.verificationMaterial.certificate.rawBytes, 'certificate');
}

function buildModel(dir: string): void {
  mkdirSync(join(dir, 'weights/sub'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), '{"model_type":"bert"}\n');
  writeFileSync(join(dir, 'weights/model-00001-of-00002.safetensors'), Buffer.alloc(5000, 1));
  writeFileSync(join(dir, 'weights/model-00002-of-00002.safetensors'), Buffer.alloc(3001, 2));
  writeFileSync(join(dir, 'weights/sub/empty.bin'), '');
  writeFileSync(join(dir, 'a.b'), 'dot');
  mkdirSync(join(dir, 'a'));
  writeFileSync(join(dir, 'a/b'), 'slash');
  mkdirSync(join(dir, '.git'));
  writeFileSync(join(dir, '.git/HEAD'), 'ref: refs/heads/main\n');
}

describe('sign and verify round trip', () => {
  for (const type of KEY_TYPES)
    it(`signs with an ${type} key and verifies, then names each tampered file`, async () => {
      const dir = fresh();
      buildModel(dir);
      const pair = generateKeyPair(type);
      const privateKey = createPrivateKey(pair.privatePem);
      const publicKey = createPublicKey(pair.publicPem);
      const signaturePath = join(dir, 'model.sig');
      const signed = await signModel({ modelPath: dir, signer: { kind: 'key', privateKey }, signaturePath });
      writeFileSync(signaturePath, signed.bundle);
      const sig = parseOmsBundle(signed.bundle, 'model.sig');
      expect(sig.keyMaterial).toEqual({ kind: 'public-key', hint: pair.hint });
      expect(sig.resources.map((r) => r.name)).toEqual([
        'a/b',
        'a.b',
        'config.json',
        'weights/model-00001-of-00002.safetensors',
        'weights/model-00002-of-00002.safetensors',
        'weights/sub/empty.bin',
      ]);
      expect(sig.serialization.ignorePaths).toEqual([
        '.git',
        '.gitattributes',
        '.github',
        '.gitignore',
        'model.sig',
      ]);
      const trust: VerifyTrust = { kind: 'key', publicKey };
      expect((await verifyModel({ modelPath: dir, signaturePath, trust })).verified).toBe(true);
      writeFileSync(join(dir, 'weights/model-00002-of-00002.safetensors'), Buffer.alloc(3001, 3));
      rmSync(join(dir, 'a/b'));
      writeFileSync(join(dir, 'weights/sub/payload.pkl'), 'x');
      writeFileSync(join(dir, '.git/HEAD'), 'changed: ignored\n');
      const result = await verifyModel({ modelPath: dir, signaturePath, trust });
      expect(result.verified).toBe(false);
      expect(result.changed.map((c) => c.path)).toEqual(['weights/model-00002-of-00002.safetensors']);
      expect(result.removed).toEqual(['a/b']);
      expect(result.added).toEqual(['weights/sub/payload.pkl']);
    });

  it('signs by shards with model_signing names and order, and names the changed byte range', async () => {
    const dir = fresh();
    buildModel(dir);
    const pair = generateKeyPair('ecdsa-p256');
    const signaturePath = join(work, `shards-${counter++}.sig`);
    const signed = await signModel({
      modelPath: dir,
      signer: { kind: 'key', privateKey: createPrivateKey(pair.privatePem) },
      signaturePath,
      method: 'shards',
      shardSize: 1000,
    });
    writeFileSync(signaturePath, signed.bundle);
    const sig = parseOmsBundle(signed.bundle, 'sig');
    expect(sig.serialization).toMatchObject({ method: 'shards', shardSize: 1000 });
    // The signature is outside the model: only the default exclusions are recorded.
    expect(sig.serialization.ignorePaths).toEqual(['.git', '.gitattributes', '.github', '.gitignore']);
    const first = sig.resources.filter((r) => r.name.startsWith('weights/model-00001'));
    expect(first.map((r) => r.name)).toEqual(
      [0, 1000, 2000, 3000, 4000].map((s) => `weights/model-00001-of-00002.safetensors:${s}:${s + 1000}`),
    );
    expect(new Set(sig.resources.map((r) => r.algorithm))).toEqual(new Set(['sha256-sharded-1000']));
    const trust: VerifyTrust = { kind: 'key', publicKey: createPublicKey(pair.publicPem) };
    expect((await verifyModel({ modelPath: dir, signaturePath, trust, workers: 2 })).verified).toBe(true);
    const bytes = Buffer.alloc(5000, 1);
    bytes[2500] = 9;
    writeFileSync(join(dir, 'weights/model-00001-of-00002.safetensors'), bytes);
    const result = await verifyModel({ modelPath: dir, signaturePath, trust });
    expect(result.changed).toEqual([
      { path: 'weights/model-00001-of-00002.safetensors', shards: ['2000:3000'] },
    ]);
  });

  it('signs with BLAKE2b and with a certificate chain, verified under the root CA', async () => {
    const dir = fresh();
    buildModel(dir);
    const signaturePath = join(dir, 'model.sig');
    const signed = await signModel({
      modelPath: dir,
      signer: {
        kind: 'certificate',
        privateKey: readPrivateKey(join(KEYS, 'signing-key.pem')),
        chain: [
          ...readCertificates(join(KEYS, 'signing-key-cert.pem')),
          ...readCertificates(join(KEYS, 'int-ca-cert.pem')),
        ],
      },
      signaturePath,
      hashType: 'blake2b',
    });
    writeFileSync(signaturePath, signed.bundle);
    const sig = parseOmsBundle(signed.bundle, 'sig');
    expect(sig.keyMaterial.kind).toBe('certificate-chain');
    expect(sig.resources[0]?.digest).toHaveLength(128);
    const result = await verifyModel({
      modelPath: dir,
      signaturePath,
      trust: { kind: 'certificate', roots: readCertificates(join(KEYS, 'ca-cert.pem')) },
    });
    expect(result.signature).toMatchObject({ ok: true, method: 'certificate' });
    expect(result.verified).toBe(true);
  });

  it('refuses a certificate that is not for the key', async () => {
    const dir = fresh();
    buildModel(dir);
    await expect(
      signModel({
        modelPath: dir,
        signer: {
          kind: 'certificate',
          privateKey: createPrivateKey(generateKeyPair('ecdsa-p384').privatePem),
          chain: readCertificates(join(KEYS, 'signing-key-cert.pem')),
        },
        signaturePath: join(dir, 'model.sig'),
      }),
    ).rejects.toThrow(/not for the private key/);
  });

  it('signs a single-file model as model_signing does (resource ".")', async () => {
    const dir = fresh();
    const file = join(dir, 'model.safetensors');
    writeFileSync(file, Buffer.alloc(100, 7));
    const pair = generateKeyPair('ed25519');
    const signaturePath = `${file}.sig`;
    const signed = await signModel({
      modelPath: file,
      signer: { kind: 'key', privateKey: createPrivateKey(pair.privatePem) },
      signaturePath,
    });
    writeFileSync(signaturePath, signed.bundle);
    const sig = parseOmsBundle(signed.bundle, 'sig');
    expect(sig.resources.map((r) => r.name)).toEqual(['.']);
    expect(sig.subject.name).toBe('model.safetensors');
    const trust: VerifyTrust = { kind: 'key', publicKey: createPublicKey(pair.publicPem) };
    expect((await verifyModel({ modelPath: file, signaturePath, trust })).verified).toBe(true);
    writeFileSync(file, Buffer.alloc(100, 8));
    const result = await verifyModel({ modelPath: file, signaturePath, trust });
    expect(result.changed.map((c) => c.path)).toEqual(['.']);
  });

  it('never follows a symbolic link out of the model folder, signing or verifying', async () => {
    const dir = fresh();
    buildModel(dir);
    const outside = join(work, `outside-${counter++}`);
    writeFileSync(outside, 'secret');
    symlinkSync(outside, join(dir, 'link.bin'));
    const pair = generateKeyPair('ecdsa-p256');
    const signer = { kind: 'key' as const, privateKey: createPrivateKey(pair.privatePem) };
    await expect(
      signModel({ modelPath: dir, signer, signaturePath: join(dir, 'model.sig') }),
    ).rejects.toThrow(/link\.bin: is a symbolic link/);
    await expect(
      signModel({ modelPath: dir, signer, signaturePath: join(dir, 'model.sig'), allowSymlinks: true }),
    ).rejects.toThrow(/outside the model folder/);
    rmSync(join(dir, 'link.bin'));
    const signaturePath = join(dir, 'model.sig');
    writeFileSync(signaturePath, (await signModel({ modelPath: dir, signer, signaturePath })).bundle);
    // A link planted after signing is not followed and fails the verification.
    symlinkSync(outside, join(dir, 'config2.json'));
    const result = await verifyModel({
      modelPath: dir,
      signaturePath,
      trust: { kind: 'key', publicKey: createPublicKey(pair.publicPem) },
    });
    expect(result.verified).toBe(false);
    expect(result.problems.map((p) => p.path)).toEqual(['config2.json']);
  });

  it('honours ignore paths given at signing (recorded) and at verification, and --ignore-unsigned-files', async () => {
    const dir = fresh();
    buildModel(dir);
    writeFileSync(join(dir, 'README.md'), 'notes');
    const pair = generateKeyPair('ecdsa-p256');
    const signaturePath = join(dir, 'model.sig');
    const signed = await signModel({
      modelPath: dir,
      signer: { kind: 'key', privateKey: createPrivateKey(pair.privatePem) },
      signaturePath,
      ignorePaths: ['README.md', 'weights/sub'],
    });
    writeFileSync(signaturePath, signed.bundle);
    expect(parseOmsBundle(signed.bundle, 'sig').serialization.ignorePaths).toContain('weights/sub');
    writeFileSync(join(dir, 'README.md'), 'edited notes');
    writeFileSync(join(dir, 'weights/sub/new.bin'), 'new');
    const trust: VerifyTrust = { kind: 'key', publicKey: createPublicKey(pair.publicPem) };
    expect((await verifyModel({ modelPath: dir, signaturePath, trust })).verified).toBe(true);
    writeFileSync(join(dir, 'notes.txt'), 'later');
    expect((await verifyModel({ modelPath: dir, signaturePath, trust })).added).toEqual(['notes.txt']);
    expect(
      (await verifyModel({ modelPath: dir, signaturePath, trust, ignorePaths: ['notes.txt'] })).verified,
    ).toBe(true);
    const unsigned = await verifyModel({ modelPath: dir, signaturePath, trust, ignoreUnsignedFiles: true });
    expect(unsigned).toMatchObject({ verified: true, unsigned: ['notes.txt'] });
  });

  it('refuses a malformed signature file with the field named, and a tampered statement', async () => {
    const dir = fresh();
    buildModel(dir);
    const pair = generateKeyPair('ecdsa-p256');
    const signaturePath = join(dir, 'model.sig');
    const signed = await signModel({
      modelPath: dir,
      signer: { kind: 'key', privateKey: createPrivateKey(pair.privatePem) },
      signaturePath,
    });
    const trust: VerifyTrust = { kind: 'key', publicKey: createPublicKey(pair.publicPem) };
    writeFileSync(signaturePath, '{"mediaType": 5}');
    await expect(verifyModel({ modelPath: dir, signaturePath, trust })).rejects.toThrow(ParseError);
    writeFileSync(signaturePath, signed.bundle.slice(0, 100));
    await expect(verifyModel({ modelPath: dir, signaturePath, trust })).rejects.toThrow(
      /model\.sig: not JSON/,
    );
    // A statement edited after signing (a digest swapped to match a tampered file) fails the signature.
    const bundle = JSON.parse(signed.bundle) as { dsseEnvelope: { payload: string } };
    const statement = Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8');
    bundle.dsseEnvelope.payload = Buffer.from(
      statement.replace(/"digest": "[0-9a-f]{4}/, '"digest": "0000'),
    ).toString('base64');
    writeFileSync(signaturePath, JSON.stringify(bundle));
    const result = await verifyModel({ modelPath: dir, signaturePath, trust });
    expect(result.signature.ok).toBe(false);
    expect(result.compared).toBe(false);
  });
});
