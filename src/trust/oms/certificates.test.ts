import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOmsBundle } from './bundle.js';
import { verifyCertificateChain } from './certificates.js';
import { verifyEnvelope } from './dsse.js';

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
      reason: /not issued by any trusted root/,
    });
    expect(verifyCertificateChain(chain, [root], new Date('2040-01-01T00:00:00Z'))).toMatchObject({
      ok: false,
      reason: /expired/,
    });
    expect(verifyCertificateChain(chain, [root], new Date('2020-01-01T00:00:00Z'))).toMatchObject({
      ok: false,
      reason: /not valid before/,
    });
    expect(verifyCertificateChain([...chain].reverse(), [root], AT).ok).toBe(false);
    expect(verifyCertificateChain([], [root], AT)).toMatchObject({ ok: false, reason: /no certificate/ });
    expect(verifyCertificateChain(chain, [], AT)).toMatchObject({ ok: false, reason: /no trusted root/ });
    // The intermediate itself may be the trust anchor.
    expect(verifyCertificateChain(chain, [intermediate], AT).ok).toBe(true);
  });
});
