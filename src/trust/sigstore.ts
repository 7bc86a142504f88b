import { X509Certificate } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { type Bundle, bundleFromJSON, ValidationError } from '@sigstore/bundle';
import { type X509Certificate as SigstoreCertificate, crypto as sigstoreCrypto } from '@sigstore/core';
import { TrustedRoot as TrustedRootMessage } from '@sigstore/protobuf-specs';
import {
  type SignedEntity,
  VerificationError as SigstoreVerificationError,
  type TrustMaterial,
  toSignedEntity,
  toTrustMaterial,
  Verifier,
} from '@sigstore/verify';
import { z } from 'zod';
import { describeError, ParseError, UsageError } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';
import { isRecord } from '../core/json.js';
import { readBoundedFile } from './files.js';

/**
 * Offline Sigstore keyless verification: a bundle whose signing key is certified by a Fulcio certificate is
 * checked against a trusted root on disk (the certificate chain to a Fulcio CA, its SCTs, the Rekor entry
 * and any RFC 3161 timestamps, the signature), then the certificate's identity against a policy. The
 * cryptography is @sigstore/verify's; this module adds strict input checks, an anchored identity policy and
 * readable reasons. It never touches the network: a stale root makes new signatures fail, never pass.
 *
 * What a `{ ok: true }` proves: the DSSE payload (or the artifact, for a message signature) was signed by
 * the holder of a certificate Fulcio issued to `identity` as vouched for by `issuer`, while that
 * certificate was valid. Whether the payload says what the caller needs (e.g. that an in-toto statement's
 * subjects are the files at hand) is the caller's check, made on `dsse.payload` as returned here.
 */

/** The Sigstore public-good trusted root shipped in `data/` (both `src/trust` and `dist/trust` are two levels down). */
export const DEFAULT_TRUSTED_ROOT_PATH = fileURLToPath(
  new URL('../../data/sigstore/trusted_root.json', import.meta.url),
);

/**
 * Largest trusted-root file read. The public-good root is 7 kB; the limit stops a wrong path (a model, a
 * device such as /dev/zero) from being read into memory.
 */
export const MAX_TRUSTED_ROOT_BYTES = 16 * 1024 * 1024;

/**
 * Most transparency-log entries, and most RFC 3161 timestamps, in one bundle. Real bundles carry one of
 * each at most; @sigstore/verify compares timestamps pairwise (quadratic) and verifies a signature per
 * entry, so an unbounded list would let a bundle make verification arbitrarily slow.
 */
export const MAX_TLOG_ENTRIES = 16;
export const MAX_RFC3161_TIMESTAMPS = 16;

/** Extended key usage id-kp-codeSigning (RFC 5280 §4.2.1.12), which Fulcio puts on every leaf. */
const EKU_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
/** Fulcio's SAN otherName for a username identity (fulcio docs/oid-info.md, 1.3.6.1.4.1.57264.1.7). */
const FULCIO_USERNAME_OID = '1.3.6.1.4.1.57264.1.7';

const BUNDLE_MEDIA_TYPES: ReadonlyMap<string, '0.1' | '0.2' | '0.3'> = new Map([
  ['application/vnd.dev.sigstore.bundle+json;version=0.1', '0.1'],
  ['application/vnd.dev.sigstore.bundle+json;version=0.2', '0.2'],
  ['application/vnd.dev.sigstore.bundle+json;version=0.3', '0.3'],
  ['application/vnd.dev.sigstore.bundle.v0.3+json', '0.3'],
]);

/** `application/vnd.dev.sigstore.trustedroot+json;version=0.1` and the newer `...trustedroot.v0.2+json`. */
const TRUSTED_ROOT_MEDIA_TYPE =
  /^application\/vnd\.dev\.sigstore\.trustedroot(?:\+json;version=0\.\d+|\.v0\.\d+\+json)$/;

/** Standard or URL-safe base64 (the protobuf JSON mapping accepts both). */
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'not base64');
const base64NonEmpty = base64.min(1, 'empty');
const timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an RFC 3339 timestamp');
const validFor = z.object({ start: timestamp.optional(), end: timestamp.optional() });

