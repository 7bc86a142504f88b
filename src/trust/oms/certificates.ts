import type { X509Certificate } from 'node:crypto';
import { X509Certificate as Asn1Certificate } from '@sigstore/core';

/**
 * Checks the certificate chain of an OMS `certificate`-method signature (spec §4.1: the leaf followed by
 * its CA chain) against the roots the user trusts: a path is built from the leaf through the other
 * certificates of the signature, taken in any order as OpenSSL takes model_signing's (sign_certificate.py
 * passes `certificates[1:]` as an untrusted pool), to a trusted root; every issuer on it is a CA that signed
 * the certificate below it, every certificate is valid at the time given (RFC 5280 §6.1, in the subset
 * code-signing chains use). The leaf must be usable for signing by model_signing's own rule (see
 * {@link leafSigningUsage}), so a CA certificate limited to signing certificates is not taken for a signing
 * certificate.
 */

/** Longest chain followed; real ones have two or three certificates. */
export const MAX_CHAIN_LENGTH = 10;
/** id-kp-codeSigning (RFC 5280 §4.2.1.12). */
export const CODE_SIGNING_EKU = '1.3.6.1.5.5.7.3.3';

export type ChainResult =
  | { readonly ok: true; readonly leaf: X509Certificate; readonly root: X509Certificate }
  | { readonly ok: false; readonly reason: string };

/** A certificate as a person reads it; Fulcio certificates have an empty subject and name their SAN. */
function name(cert: X509Certificate): string {
  const subject = (cert.subject ?? '').replace(/\n/g, ', ');
  if (subject !== '') return subject;
  return cert.subjectAltName ? `certificate for ${cert.subjectAltName}` : `certificate ${cert.serialNumber}`;
}

/**
 * Whether the leaf may sign, exactly as model_signing decides it (sign_certificate.py, after the chain
 * check): yes when its key usage extension (RFC 5280 §4.2.1.3) is present and allows digital signatures,
 * or else when its extended key usage extension (§4.2.1.12) is present and lists id-kp-codeSigning; no
 * when it has neither. So key usage digitalSignature with extended key usage serverAuth is accepted, as is
 * keyEncipherment with codeSigning. Node's `X509Certificate.keyUsage` lists the *extended* key usages
 * (undefined when the extension is absent); the key usage bits are read from the DER by @sigstore/core
 * (whose `extKeyUsage` is, despite its name, the key usage extension, OID 2.5.29.15). A key usage
 * extension that does not decode is a certificate model_signing (pyca/cryptography) cannot load: refused.
 */
export function leafSigningUsage(cert: X509Certificate): { readonly ok: boolean; readonly reason?: string } {
  let digitalSignature: boolean | undefined;
  try {
    const usage = Asn1Certificate.parse(cert.raw).extKeyUsage;
    digitalSignature = usage === undefined ? undefined : usage.digitalSignature;
  } catch {
    return { ok: false, reason: `${name(cert)}: its key usage extension does not decode` };
  }
  if (digitalSignature === true) return { ok: true };
  const eku = cert.keyUsage;
  if (eku?.includes(CODE_SIGNING_EKU) === true) return { ok: true };
  const said = [
    digitalSignature === undefined
      ? 'it has no key usage'
      : 'its key usage does not include digital signatures',
    eku === undefined
      ? 'no extended key usage'
      : `its extended key usage (${eku.join(', ') || 'empty'}) does not include code signing`,
  ];
  return { ok: false, reason: `${name(cert)} is not a signing certificate (${said.join(' and ')})` };
}

function validAt(cert: X509Certificate, at: Date): string | undefined {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  // A validity that does not parse would compare false both ways (NaN) and pass: refused instead.
  if (Number.isNaN(from) || Number.isNaN(to) || Number.isNaN(at.getTime()))
    return `${name(cert)}: its validity (${cert.validFrom} to ${cert.validTo}) cannot be read`;
  if (at.getTime() < from) return `${name(cert)} is not valid before ${cert.validFrom}`;
  if (at.getTime() > to) return `${name(cert)} expired on ${cert.validTo}`;
  return undefined;
}

function issuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.checkIssued(issuer) && child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * Verifies the leaf (`chain[0]`) up to a trusted root, the other certificates of `chain` being a pool of
 * possible intermediates in any order. At each step a trusted root that issued the current certificate is
 * preferred (as OpenSSL's default X509_V_FLAG_TRUSTED_FIRST does), else the first certificate of the pool,
 * not already on the path, that is a CA, valid, and signed it. A certificate is never used twice, so a pool
 * whose certificates issue each other in a ring ends the search instead of looping, and a path never grows
 * beyond {@link MAX_CHAIN_LENGTH}. Certificates of the pool that the path does not use are ignored, as
 * OpenSSL ignores them.
 */
export function verifyCertificateChain(
  chain: readonly X509Certificate[],
  roots: readonly X509Certificate[],
  at: Date = new Date(),
): ChainResult {
  const leaf = chain[0];
  if (leaf === undefined) return { ok: false, reason: 'the signature carries no certificate' };
  if (chain.length > MAX_CHAIN_LENGTH)
    return { ok: false, reason: `the chain is longer than ${MAX_CHAIN_LENGTH} certificates` };
  if (roots.length === 0) return { ok: false, reason: 'no trusted root certificate was given' };
  const usage = leafSigningUsage(leaf);
  if (!usage.ok) return { ok: false, reason: usage.reason as string };
  const pool = chain.slice(1);
  const used = new Set<string>([leaf.fingerprint256]);
  let current = leaf;
  for (let length = 1; length <= MAX_CHAIN_LENGTH; length++) {
    const invalid = validAt(current, at);
    if (invalid) return { ok: false, reason: invalid };
    for (const root of roots) {
      // The certificate itself may be the trust anchor (an intermediate, or a self-signed leaf).
      if (root.fingerprint256 === current.fingerprint256) return { ok: true, leaf, root };
      if (root.ca && issuedBy(current, root) && validAt(root, at) === undefined)
        return { ok: true, leaf, root };
    }
    const candidates = pool.filter((c) => !used.has(c.fingerprint256) && issuedBy(current, c));
    const issuer = candidates.find((c) => c.ca && validAt(c, at) === undefined);
    if (issuer === undefined) {
      // The reason names why the closest candidate was not taken, else that none issued the certificate.
      const near = candidates[0];
      if (near !== undefined)
        return {
          ok: false,
          reason: near.ca
            ? (validAt(near, at) as string)
            : `${name(near)} signs ${name(current)} but is not a CA`,
        };
      return {
        ok: false,
        reason: `${name(current)} is not issued by any trusted root (${roots.map(name).join('; ')})${pool.length > 0 ? ' nor by another certificate of the signature' : ''}`,
      };
    }
    used.add(issuer.fingerprint256);
    current = issuer;
  }
  return { ok: false, reason: `no path of at most ${MAX_CHAIN_LENGTH} certificates leads to a trusted root` };
}
