import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOmsBundle } from './bundle.js';
import { leafSigningUsage, verifyCertificateChain } from './certificates.js';
import { verifyEnvelope } from './dsse.js';
import {
  createTestCertificate,
  createTestHierarchy,
  EKU,
  type KeyUsageName,
} from './test-support/certificates.js';

const SAMPLES = join(import.meta.dirname, '../../../test/fixtures/oms/samples');
const pem = (name: string) => new X509Certificate(readFileSync(join(SAMPLES, 'keys/certificate', name)));
const root = pem('ca-cert.pem');
const intermediate = pem('int-ca-cert.pem');
const AT = new Date('2026-06-01T00:00:00Z');

function chainOf(sample: string): X509Certificate[] {
  const sig = parseOmsBundle(readFileSync(join(SAMPLES, sample, 'model.sig'), 'utf8'));
  if (sig.keyMaterial.kind !== 'certificate-chain')
    throw new Error(`${sample} is not a certificate signature`);
  return sig.keyMaterial.certificates.map((c) => new X509Certificate(Buffer.from(c, 'base64')));
}

describe('certificate chains of model_signing certificate signatures', () => {
  for (const sample of [
    'v0.3.1-certificate',
    'v1.0.0-certificate',
    'v1.0.1-certificate',
    'v1.1.0-certificate',
  ]) {
    it(`accepts ${sample} under the samples' root CA, and the envelope verifies with its leaf`, () => {
      const chain = chainOf(sample);
      const result = verifyCertificateChain(chain, [root], AT);
      expect(result.ok).toBe(true);
      const sig = parseOmsBundle(readFileSync(join(SAMPLES, sample, 'model.sig'), 'utf8'));
      expect(result.ok && verifyEnvelope(sig.envelope, result.leaf.publicKey)).toBe(true);
    });
  }

  it('refuses an untrusted root, an expired chain, a broken order and an empty chain', () => {
    const chain = chainOf('v1.1.0-certificate');
    const unrelated = new X509Certificate(
      Buffer.from(
        (
          parseOmsBundle(readFileSync(join(SAMPLES, 'v1.1.0-sigstore', 'model.sig'), 'utf8')).keyMaterial as {
            rawBytes: string;
          }
        ).rawBytes,
        'base64',
      ),
    );
    expect(verifyCertificateChain(chain, [unrelated], AT)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not issued by any trusted root/),
    });
    expect(verifyCertificateChain(chain, [root], new Date('2040-01-01T00:00:00Z'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/expired/),
    });
    expect(verifyCertificateChain(chain, [root], new Date('2020-01-01T00:00:00Z'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not valid before/),
    });
    expect(verifyCertificateChain([...chain].reverse(), [root], AT).ok).toBe(false);
    expect(verifyCertificateChain([], [root], AT)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/no certificate/),
    });
    expect(verifyCertificateChain(chain, [], AT)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/no trusted root/),
    });
    // The intermediate itself may be the trust anchor.
    expect(verifyCertificateChain(chain, [intermediate], AT).ok).toBe(true);
  });
});

describe('verifyCertificateChain > the leaf must be usable for signing, by model_signing rule', () => {
  const pki = createTestHierarchy();
  const roots = [pki.root.certificate];
  const chainOfLeaf = (spec: Omit<Parameters<typeof pki.leaf>[0], 'subject'>) => [
    pki.leaf({ subject: 'leaf', ...spec }).certificate,
    pki.intermediate.certificate,
  ];

  it('accepts key usage digitalSignature whatever the extended key usage says (serverAuth here)', () => {
    const chain = chainOfLeaf({ keyUsage: ['digitalSignature'], extKeyUsage: [EKU.serverAuth] });
    expect(verifyCertificateChain(chain, roots).ok).toBe(true);
  });

  it('accepts extended key usage codeSigning whatever the key usage says (keyEncipherment here)', () => {
    const chain = chainOfLeaf({ keyUsage: ['keyEncipherment'], extKeyUsage: [EKU.codeSigning] });
    expect(verifyCertificateChain(chain, roots).ok).toBe(true);
  });

  it('accepts either extension alone when it allows signing', () => {
    expect(verifyCertificateChain(chainOfLeaf({ keyUsage: ['digitalSignature'] }), roots).ok).toBe(true);
    expect(verifyCertificateChain(chainOfLeaf({ extKeyUsage: [EKU.codeSigning] }), roots).ok).toBe(true);
  });

  it('refuses a leaf with neither extension, as model_signing does', () => {
    expect(verifyCertificateChain(chainOfLeaf({}), roots)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(
        /leaf is not a signing certificate \(it has no key usage and no extended key usage\)/,
      ),
    });
  });

  it('refuses a leaf whose extensions both say something else', () => {
    expect(
      verifyCertificateChain(
        chainOfLeaf({ keyUsage: ['keyEncipherment'], extKeyUsage: [EKU.serverAuth, EKU.clientAuth] }),
        roots,
      ),
    ).toMatchObject({
      ok: false,
      reason: expect.stringMatching(
        /does not include digital signatures and .* does not include code signing/,
      ),
    });
    expect(verifyCertificateChain(chainOfLeaf({ keyUsage: ['keyEncipherment'] }), roots).ok).toBe(false);
    expect(verifyCertificateChain(chainOfLeaf({ extKeyUsage: [EKU.serverAuth] }), roots).ok).toBe(false);
  });

  it('agrees with the rule on every combination', () => {
    const kus: (readonly KeyUsageName[] | undefined)[] = [
      undefined,
      [],
      ['digitalSignature'],
      ['keyCertSign'],
    ];
    const ekus: (readonly string[] | undefined)[] = [undefined, [EKU.codeSigning], [EKU.serverAuth]];
    for (const keyUsage of kus)
      for (const extKeyUsage of ekus) {
        const cert = pki.leaf({
          subject: 'leaf',
          ...(keyUsage ? { keyUsage } : {}),
          ...(extKeyUsage ? { extKeyUsage } : {}),
        }).certificate;
        const expected =
          keyUsage?.includes('digitalSignature') === true || extKeyUsage?.includes(EKU.codeSigning) === true;
        expect(leafSigningUsage(cert).ok, `${keyUsage} / ${extKeyUsage}`).toBe(expected);
      }
  });
});