const transparencyLogSchema = z.object({
  // @sigstore/verify matches a checkpoint's signer name against it.
  baseUrl: z.string().min(1),
  publicKey: z.object({ rawBytes: base64NonEmpty, keyDetails: z.string(), validFor: validFor.optional() }),
  logId: z.object({ keyId: base64NonEmpty }),
});
const certificateAuthoritySchema = z.object({
  certChain: z.object({ certificates: z.array(z.object({ rawBytes: base64NonEmpty })).min(1) }),
  validFor: validFor.optional(),
});
/** sigstore/protobuf-specs `TrustedRoot` (protos/sigstore_trustroot.proto); empty lists may be left out. */
const trustedRootSchema = z.object({
  mediaType: z.string().regex(TRUSTED_ROOT_MEDIA_TYPE, 'not a Sigstore trusted root media type'),
  tlogs: z.array(transparencyLogSchema).optional(),
  certificateAuthorities: z.array(certificateAuthoritySchema).optional(),
  ctlogs: z.array(transparencyLogSchema).optional(),
  timestampAuthorities: z.array(certificateAuthoritySchema).optional(),
});

/** sigstore/protobuf-specs `Bundle` (protos/sigstore_bundle.proto), as far as this module relies on it. */
const bundleSchema = z.object({
  mediaType: z.string(),
  verificationMaterial: z.object({
    publicKey: z.unknown().optional(),
    certificate: z.object({ rawBytes: base64NonEmpty }).optional(),
    x509CertificateChain: z
      .object({ certificates: z.array(z.object({ rawBytes: base64NonEmpty })).min(1, 'empty') })
      .optional(),
    tlogEntries: z.array(z.record(z.string(), z.unknown())).max(MAX_TLOG_ENTRIES).optional(),
    timestampVerificationData: z
      .object({
        rfc3161Timestamps: z
          .array(z.object({ signedTimestamp: base64NonEmpty }))
          .max(MAX_RFC3161_TIMESTAMPS)
          .optional(),
      })
      .optional(),
  }),
  dsseEnvelope: z
    .object({
      payload: base64NonEmpty,
      payloadType: z.string(),
      signatures: z
        .array(z.object({ sig: base64NonEmpty, keyid: z.string().optional() }))
        .length(1, 'must hold exactly one signature'),
    })
    .optional(),
  messageSignature: z
    .object({
      messageDigest: z.object({ algorithm: z.string(), digest: base64NonEmpty }),
      signature: base64NonEmpty,
    })
    .optional(),
});

/** A trusted root read and checked by {@link loadTrustedRoot} or {@link parseTrustedRoot}. */
export interface TrustedRoot {
  /** Where it came from: a path, or the name given to {@link parseTrustedRoot}. */
  readonly source: string;
  /** Hex SHA-256 of the file's bytes, to report which root a verification used. */
  readonly sha256: string;
  readonly mediaType: string;
}

/** The key material behind each root, out of reach of callers so a root cannot be assembled by hand. */
const trustMaterials = new WeakMap<TrustedRoot, TrustMaterial>();

/** Who must have signed. Exact values compare whole strings, case-sensitively. */
export interface KeylessPolicy {
  /** The certificate's subject alternative name (email, URI or Fulcio username), exactly. */
  readonly identity?: string;
  /** A JavaScript regular expression that must match a SAN in full (it is anchored). */
  readonly identityRegex?: string;
  /** The OIDC issuer in the certificate (Fulcio extension 1.3.6.1.4.1.57264.1.8, or .1.1), exactly. */
  readonly issuer?: string;
  /** A JavaScript regular expression that must match the issuer in full (it is anchored). */
  readonly issuerRegex?: string;
}

export interface KeylessVerifyOptions {
  readonly trustedRoot: TrustedRoot;
  /** Names the bundle in error messages. */
  readonly file?: string;
  /** The signed bytes, needed only for a bundle holding a message signature (not a DSSE envelope). */
  readonly artifact?: Uint8Array;
}

