import { createPublicKey, generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type OmsSignature, parseOmsBundle, preAuthEncoding } from './bundle.js';
import { signatureAlgorithmOf, verifyEnvelope } from './dsse.js';

const SAMPLES = join(import.meta.dirname, '../../../test/fixtures/oms/samples');
const signingKey = createPublicKey(readFileSync(join(SAMPLES, 'keys/certificate/signing-key-pub.pem')));

/** The key the bundle itself names: the leaf certificate's for certificate and Sigstore signatures. */
function bundleKey(sig: OmsSignature) {
  if (sig.keyMaterial.kind === 'certificate')
    return new X509Certificate(Buffer.from(sig.keyMaterial.rawBytes, 'base64')).publicKey;
  if (sig.keyMaterial.kind === 'certificate-chain')
    return new X509Certificate(Buffer.from(sig.keyMaterial.certificates[0] as string, 'base64')).publicKey;
  return signingKey;
}

describe('DSSE signatures of model_signing samples', () => {
  const samples = readdirSync(SAMPLES).filter((d) => d.startsWith('v') && !d.startsWith('v0.2'));

  for (const sample of samples) {
    it(`verifies ${sample} and refuses it once tampered`, () => {
      const sig = parseOmsBundle(readFileSync(join(SAMPLES, sample, 'model.sig'), 'utf8'));
      const key = bundleKey(sig);
      expect(verifyEnvelope(sig.envelope, key)).toBe(true);
      const payload = Buffer.from(sig.envelope.payload);
      payload[payload.length - 2] = (payload[payload.length - 2] as number) ^ 1;
      expect(verifyEnvelope({ ...sig.envelope, payload }, key)).toBe(false);
      expect(verifyEnvelope({ ...sig.envelope, payloadType: 'application/json' }, key)).toBe(false);
    });
  }

  it('uses the hash that goes with the key', () => {
    expect(signatureAlgorithmOf(signingKey)).toBe('ecdsa-p384-sha384');
    for (const [curve, expected] of [
      ['prime256v1', 'ecdsa-p256-sha256'],
      ['secp521r1', 'ecdsa-p521-sha512'],
    ] as const) {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      expect(signatureAlgorithmOf(publicKey)).toBe(expected);
    }
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    expect(() =>
      verifyEnvelope({ payload: Buffer.from('x'), payloadType: 't', signatures: [] }, rsa),
    ).toThrow(/unsupported key type rsa/);
    expect(
      signatureAlgorithmOf(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey),
    ).toBeUndefined();
  });

  it('verifies Ed25519 and refuses a wrong key or a malformed signature', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const envelope = { payload: Buffer.from('{"a":1}'), payloadType: 'application/vnd.in-toto+json' };
    const sig = sign(null, preAuthEncoding(envelope.payloadType, envelope.payload), privateKey);
    expect(verifyEnvelope({ ...envelope, signatures: [{ sig }] }, publicKey)).toBe(true);
    expect(
      verifyEnvelope({ ...envelope, signatures: [{ sig }] }, generateKeyPairSync('ed25519').publicKey),
    ).toBe(false);
    expect(verifyEnvelope({ ...envelope, signatures: [{ sig: Buffer.from('not der') }] }, signingKey)).toBe(
      false,
    );
  });
});
