import { type KeyObject, sign, verify } from 'node:crypto';
import { preAuthEncoding, preAuthEncodingV02 } from './bundle.js';

/**
 * Checks a DSSE envelope's signatures (https://github.com/secure-systems-lab/dsse/blob/master/protocol.md):
 * each signature is over PAE(payloadType, payload), never over the payload alone. The hash follows the key,
 * as Sigstore and model_signing pair them: ECDSA P-256 with SHA-256, P-384 with SHA-384, P-521 with SHA-512
 * (FIPS 186-5 / RFC 5656 §6.2.1), Ed25519 with none (it hashes internally, RFC 8032). Any other key is
 * refused rather than tried with a guessed hash.
 */

export type SignatureAlgorithm = 'ecdsa-p256-sha256' | 'ecdsa-p384-sha384' | 'ecdsa-p521-sha512' | 'ed25519';

/** The algorithm a public key signs with, or undefined for keys OMS does not use. */
export function signatureAlgorithmOf(key: KeyObject): SignatureAlgorithm | undefined {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType !== 'ec') return undefined;
  switch (key.asymmetricKeyDetails?.namedCurve) {
    case 'prime256v1':
      return 'ecdsa-p256-sha256';
    case 'secp384r1':
      return 'ecdsa-p384-sha384';
    case 'secp521r1':
      return 'ecdsa-p521-sha512';
    default:
      return undefined;
  }
}

const DIGEST: Readonly<Record<SignatureAlgorithm, string | null>> = {
  'ecdsa-p256-sha256': 'sha256',
  'ecdsa-p384-sha384': 'sha384',
  'ecdsa-p521-sha512': 'sha512',
  ed25519: null,
};

export interface DsseEnvelope {
  readonly payload: Uint8Array;
  readonly payloadType: string;
  readonly signatures: readonly { readonly sig: Uint8Array; readonly keyid?: string }[];
}

/**
 * Whether any signature of the envelope verifies with the key (ECDSA signatures DER-encoded, as Sigstore
 * writes them). Throws RangeError for a key type OMS does not use.
 */
function algorithmOf(key: KeyObject): SignatureAlgorithm {
  const algorithm = signatureAlgorithmOf(key);
  if (algorithm === undefined)
    throw new RangeError(
      `unsupported key type ${key.asymmetricKeyType}${key.asymmetricKeyDetails?.namedCurve ? ` (${key.asymmetricKeyDetails.namedCurve})` : ''}: OMS uses ECDSA P-256/P-384/P-521 or Ed25519`,
    );
  return algorithm;
}

export interface VerifyEnvelopeOptions {
  /**
   * Also accept model_signing v0.2.x's faulty encoding ({@link preAuthEncodingV02}, always SHA-256), as
   * model_signing does for those signatures. Only for signatures in the v0.2 layout.
   */
  readonly legacyV02?: boolean;
}

export function verifyEnvelope(
  envelope: DsseEnvelope,
  key: KeyObject,
  options: VerifyEnvelopeOptions = {},
): boolean {
  const algorithm = algorithmOf(key);
  const pae = preAuthEncoding(envelope.payloadType, envelope.payload);
  const check = (digest: string | null, data: Buffer, sig: Uint8Array): boolean => {
    try {
      return verify(digest, data, key, sig);
    } catch {
      // A malformed signature (not DER) is a signature that does not verify.
      return false;
    }
  };
  // The v0.2 encoding is built once, and only when a signature needs it (it re-encodes the whole payload).
  let legacy: Buffer | undefined;
  const legacyPae = (): Buffer => {
    legacy ??= preAuthEncodingV02(envelope.payloadType, envelope.payload);
    return legacy;
  };
  return envelope.signatures.some(
    (s) =>
      check(DIGEST[algorithm], pae, s.sig) ||
      (options.legacyV02 === true && algorithm !== 'ed25519' && check('sha256', legacyPae(), s.sig)),
  );
}

/**
 * Signs PAE(payloadType, payload) with the private key, with the hash that goes with the key (as
 * {@link verifyEnvelope} checks it); ECDSA signatures DER-encoded, as Sigstore and model_signing write.
 */
export function signEnvelopePayload(payloadType: string, payload: Uint8Array, privateKey: KeyObject): Buffer {
  const algorithm = algorithmOf(privateKey);
  return sign(DIGEST[algorithm], preAuthEncoding(payloadType, payload), privateKey);
}