/** Why a keyless verification failed. */
export type KeylessFailureCode =
  | 'IDENTITY_MISMATCH'
  | 'ISSUER_MISMATCH'
  | 'CERTIFICATE_UNTRUSTED'
  | 'TLOG_MISSING'
  | 'TLOG_INVALID'
  | 'TIMESTAMP_INVALID'
  | 'SIGNATURE_INVALID';

export type KeylessResult =
  | {
      readonly ok: true;
      /** The SAN that satisfied the policy. */
      readonly identity: string;
      readonly issuer: string;
      /**
       * The earliest verified time of signing: a Rekor entry's integrated time backed by its signed entry
       * timestamp, or an RFC 3161 timestamp. Absent when neither exists (a Rekor v2 entry with no TSA
       * timestamp cannot get this far: @sigstore/verify requires one verified time).
       */
      readonly signedAt?: Date;
      /** The log index of the first transparency-log entry, as a decimal string. */
      readonly logIndex?: string;
      /** The Fulcio leaf certificate. */
      readonly certificate: X509Certificate;
      /** The verified DSSE envelope content, for DSSE bundles: check the statement in these bytes. */
      readonly dsse?: { readonly payloadType: string; readonly payload: Buffer };
    }
  | { readonly ok: false; readonly code: KeylessFailureCode; readonly reason: string };

function structureError(error: z.ZodError, prefix: string, file: string): ParseError {
  const issues = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    return `${prefix}${path}: ${issue.message}`;
  });
  return new ParseError('BAD_STRUCTURE', `${file}: ${issues.join('; ')}`);
}