describe('verifyCertificateChain > the certificates after the leaf, in any order', () => {
  const pki = createTestHierarchy();
  const leaf = pki.leaf({ subject: 'leaf', keyUsage: ['digitalSignature'] }).certificate;
  const root = pki.root.certificate;
  const int = pki.intermediate.certificate;

  it('builds the path from an unordered pool, as OpenSSL does for model_signing', () => {
    for (const chain of [
      [leaf, int],
      [leaf, int, root],
      [leaf, root, int],
    ])
      expect(verifyCertificateChain(chain, [root])).toMatchObject({ ok: true, root });
  });

  it('ignores certificates of the pool the path does not use', () => {
    const stranger = createTestCertificate({ subject: 'stranger', ca: true }).certificate;
    expect(verifyCertificateChain([leaf, stranger, root, int], [root]).ok).toBe(true);
  });

  it('still refuses a leaf that is not first, and a pool missing the intermediate', () => {
    expect(verifyCertificateChain([int, leaf], [root]).ok).toBe(false);
    expect(verifyCertificateChain([leaf, root], [root])).toMatchObject({
      ok: false,
      reason: expect.stringMatching(
        /CN=leaf is not issued by any trusted root .* nor by another certificate of the signature/,
      ),
    });
  });

  it('refuses an issuer of the pool that is not a CA, or not valid at the time', () => {
    const notCa = createTestCertificate({ subject: 'not-a-ca', issuer: pki.root, keyUsage: ['keyCertSign'] });
    const under = createTestCertificate({ subject: 'leaf2', issuer: notCa, keyUsage: ['digitalSignature'] });
    expect(verifyCertificateChain([under.certificate, notCa.certificate], [root])).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/CN=not-a-ca signs CN=leaf2 but is not a CA/),
    });
    const expired = createTestCertificate({
      subject: 'old-ca',
      issuer: pki.root,
      ca: true,
      notAfter: new Date('2025-06-01T00:00:00Z'),
    });
    const late = createTestCertificate({ subject: 'leaf3', issuer: expired, keyUsage: ['digitalSignature'] });
    expect(
      verifyCertificateChain(
        [late.certificate, expired.certificate],
        [root],
        new Date('2026-01-01T00:00:00Z'),
      ),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/CN=old-ca expired/) });
  });

  it('ends on a ring of CAs that issue each other, never looping', () => {
    // ring-a is signed by ring-b's key and ring-b by ring-a's: leaf -> a -> b -> a ... never reaches the root.
    const keyA = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyB = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const a = createTestCertificate({
      subject: 'ring-a',
      keyPair: keyA,
      issuer: { subject: 'ring-b', privateKey: keyB.privateKey },
      ca: true,
    });
    const b = createTestCertificate({
      subject: 'ring-b',
      keyPair: keyB,
      issuer: { subject: 'ring-a', privateKey: keyA.privateKey },
      ca: true,
    });
    expect(a.certificate.checkIssued(b.certificate) && b.certificate.checkIssued(a.certificate)).toBe(true);
    const signer = createTestCertificate({
      subject: 'ring-leaf',
      issuer: { subject: 'ring-a', privateKey: keyA.privateKey },
      keyUsage: ['digitalSignature'],
    });
    const result = verifyCertificateChain([signer.certificate, a.certificate, b.certificate], [root]);
    expect(result).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/CN=ring-b is not issued by any trusted root/),
    });
  });
});
