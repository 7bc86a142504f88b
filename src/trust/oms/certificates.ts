import type { X509Certificate } from 'node:crypto';

/**
 * Checks the certificate chain of an OMS `certificate`-method signature (spec §4.1: the leaf followed by
 * its CA chain) against the roots the user trusts: every link is issued and signed by the next, every
 * issuer is a CA, every certificate is valid at the time given, and the top of the chain is a trusted root
 * or is issued by one (RFC 5280 §6.1, in the subset code-signing chains use). The leaf, when it states
 * extended key usages, must allow code signing (RFC 5280 §4.2.1.12, id-kp-codeSigning), as model_signing's
 * own certificates do.
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

function validAt(cert: X509Certificate, at: Date): string | undefined {
  if (at.getTime() < Date.parse(cert.validFrom)) return `${name(cert)} is not valid before ${cert.validFrom}`;
  if (at.getTime() > Date.parse(cert.validTo)) return `${name(cert)} expired on ${cert.validTo}`;
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