/** Parses and checks a Sigstore trusted root (JSON text or bytes); throws ParseError naming `source`. */
export function parseTrustedRoot(input: string | Uint8Array, source = 'trusted root'): TrustedRoot {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input);
  if (bytes.length > MAX_TRUSTED_ROOT_BYTES)
    throw new ParseError('LIMIT_EXCEEDED', `${source}: larger than ${MAX_TRUSTED_ROOT_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ParseError('BAD_STRUCTURE', `${source}: not JSON (${describeError(error)})`, undefined, {
      cause: error,
    });
  }
  if (!isRecord(json)) throw new ParseError('BAD_STRUCTURE', `${source}: a trusted root is a JSON object`);
  const checked = trustedRootSchema.safeParse(json);
  if (!checked.success) throw structureError(checked.error, 'trustedRoot', source);
  let material: TrustMaterial;
  try {
    // fromJSON maps the protobuf JSON (enum names, base64, RFC 3339 times); toTrustMaterial parses the
    // certificates and keys, and throws on any it cannot.
    material = toTrustMaterial(TrustedRootMessage.fromJSON(json));
  } catch (error) {
    throw new ParseError(
      'BAD_VALUE',
      `${source}: trusted root key material does not parse (${describeError(error)})`,
      undefined,
      { cause: error },
    );
  }
  const root: TrustedRoot = Object.freeze({
    source,
    sha256: sha256Hex(bytes),
    mediaType: checked.data.mediaType,
  });
  trustMaterials.set(root, material);
  return root;
}

/**
 * Reads a Sigstore trusted root file (default: the bundled public-good root, {@link DEFAULT_TRUSTED_ROOT_PATH}).
 * A missing, unreadable, oversized or malformed file throws ParseError naming the path.
 */
export function loadTrustedRoot(path: string = DEFAULT_TRUSTED_ROOT_PATH): TrustedRoot {
  let bytes: Buffer;
  try {
    // Bounded whatever the file is; a pipe (`--trusted-root <(curl ...)`) is read whole, not a byte of it.
    bytes = readBoundedFile(path, {
      max: MAX_TRUSTED_ROOT_BYTES,
      what: 'trusted root',
      tooLargeIsParseError: true,
    });
  } catch (error) {
    if (error instanceof ParseError) throw error;
    throw new ParseError(
      'BAD_VALUE',
      `${path}: cannot read trusted root (${describeError(error)})`,
      undefined,
      {
        cause: error,
      },
    );
  }
  return parseTrustedRoot(bytes, path);
}

interface CompiledPolicy {
  readonly identity?: string;
  readonly identityRegex?: RegExp;
  readonly issuer?: string;
  readonly issuerRegex?: RegExp;
}

/**
 * Regular expressions must match the whole value. cosign's `--certificate-identity-regexp` (Go `regexp`,
 * unanchored) and @sigstore/verify's `subjectAlternativeName` (`String.match`, unanchored) accept a SAN
 * that merely contains the pattern, so `alice@example\.com` there also accepts `alice@example.com.evil.net`;
 * anchoring closes that. Write `.*` explicitly where a part may vary.
 */
function compileRegex(source: string, what: string): RegExp {
  try {
    return new RegExp(`^(?:${source})$`);
  } catch (error) {
    throw new UsageError(
      'BAD_ARGUMENT',
      `${what} ${JSON.stringify(source)} is not a valid regular expression: ${describeError(error)}`,
      { cause: error },
    );
  }
}

/**
 * A policy names both who signed and which OIDC issuer vouched for them, as cosign requires
 * (`--certificate-identity` and `--certificate-oidc-issuer`): an email address alone says nothing about
 * which provider verified it. To accept any issuer, say so with `issuerRegex: '.*'`. Both an exact value
 * and a regex may be given; then both must hold.
 */
function compilePolicy(policy: KeylessPolicy): CompiledPolicy {
  if (policy.identity === '' || policy.issuer === '')
    throw new UsageError('BAD_ARGUMENT', 'the expected signer identity and issuer must not be empty');
  if (policy.identity === undefined && policy.identityRegex === undefined)
    throw new UsageError(
      'BAD_ARGUMENT',
      'keyless verification needs the expected signer: give an identity (the certificate SAN, e.g. an email address or workflow URI) or an identity regex',
    );
  if (policy.issuer === undefined && policy.issuerRegex === undefined)
    throw new UsageError(
      'BAD_ARGUMENT',
      "keyless verification needs the expected OIDC issuer (e.g. https://accounts.google.com or https://token.actions.githubusercontent.com), or an issuer regex ('.*' accepts any)",
    );
  return {
    ...(policy.identity !== undefined ? { identity: policy.identity } : {}),
    ...(policy.identityRegex !== undefined
      ? { identityRegex: compileRegex(policy.identityRegex, 'identity regex') }
      : {}),
    ...(policy.issuer !== undefined ? { issuer: policy.issuer } : {}),
    ...(policy.issuerRegex !== undefined
      ? { issuerRegex: compileRegex(policy.issuerRegex, 'issuer regex') }
      : {}),
  };
}

/**
 * Checks a policy before anything is read (an empty value, a missing half, a regular expression that does
 * not compile): throws UsageError naming what is wrong, so a bad option is an error even when the
 * signature turns out not to be keyless.
 */
export function checkKeylessPolicy(policy: KeylessPolicy): void {
  compilePolicy(policy);
}

function describeExpectation(exact: string | undefined, regex: string | undefined): string {
  const parts: string[] = [];
  if (exact !== undefined) parts.push(JSON.stringify(exact));
  if (regex !== undefined) parts.push(`a whole match of the regex ${JSON.stringify(regex)}`);
  return parts.join(' and ');
}

function satisfies(value: string, exact: string | undefined, regex: RegExp | undefined): boolean {
  return (exact === undefined || value === exact) && (regex === undefined || regex.test(value));
}

/**
 * Every email, URI and Fulcio-username SAN of the certificate, as sigstore-python's `Identity` policy and
 * cosign compare against all of them (@sigstore/verify reports only the first URI or email).
 */
function subjectAlternativeNames(cert: SigstoreCertificate): string[] {
  const ext = cert.extSubjectAltName;
  if (ext === undefined) return [];
  const names: string[] = [];
  // GeneralNames (RFC 5280 §4.2.1.6): [1] rfc822Name and [6] uniformResourceIdentifier are IA5Strings.
  for (const name of ext.valueObj.subs[0]?.subs ?? []) {
    if (name.tag.isContextSpecific(1) || name.tag.isContextSpecific(6))
      names.push(name.value.toString('ascii'));
  }
  const username = ext.otherName(FULCIO_USERNAME_OID);
  if (username !== undefined) names.push(username);
  return names;
}

function fail(code: KeylessFailureCode, reason: string): KeylessResult {
  return { ok: false, code, reason };
}

function causeOf(error: { cause?: unknown }): string {
  return error.cause instanceof Error ? ` (${error.cause.message})` : '';
}

/** Turns @sigstore/verify's error codes (dist/error.d.ts) into a failure naming what did not verify. */
function toFailure(error: SigstoreVerificationError, root: TrustedRoot): KeylessResult {
  const detail = `${error.message}${causeOf(error)}`;
  const stale = `checked against the trusted root ${root.source}; if it is old, give a current one with --trusted-root`;
  switch (error.code) {
    case 'CERTIFICATE_ERROR':
      return fail('CERTIFICATE_UNTRUSTED', `the signing certificate is not trusted: ${detail}; ${stale}`);
    case 'TIMESTAMP_ERROR':
      return fail('TIMESTAMP_INVALID', `the signing time could not be verified: ${detail}; ${stale}`);
    case 'TLOG_ERROR':
    case 'TLOG_BODY_ERROR':
    case 'TLOG_MISSING_INCLUSION_ERROR':
    case 'TLOG_INCLUSION_PROMISE_ERROR':
    case 'TLOG_INCLUSION_PROOF_ERROR':
      return fail('TLOG_INVALID', `the transparency-log entry does not verify: ${detail}; ${stale}`);
    case 'SIGNATURE_ERROR':
      return fail('SIGNATURE_INVALID', `the signature does not verify with the certificate's key: ${detail}`);
    default:
      return fail('SIGNATURE_INVALID', `verification failed: ${error.code}: ${detail}`);
  }
}

