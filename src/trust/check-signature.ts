import { createPublicKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { certificateFromBase64, publicKeyHint } from './keys.js';
import type { DsseBundle } from './oms/bundle.js';
import { verifyCertificateChain } from './oms/certificates.js';
import { verifyEnvelope } from './oms/dsse.js';
import { type KeylessPolicy, type TrustedRoot, verifySigstoreBundle } from './sigstore.js';

/**
 * Checks the signature of a Sigstore bundle holding a DSSE envelope against what the user trusts: a
 * public key (model_signing's key method), CA certificates (its certificate method: the bundle's chain
 * must lead to one of them), or a Sigstore keyless identity (Fulcio certificate, transparency log,
 * checked offline against a trusted root). Shared by `verify` (OMS signatures) and
 * `verify-attestation` (any in-toto statement).
 */

export type VerifyTrust =
  | { readonly kind: 'key'; readonly publicKey: KeyObject }
  | { readonly kind: 'certificate'; readonly roots: readonly X509Certificate[] }
  | { readonly kind: 'sigstore'; readonly policy: KeylessPolicy; readonly trustedRoot: TrustedRoot };

export interface SignatureCheck {
  readonly ok: boolean;
  readonly method: 'key' | 'certificate' | 'sigstore';
  /** Who signed, as far as the signature proves it (key hint, certificate subject, Sigstore identity). */
  readonly signer?: string;
  readonly reason?: string;
  readonly signedAt?: string;
}

/** Checks the signature against what the user trusts; never throws for a signature that does not verify. */
function subjectOf(cert: X509Certificate): string {
  const subject = cert.subject.replace(/\n/g, ', ');
  return subject !== '' ? subject : (cert.subjectAltName ?? cert.serialNumber);
}

export function checkBundleSignature(
  signature: DsseBundle,
  trust: VerifyTrust,
  options: { readonly file: string; readonly legacyV02?: boolean },
): SignatureCheck {
  const { file } = options;
  const legacyV02 = options.legacyV02 === true;
  const material = signature.keyMaterial;
  if (trust.kind === 'key') {
    if (material.kind !== 'public-key')
      return {
        ok: false,
        method: 'key',
        reason: `the signature was made with a certificate, not a bare key; verify it with ${material.kind === 'certificate-chain' ? '--certificate-chain' : '--identity and --issuer (Sigstore)'}`,
      };
    const hint = publicKeyHint(trust.publicKey);
    if (material.hint !== undefined && material.hint !== '' && material.hint !== hint)
      return {
        ok: false,
        method: 'key',
        reason: `the signature names another key (hint ${material.hint}); the key given has hint ${hint}`,
      };
    if (material.rawBytes !== undefined) {
      // Releases before v1.1 embedded the public key's PEM; it must be the key the user trusts.
      try {
        const embedded = createPublicKey(Buffer.from(material.rawBytes, 'base64'));
        if (publicKeyHint(embedded) !== hint)
          return {
            ok: false,
            method: 'key',
            reason: `the signature carries another public key (hint ${publicKeyHint(embedded)}); the key given has hint ${hint}`,
          };
      } catch {
        // An unreadable embedded key proves nothing either way: the signature check below decides.
      }
    }
    const ok = verifyEnvelope(signature.envelope, trust.publicKey, { legacyV02 });
    return ok
      ? { ok, method: 'key', signer: `key ${hint}` }
      : {
          ok,
          method: 'key',
          reason: 'the signature does not verify with the key given',
          signer: `key ${hint}`,
        };
  }
  if (trust.kind === 'certificate') {
    if (material.kind === 'public-key')
      return {
        ok: false,
        method: 'certificate',
        reason: 'the signature was made with a bare key, not a certificate; verify it with --key',
      };
    if (material.kind === 'certificate' && signature.tlogEntries > 0)
      return {
        ok: false,
        method: 'certificate',
        reason:
          'the signature is a Sigstore keyless signature; verify it with --identity and --issuer (and --trusted-root)',
      };
    const raw = material.kind === 'certificate' ? [material.rawBytes] : material.certificates;
    const chain = raw.map((b, i) =>
      certificateFromBase64(b, `${file}: bundle.verificationMaterial certificate ${i + 1}`),
    );
    const leaf = chain[0] as X509Certificate;
    // As model_signing does (sign_certificate.py sets the store time to the leaf's notBefore): without a
    // transparency log there is no trusted signing time, so the chain is checked as of the leaf's issue.
    const at = new Date(Date.parse(leaf.validFrom));
    const result = verifyCertificateChain(chain, trust.roots, at);
    if (!result.ok) return { ok: false, method: 'certificate', reason: result.reason };
    const signer = `${subjectOf(leaf)} (issued by ${subjectOf(result.root)})`;
    let ok: boolean;
    try {
      ok = verifyEnvelope(signature.envelope, leaf.publicKey, { legacyV02 });
    } catch (error) {
      // A leaf with a key OMS does not sign with (RSA, another curve): the signature cannot verify.
      if (!(error instanceof RangeError)) throw error;
      return { ok: false, method: 'certificate', signer, reason: error.message };
    }
    return ok
      ? { ok, method: 'certificate', signer }
      : {
          ok,
          method: 'certificate',
          signer,
          reason: "the signature does not verify with the certificate's key",
        };
  }
  if (material.kind !== 'certificate')
    return {
      ok: false,
      method: 'sigstore',
      reason: `the signature is not a Sigstore keyless signature; verify it with ${material.kind === 'public-key' ? '--key' : '--certificate-chain'}`,
    };
  const result = verifySigstoreBundle(signature.json, trust.policy, { trustedRoot: trust.trustedRoot, file });
  if (!result.ok) return { ok: false, method: 'sigstore', reason: result.reason };
  return {
    ok: true,
    method: 'sigstore',
    signer: `${result.identity} (issuer ${result.issuer})`,
    ...(result.signedAt ? { signedAt: result.signedAt.toISOString() } : {}),
  };
}
