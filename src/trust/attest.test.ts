import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ParseError, UsageError } from '../core/errors.js';
import { createAttestation, expandSubjects, verifyAttestation } from './attest.js';
import { signToBundle } from './bundle-write.js';
import type { VerifyTrust } from './check-signature.js';
import { generateKeyPair, readCertificates, readPrivateKey } from './keys.js';
import { parseDsseBundle, statementJsonOf } from './oms/bundle.js';
import { createTestHierarchy, EKU } from './oms/test-support/certificates.js';
import { loadTrustedRoot } from './sigstore.js';

const KEYS = join(import.meta.dirname, '../../test/fixtures/oms/samples/keys/certificate');
const SAMPLES = join(import.meta.dirname, '../../test/fixtures/oms/samples');
const work = mkdtempSync(join(tmpdir(), 'pedigree-attest-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;

function project(): string {
  const dir = join(work, `p${counter++}`);
  mkdirSync(join(dir, 'model'), { recursive: true });
  writeFileSync(join(dir, 'model/weights.safetensors'), Buffer.alloc(2048, 5));
  writeFileSync(join(dir, 'model/config.json'), '{}');
  writeFileSync(join(dir, 'bom.json'), JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6' }));
  return dir;
}

const pair = generateKeyPair('ecdsa-p256');
const signer = { kind: 'key' as const, privateKey: createPrivateKey(pair.privatePem) };
const trust: VerifyTrust = { kind: 'key', publicKey: createPublicKey(pair.publicPem) };
const BOM_TYPE = 'https://cyclonedx.org/bom';

async function attest(dir: string, subjects = ['model']): Promise<string> {
  const bundle = await createAttestation({
    predicateType: BOM_TYPE,
    predicate: { bomFormat: 'CycloneDX', specVersion: '1.6' },
    subjects: expandSubjects(
      subjects.map((s) => join(dir, s)),
      dir,
    ),
    signer,
  });
  const path = join(dir, 'bom.att.json');
  writeFileSync(path, bundle);
  return path;
}

describe('attest and verify-attestation', () => {
  it('signs an in-toto statement about files and verifies each subject digest', async () => {
    const dir = project();
    const path = await attest(dir);
    const statement = statementJsonOf(parseDsseBundle(readFileSync(path, 'utf8'), path), path) as {
      subject: { name: string; digest: { sha256: string } }[];
      predicateType: string;
    };
    expect(statement.predicateType).toBe(BOM_TYPE);
    expect(statement.subject.map((s) => s.name)).toEqual(['model/config.json', 'model/weights.safetensors']);
    const result = await verifyAttestation({ bundlePath: path, trust, baseDir: dir });
    expect(result.verified).toBe(true);
    expect(result.subjects.map((s) => s.status)).toEqual(['match', 'match']);
    expect(result.predicate).toEqual({ bomFormat: 'CycloneDX', specVersion: '1.6' });
  });

  it('names a changed and a missing subject, and a subject given that the statement does not name', async () => {
    const dir = project();
    const path = await attest(dir);
    writeFileSync(join(dir, 'model/weights.safetensors'), Buffer.alloc(2048, 6));
    rmSync(join(dir, 'model/config.json'));
    const result = await verifyAttestation({ bundlePath: path, trust, baseDir: dir });
    expect(result.verified).toBe(false);
    expect(result.subjects).toMatchObject([
      { name: 'model/config.json', status: 'missing' },
      { name: 'model/weights.safetensors', status: 'mismatch', algorithm: 'sha256' },
    ]);
    const given = await verifyAttestation({
      bundlePath: path,
      trust,
      baseDir: dir,
      subjectPaths: [join(dir, 'bom.json')],
    });
    expect(given).toMatchObject({ verified: false, unattested: ['bom.json'], subjects: [] });
  });

  it('checks only the given subjects when asked, and the predicate type', async () => {
    const dir = project();
    const path = await attest(dir);
    rmSync(join(dir, 'model/config.json'));
    const one = await verifyAttestation({
      bundlePath: path,
      trust,
      baseDir: dir,
      subjectPaths: [join(dir, 'model/weights.safetensors')],
    });
    expect(one.verified).toBe(true);
    const wrongType = await verifyAttestation({
      bundlePath: path,
      trust,
      baseDir: dir,
      subjectPaths: [join(dir, 'model/weights.safetensors')],
      predicateType: 'https://slsa.dev/provenance/v1',
    });
    expect(wrongType.verified).toBe(false);
    expect(wrongType.predicateTypeMismatch).toEqual({
      expected: 'https://slsa.dev/provenance/v1',
      actual: BOM_TYPE,
    });
  });

  it('never reads outside the base folder or through a symbolic link, whatever the statement names', async () => {
    const dir = project();
    writeFileSync(join(work, 'outside.txt'), 'x');
    symlinkSync(join(work, 'outside.txt'), join(dir, 'link.txt'));
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [
        { name: '../outside.txt', digest: { sha256: '00'.repeat(32) } },
        { name: '/etc/passwd', digest: { sha256: '00'.repeat(32) } },
        { name: 'link.txt', digest: { sha256: '00'.repeat(32) } },
        { name: 'bom.json', digest: { md5: '00'.repeat(16) } },
      ],
      predicateType: BOM_TYPE,
      predicate: {},
    };
    const path = join(dir, 'hostile.json');
    writeFileSync(
      path,
      signToBundle('application/vnd.in-toto+json', Buffer.from(JSON.stringify(statement)), signer),
    );
    const result = await verifyAttestation({ bundlePath: path, trust, baseDir: dir });
    expect(result.verified).toBe(false);
    expect(result.subjects.map((s) => [s.name, s.status])).toEqual([
      ['../outside.txt', 'not-checked'],
      ['/etc/passwd', 'not-checked'],
      ['bom.json', 'not-checked'],
      ['link.txt', 'not-checked'],
    ]);
  });

  it('verifies with a certificate chain, refuses the wrong key without comparing files', async () => {
    const dir = project();
    const bundle = await createAttestation({
      predicateType: BOM_TYPE,
      predicate: {},
      subjects: expandSubjects([join(dir, 'bom.json')], dir),
      signer: {
        kind: 'certificate',
        privateKey: readPrivateKey(join(KEYS, 'signing-key.pem')),
        chain: [
          ...readCertificates(join(KEYS, 'signing-key-cert.pem')),
          ...readCertificates(join(KEYS, 'int-ca-cert.pem')),
        ],
      },
    });
    const path = join(dir, 'cert.att.json');
    writeFileSync(path, bundle);
    const ok = await verifyAttestation({
      bundlePath: path,
      trust: { kind: 'certificate', roots: readCertificates(join(KEYS, 'ca-cert.pem')) },
      baseDir: dir,
    });
    expect(ok.verified).toBe(true);
    const other = generateKeyPair('ecdsa-p256');
    const wrong = await verifyAttestation({
      bundlePath: await attest(dir),
      trust: { kind: 'key', publicKey: createPublicKey(other.publicPem) },
      baseDir: dir,
    });
    expect(wrong).toMatchObject({ verified: false, subjects: [], signature: { ok: false } });
  });

  it('checks a Sigstore keyless signature offline (an OMS signature read as an attestation)', async () => {
    const result = await verifyAttestation({
      bundlePath: join(SAMPLES, 'v1.1.0-sigstore/model.sig'),
      trust: {
        kind: 'sigstore',
        policy: { identity: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2' },
        trustedRoot: loadTrustedRoot(),
      },
      baseDir: SAMPLES,
    });
    expect(result.signature.ok).toBe(true);
    expect(result.predicateType).toBe('https://model_signing/signature/v1.0');
    // Its subject is the model folder with the OMS root digest: not a file, so not checked here.
    expect(result.subjects).toMatchObject([{ name: 'v1.1.0-sigstore', status: 'not-checked' }]);
    expect(result.verified).toBe(false);
  });

  it('refuses malformed input clearly', async () => {
    const dir = project();
    const path = join(dir, 'bad.json');
    writeFileSync(path, signToBundle('application/vnd.in-toto+json', Buffer.from('{"_type":"x"}'), signer));
    await expect(verifyAttestation({ bundlePath: path, trust, baseDir: dir })).rejects.toThrow(
      /bad\.json: statement\._type/,
    );
    writeFileSync(path, '[]');
    await expect(verifyAttestation({ bundlePath: path, trust, baseDir: dir })).rejects.toThrow(ParseError);
    expect(() => expandSubjects([join(work, 'outside.txt')], dir)).toThrow(UsageError);
    expect(() => expandSubjects([join(dir, 'nope')], dir)).toThrow(/nope/);
    await expect(
      createAttestation({
        predicateType: 'not a uri',
        predicate: {},
        subjects: expandSubjects([join(dir, 'bom.json')], dir),
        signer,
      }),
    ).rejects.toThrow(/must be a URI/);
  });
});

describe('createAttestation > with a certificate', () => {
  const pki = createTestHierarchy();

  it('refuses a certificate no verifier accepts for signing, or one not for the key, before signing', async () => {
    const dir = project();
    const subjects = expandSubjects([join(dir, 'bom.json')], dir);
    const unusable = pki.leaf({ subject: 'no-usage' });
    await expect(
      createAttestation({
        predicateType: BOM_TYPE,
        predicate: {},
        subjects,
        signer: { kind: 'certificate', privateKey: unusable.privateKey, chain: [unusable.certificate] },
      }),
    ).rejects.toThrow(/CN=no-usage is not a signing certificate/);
    const other = pki.leaf({ subject: 'other', keyUsage: ['digitalSignature'] });
    await expect(
      createAttestation({
        predicateType: BOM_TYPE,
        predicate: {},
        subjects,
        signer: { kind: 'certificate', privateKey: unusable.privateKey, chain: [other.certificate] },
      }),
    ).rejects.toThrow(/is not for the private key given/);
  });

  it('verifies a chain listed in any order after the leaf', async () => {
    const dir = project();
    const leaf = pki.leaf({ subject: 'attester', extKeyUsage: [EKU.codeSigning] });
    const path = join(dir, 'att.json');
    writeFileSync(
      path,
      await createAttestation({
        predicateType: BOM_TYPE,
        predicate: {},
        subjects: expandSubjects([join(dir, 'bom.json')], dir),
        signer: {
          kind: 'certificate',
          privateKey: leaf.privateKey,
          chain: [leaf.certificate, pki.root.certificate, pki.intermediate.certificate],
        },
      }),
    );
    const result = await verifyAttestation({
      bundlePath: path,
      trust: { kind: 'certificate', roots: [pki.root.certificate] },
      baseDir: dir,
    });
    expect(result.verified).toBe(true);
  });
});