/** The earliest verified signing time: SET-backed integrated times (not bare ones) and RFC 3161 times. */
function earliestTime(entity: SignedEntity): Date | undefined {
  let earliest: Date | undefined;
  for (const ts of entity.timestamps) {
    const time =
      ts.$case === 'timestamp-authority'
        ? ts.timestamp.signingTime
        : ts.tlogEntry.inclusionPromise
          ? new Date(Number(ts.tlogEntry.integratedTime) * 1000)
          : undefined;
    if (time !== undefined && (earliest === undefined || time < earliest)) earliest = time;
  }
  return earliest;
}

function leafBytes(bundle: Bundle): Buffer | undefined {
  const content = bundle.verificationMaterial.content;
  switch (content.$case) {
    case 'certificate':
      return content.certificate.rawBytes;
    case 'x509CertificateChain':
      return content.x509CertificateChain.certificates[0]?.rawBytes;
    case 'publicKey':
      return undefined;
  }
}

/**
 * Checks a parsed Sigstore bundle (v0.1 to v0.3, DSSE envelope or message signature) signed keylessly
 * with a Fulcio certificate: against the trusted root and then the policy, all offline.
 *
 * Throws ParseError (naming `options.file` and the field) for input that is not a keyless Sigstore bundle,
 * including a bundle signed with a key; UsageError for an incomplete policy, or a message-signature bundle
 * without `options.artifact`. A signature that does not verify or does not satisfy the policy is returned
 * as `{ ok: false, code, reason }`.
 */
