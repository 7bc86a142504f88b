import { createPublicKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { UsageError } from '../core/errors.js';
import { keysMatch, publicKeyHint } from './keys.js';
import { MAX_BUNDLE_BYTES } from './oms/bundle.js';
import { leafSigningUsage } from './oms/certificates.js';
import { signEnvelopePayload } from './oms/dsse.js';

/**
 * Writes Sigstore bundles v0.3 around a DSSE envelope signed offline, the way model_signing writes them
 * for its key and certificate methods (sign_ec_key.py, sign_certificate.py): `publicKey.hint` or
 * `x509CertificateChain` (leaf first), no transparency-log entries, one signature with an empty `keyid`.
 * Sigstore's bundle spec: https://github.com/sigstore/protobuf-specs (bundle.proto, v0.3).
 */

export const BUNDLE_MEDIA_TYPE_V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';

export type BundleSigner =
  | { readonly kind: 'key'; readonly privateKey: KeyObject }
  | {
      readonly kind: 'certificate';
      readonly privateKey: KeyObject;
      /** The signing certificate first, then its issuers (the chain up to, and maybe with, the root). */
      readonly chain: readonly X509Certificate[];
    };

/** Checks that the signer's parts belong together before anything is signed. */
export function checkSigner(signer: BundleSigner): void {
  if (signer.kind !== 'certificate') return;
  const leaf = signer.chain[0];
  if (leaf === undefined) throw new UsageError('BAD_ARGUMENT', 'the certificate chain is empty');
  if (!keysMatch(signer.privateKey, leaf.publicKey))
    throw new UsageError(
      'BAD_ARGUMENT',
      `the signing certificate (${leaf.subject.replace(/\n/g, ', ') || leaf.serialNumber}) is not for the private key given`,
    );
  // Refused now rather than written into a signature no verifier accepts (pedigree and model_signing
  // check the leaf's key usage the same way).
  const usage = leafSigningUsage(leaf);
  if (!usage.ok)
    throw new UsageError(
      'BAD_ARGUMENT',
      `--certificate: ${usage.reason}; neither pedigree nor model_signing would accept a signature made with it`,
    );
}

function verificationMaterial(signer: BundleSigner): Record<string, unknown> {
  if (signer.kind === 'key')
    return { publicKey: { hint: publicKeyHint(createPublicKey(signer.privateKey)) }, tlogEntries: [] };
  return {
    x509CertificateChain: {
      certificates: signer.chain.map((c) => ({ rawBytes: c.raw.toString('base64') })),
    },
    tlogEntries: [],
  };
}

/**
 * Signs the payload into a DSSE envelope inside a Sigstore bundle; returns the bundle's JSON text. Throws
 * UsageError when the bundle would be larger than verification reads ({@link MAX_BUNDLE_BYTES}): a
 * signature that cannot be verified is not written.
 */
export function signToBundle(payloadType: string, payload: Buffer, signer: BundleSigner): string {
  checkSigner(signer);
  // The payload is base64 in the bundle (4 bytes for 3), plus the key material and the signature.
  const estimate = Math.ceil(payload.length / 3) * 4 + 64 * 1024;
  if (estimate > MAX_BUNDLE_BYTES)
    throw new UsageError(
      'BAD_ARGUMENT',
      `the signed statement is ${payload.length} bytes; its bundle would be larger than the ${MAX_BUNDLE_BYTES} bytes a verifier reads (sign fewer files at once)`,
    );
  const sig = signEnvelopePayload(payloadType, payload, signer.privateKey);
  return JSON.stringify({
    mediaType: BUNDLE_MEDIA_TYPE_V03,
    verificationMaterial: verificationMaterial(signer),
    dsseEnvelope: {
      payload: payload.toString('base64'),
      payloadType,
      signatures: [{ sig: sig.toString('base64'), keyid: '' }],
    },
  });
}
