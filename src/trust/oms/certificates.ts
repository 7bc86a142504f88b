import type { X509Certificate } from 'node:crypto';
import { X509Certificate as Asn1Certificate } from '@sigstore/core';

/**
 * Checks the certificate chain of an OMS `certificate`-method signature (spec §4.1: the leaf followed by
 * its CA chain) against the roots the user trusts: every link is issued and signed by the next, every
 * issuer is a CA, every certificate is valid at the time given, and the top of the chain is a trusted root
 * or is issued by one (RFC 5280 §6.1, in the subset code-signing chains use). The leaf, when it states
 * extended key usages, must allow code signing (RFC 5280 §4.2.1.12, id-kp-codeSigning), as model_signing's
 * own certificates do; when it states key usages, they must allow digital signatures (RFC 5280 §4.2.1.3;
 * model_signing refuses a leaf without it too), so a CA certificate limited to signing certificates is not
 * taken for a signing certificate.
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
 * Whether the certificate's key usage extension (when it has one) allows digital signatures; undefined
 * when the extension does not decode (the caller refuses the certificate then).
 */
function allowsDigitalSignature(cert: X509Certificate): boolean | undefined {
  try {
    const usage = Asn1Certificate.parse(cert.raw).extKeyUsage;
    return usage === undefined || usage.digitalSignature;
  } catch {
    return undefined;
  }
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
  const eku = leaf.keyUsage;
  if (eku !== undefined && eku.length > 0 && !eku.includes(CODE_SIGNING_EKU))
    return {
      ok: false,
      reason: `${name(leaf)} is not a code-signing certificate (extended key usage ${eku.join(', ')})`,
    };
  const signing = allowsDigitalSignature(leaf);
  if (signing !== true)
    return {
      ok: false,
      reason:
        signing === undefined
          ? `${name(leaf)}: its key usage extension does not decode`
          : `${name(leaf)} is not a signing certificate (its key usage does not include digital signatures)`,
    };
  for (const [i, cert] of chain.entries()) {
    const invalid = validAt(cert, at);
    if (invalid) return { ok: false, reason: invalid };
    const issuer = chain[i + 1];
    if (issuer === undefined) break;
    if (!issuer.ca) return { ok: false, reason: `${name(issuer)} signs ${name(cert)} but is not a CA` };
    if (!issuedBy(cert, issuer))
      return {
        ok: false,
        reason: `${name(cert)} is not signed by ${name(issuer)}, the next certificate of the chain`,
      };
  }
  const top = chain[chain.length - 1] as X509Certificate;
  for (const root of roots) {
    if (root.fingerprint256 === top.fingerprint256) return { ok: true, leaf, root };
    if (root.ca && issuedBy(top, root) && validAt(root, at) === undefined) return { ok: true, leaf, root };
  }
  return {
    ok: false,
    reason: `${name(top)} is not issued by any trusted root (${roots.map(name).join('; ')})`,
  };
}