export function verifySigstoreBundle(
  bundleJson: unknown,
  policy: KeylessPolicy,
  options: KeylessVerifyOptions,
): KeylessResult {
  const file = options.file ?? 'bundle';
  const compiled = compilePolicy(policy);
  const material = trustMaterials.get(options.trustedRoot);
  if (material === undefined)
    throw new UsageError('BAD_ARGUMENT', 'trustedRoot must come from loadTrustedRoot or parseTrustedRoot');

  if (!isRecord(bundleJson))
    throw new ParseError('BAD_STRUCTURE', `${file}: a Sigstore bundle is a JSON object`);
  const shape = bundleSchema.safeParse(bundleJson);
  if (!shape.success) throw structureError(shape.error, 'bundle', file);
  const b = shape.data;
  const version = BUNDLE_MEDIA_TYPES.get(b.mediaType);
  if (version === undefined)
    throw new ParseError(
      'UNSUPPORTED',
      `${file}: bundle.mediaType ${JSON.stringify(b.mediaType).slice(0, 120)} is not a Sigstore bundle v0.1 to v0.3`,
    );
  const vm = b.verificationMaterial;
  const kinds = (['publicKey', 'certificate', 'x509CertificateChain'] as const).filter(
    (k) => vm[k] !== undefined,
  );
  if (kinds.length > 1)
    throw new ParseError(
      'BAD_STRUCTURE',
      `${file}: bundle.verificationMaterial holds ${kinds.join(' and ')}; a bundle has exactly one`,
    );
  if (vm.publicKey !== undefined)
    throw new ParseError(
      'UNSUPPORTED',
      `${file}: bundle.verificationMaterial.publicKey: this bundle is signed with a key, not keyless; verify with --key`,
    );
  if (vm.certificate === undefined && vm.x509CertificateChain === undefined)
    throw new ParseError(
      'BAD_STRUCTURE',
      `${file}: bundle.verificationMaterial has no certificate, so it is not a keyless (Fulcio) bundle`,
    );
  // The bundle spec (v0.3) replaced x509CertificateChain with a single leaf; in a v0.3 bundle a chain is
  // OMS's certificate method (the signer's own PKI), not Sigstore keyless.
  if (vm.x509CertificateChain !== undefined && version === '0.3')
    throw new ParseError(
      'UNSUPPORTED',
      `${file}: bundle.verificationMaterial.x509CertificateChain: a v0.3 keyless bundle carries one Fulcio certificate; a chain is the certificate signing method: verify with --certificate-chain`,
    );
  if ((b.dsseEnvelope === undefined) === (b.messageSignature === undefined))
    throw new ParseError(
      'BAD_STRUCTURE',
      `${file}: bundle must hold exactly one of dsseEnvelope and messageSignature`,
    );
  if (b.messageSignature !== undefined && options.artifact === undefined)
    throw new UsageError(
      'BAD_ARGUMENT',
      `${file} holds a signature over an artifact (messageSignature), not a DSSE envelope: give the signed file to verify it`,
    );

  let bundle: Bundle;
  let entity: SignedEntity;
  let leaf: X509Certificate;
  try {
    bundle = bundleFromJSON(bundleJson);
  } catch (error) {
    const fields = error instanceof ValidationError ? (error.fields ?? []) : [];
    throw new ParseError(
      'BAD_STRUCTURE',
      `${file}: not a valid Sigstore bundle${fields.length > 0 ? ` (${fields.slice(0, 5).join(', ')})` : ` (${describeError(error)})`}`,
      undefined,
      { cause: error },
    );
  }
  try {
    entity = toSignedEntity(bundle, options.artifact ? Buffer.from(options.artifact) : undefined);
  } catch (error) {
    throw new ParseError(
      'BAD_VALUE',
      `${file}: bundle certificate or timestamp does not parse (${describeError(error)})`,
      undefined,
      { cause: error },
    );
  }
  const der = leafBytes(bundle);
  if (entity.key.$case !== 'certificate' || der === undefined)
    throw new ParseError('BAD_STRUCTURE', `${file}: bundle.verificationMaterial has no certificate`);
  const cert = entity.key.certificate;
  try {
    leaf = new X509Certificate(der);
  } catch (error) {
    throw new ParseError(
      'BAD_VALUE',
      `${file}: bundle.verificationMaterial certificate does not parse (${describeError(error)})`,
      undefined,
      { cause: error },
    );
  }

  // Keyless needs a log entry: the Fulcio certificate lives ten minutes, and only a logged (or
  // timestamped) signature shows it was made inside that window, by a key anyone can audit in Rekor. Without
  // one a leaked ephemeral key could sign anything later, undetected. Rekor v2 entries carry no signed time,
  // so there the time comes from an RFC 3161 timestamp; @sigstore/verify requires one verified time either way.
  if (entity.tlogEntries.length === 0)
    return fail(
      'TLOG_MISSING',
      `${file} has no transparency-log entry; a keyless signature is only trusted once it is logged in Rekor`,
    );
  // Fulcio issues only code-signing leaf certificates (sigstore-python checks the same before trusting one).
  if (leaf.ca || !(leaf.keyUsage ?? []).includes(EKU_CODE_SIGNING))
    return fail(
      'CERTIFICATE_UNTRUSTED',
      'the signing certificate is not a code-signing leaf certificate (CA flag set or no codeSigning extended key usage)',
    );

  try {
    // Checked first, on its own, so that altered content is reported as such rather than as the log entry
    // or timestamp no longer matching it (the verifier checks those before the signature).
    if (!entity.signature.verifySignature(sigstoreCrypto.createPublicKey(cert.publicKey)))
      return fail(
        'SIGNATURE_INVALID',
        `the signature does not verify with the certificate's key: the ${b.dsseEnvelope ? 'DSSE payload' : 'artifact'} or the signature was altered`,
      );
    // Thresholds as sigstore-js, cosign and sigstore-python use them, written out so that a change of
    // defaults upstream cannot weaken them: one verified log entry, one SCT, one verified signing time.
    const signer = new Verifier(material, {
      tlogThreshold: 1,
      ctlogThreshold: 1,
      timestampThreshold: 1,
    }).verify(entity);
    // The identity is checked here rather than by passing a policy to verify(): @sigstore/verify treats the
    // expected SAN as an unanchored regular expression, so an exact email would also match longer SANs.
    const issuer = signer.identity?.extensions?.issuer;
    const sans = subjectAlternativeNames(cert);
    const expectedIdentity = describeExpectation(policy.identity, policy.identityRegex);
    const expectedIssuer = describeExpectation(policy.issuer, policy.issuerRegex);
    const identity = sans.find((san) => satisfies(san, compiled.identity, compiled.identityRegex));
    if (identity === undefined)
      return fail(
        'IDENTITY_MISMATCH',
        `signed by ${sans.map((s) => JSON.stringify(s)).join(', ') || 'a certificate with no email, URI or username SAN'} (issuer ${JSON.stringify(issuer ?? '')}), expected identity ${expectedIdentity}`,
      );
    if (issuer === undefined || !satisfies(issuer, compiled.issuer, compiled.issuerRegex))
      return fail(
        'ISSUER_MISMATCH',
        `signed by ${JSON.stringify(identity)} with OIDC issuer ${issuer === undefined ? '(none in the certificate)' : JSON.stringify(issuer)}, expected issuer ${expectedIssuer}`,
      );
    const signedAt = earliestTime(entity);
    const logIndex = entity.tlogEntries[0]?.logIndex;
    const dsse = bundle.content.$case === 'dsseEnvelope' ? bundle.content.dsseEnvelope : undefined;
    return {
      ok: true,
      identity,
      issuer,
      ...(signedAt !== undefined ? { signedAt } : {}),
      ...(logIndex !== undefined ? { logIndex } : {}),
      certificate: leaf,
      ...(dsse !== undefined
        ? { dsse: { payloadType: dsse.payloadType, payload: Buffer.from(dsse.payload) } }
        : {}),
    };
  } catch (error) {
    if (error instanceof SigstoreVerificationError) return toFailure(error, options.trustedRoot);
    // Anything else is a part of the bundle that parses lazily and turned out malformed (a log entry body
    // that is not JSON, an SCT or checkpoint that does not decode).
    throw new ParseError(
      'BAD_VALUE',
      `${file}: malformed bundle content (${describeError(error)})`,
      undefined,
      {
        cause: error,
      },
    );
  }
}
