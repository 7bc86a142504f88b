import { z } from 'zod';
import { ParseError } from '../../core/errors.js';
import { compareCodePoints } from '../../core/text-order.js';
import { MAX_CHAIN_LENGTH } from './certificates.js';
import type { ResourceDescriptor } from './manifest.js';

/**
 * Reads an OMS v1.0 signature file: a Sigstore bundle v0.3 (`application/vnd.dev.sigstore.bundle.v0.3+json`)
 * whose DSSE envelope carries an in-toto Statement v1 with the predicate `https://model_signing/signature/v1.0`
 * (OMS spec v1.0 §4-5). Only the structure is read and checked here, with every problem named by its JSON
 * path; the signature itself is checked by the verifier. Older layouts the spec lists (§11) are told apart:
 * the v0.2 `Digests/v0.1` predicate is refused as unsupported, pre-v1.1 key material (`rawBytes`) accepted.
 */

/** Largest signature file read: real ones are a few kB (the manifest of 100,000 files is about 15 MB). */
export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;
/** Most resources in one manifest. */
export const MAX_RESOURCES = 1_000_000;
/**
 * Most signatures in one DSSE envelope (real ones have one). Each is checked in turn, and with the
 * v0.2 encoding each check re-encodes the payload: without a cap a 64 MB bundle of signatures would keep a
 * verifier busy for minutes.
 */
export const MAX_ENVELOPE_SIGNATURES = 16;
/**
 * Deepest JSON nesting accepted in a bundle and in its statement. Real ones nest a dozen levels (a BOM
 * predicate a few dozen); thousands of levels parse, but overflow the stack of whatever walks the value
 * recursively later (`JSON.stringify` of a report holding the predicate).
 */
export const MAX_JSON_DEPTH = 128;
/** Longest piece of input quoted in an error message. */
const MAX_QUOTED = 120;

export const OMS_PREDICATE_TYPE = 'https://model_signing/signature/v1.0';
const OMS_V02_PREDICATE_TYPE = 'https://model_signing/Digests/v0.1';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const IN_TOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
const BUNDLE_MEDIA_TYPES = new Set([
  'application/vnd.dev.sigstore.bundle.v0.3+json',
  'application/vnd.dev.sigstore.bundle+json;version=0.3',
]);

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');
/** Whole bytes of lower-case hex (an odd number of digits is no digest). */
const hex = z.string().regex(/^(?:[0-9a-f]{2})+$/, 'not lower-case hex bytes');
/** A SHA-256 digest (the root digest, v0.2 file digests). */
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'not a lower-case hex SHA-256 digest');
/** Hex digits of each algorithm's digest (blake2b is BLAKE2b-512, blake3 its default 32-byte output). */
const DIGEST_HEX_LENGTH: Readonly<Record<'sha256' | 'blake2b' | 'blake3', number>> = {
  sha256: 64,
  blake2b: 128,
  blake3: 64,
};
const algorithm = z.enum(['sha256', 'blake2b', 'blake3']);
/** A resource's algorithm: the hash type, or model_signing's `<hash>-sharded-<size>` in shard mode. */
const resourceAlgorithmName = z
  .string()
  .regex(/^(?:sha256|blake2b|blake3)(?:-sharded-[1-9]\d*)?$/, 'not an OMS hash algorithm');

const bundleSchema = z.object({
  mediaType: z.string(),
  verificationMaterial: z.object({
    publicKey: z.object({ hint: z.string().optional(), rawBytes: base64.optional() }).optional(),
    certificate: z.object({ rawBytes: base64 }).optional(),
    x509CertificateChain: z
      .object({
        certificates: z
          .array(z.object({ rawBytes: base64 }))
          .min(1)
          .max(MAX_CHAIN_LENGTH),
      })
      .optional(),
    tlogEntries: z.array(z.unknown()).optional(),
  }),
  dsseEnvelope: z.object({
    payload: base64,
    payloadType: z.string(),
    signatures: z
      .array(z.object({ sig: base64, keyid: z.string().nullable().optional() }))
      .min(1, 'no signature')
      .max(MAX_ENVELOPE_SIGNATURES),
  }),
});

const predicateSchema = z
  .object({
    resources: z
      .array(z.object({ name: z.string().min(1), digest: hex, algorithm: resourceAlgorithmName }).loose())
      .max(MAX_RESOURCES),
    serialization: z
      .object({
        method: z.enum(['files', 'shards']),
        hash_type: algorithm,
        shard_size: z.number().int().positive().optional(),
        allow_symlinks: z.boolean(),
        ignore_paths: z.array(z.string().min(1)).optional(),
      })
      .loose(),
  })
  // Keys beyond these are read past and reported (OmsSignature.extraPredicateFields), as model_signing
  // reads past them (signing.py `Payload`: "verifiers for v1.0 should ignore" fields added later), though
  // the spec's JSON schema says additionalProperties: false. The signature covers them either way.
  .loose();
/** The predicate keys OMS v1.0 defines. */
const PREDICATE_FIELDS = new Set(['resources', 'serialization']);

/** The v0.2 statement (model_signing v0.2.x): one subject per file, digests in the subjects. */
const v02StatementSchema = z.object({
  _type: z.literal(IN_TOTO_STATEMENT_TYPE),
  subject: z
    .array(z.object({ name: z.string().min(1), digest: z.object({ sha256: sha256Hex }).loose() }).loose())
    .max(MAX_RESOURCES),
  predicateType: z.literal(OMS_V02_PREDICATE_TYPE),
});

const statementSchema = z.object({
  _type: z.literal(IN_TOTO_STATEMENT_TYPE),
  subject: z
    .array(z.object({ name: z.string().min(1), digest: z.object({ sha256: sha256Hex }).loose() }))
    .length(1, 'must hold exactly one subject (the model)'),
  predicateType: z.string(),
  predicate: z.unknown(),
});

export type SerializationMethod = 'files' | 'shards';

export interface OmsSerialization {
  readonly method: SerializationMethod;
  readonly hashType: 'sha256' | 'blake2b' | 'blake3';
  readonly shardSize?: number;
  readonly allowSymlinks: boolean;
  readonly ignorePaths: readonly string[];
}

/** How the bundle says the signer is identified. */
export type KeyMaterial =
  | { readonly kind: 'public-key'; readonly hint?: string; readonly rawBytes?: string }
  | { readonly kind: 'certificate'; readonly rawBytes: string }
  | { readonly kind: 'certificate-chain'; readonly certificates: readonly string[] };

/** A Sigstore bundle v0.3 holding a DSSE envelope, whatever its payload (OMS signature, attestation). */
export interface DsseBundle {
  readonly mediaType: string;
  readonly keyMaterial: KeyMaterial;
  readonly tlogEntries: number;
  /** The DSSE envelope as signed: its payload bytes and type, and the signatures over their PAE. */
  readonly envelope: {
    readonly payload: Buffer;
    readonly payloadType: string;
    readonly signatures: readonly { readonly sig: Buffer; readonly keyid?: string }[];
  };
  /** The bundle as parsed JSON, for verifiers that need all of it (Sigstore keyless). */
  readonly json: unknown;
}

export interface OmsSignature extends DsseBundle {
  /**
   * `v1.0`: the OMS v1.0 predicate. `v0.2`: model_signing v0.2.x's `Digests/v0.1` statement (one subject
   * per file), read as model_signing reads it (signing.py `dsse_payload_to_manifest_compat`): files
   * serialization, SHA-256, no symbolic links, no root digest; its signatures were made over a faulty PAE
   * ({@link preAuthEncodingV02}).
   */
  readonly layout: 'v1.0' | 'v0.2';
  /** The model's name and root digest (v0.2 signatures have neither: the name is empty, the digest too). */
  readonly subject: { readonly name: string; readonly sha256: string };
  readonly resources: readonly ResourceDescriptor[];
  readonly serialization: OmsSerialization;
  /**
   * Predicate keys OMS v1.0 does not define (a later version's, or a signer's own), in code-point order:
   * signed, but not checked against the model, as model_signing ignores them; a verifier shows them.
   */
  readonly extraPredicateFields: readonly string[];
}

function pathOf(issue: z.core.$ZodIssue, prefix: string): string {
  const parts = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  return `${prefix}${parts}`;
}

/**
 * Where JSON.parse failed, without the piece of input V8 quotes (`Unexpected token 'r', "root:x:0:0:"...`):
 * the file read as a signature may be anything a link in the model points at, and its content is not
 * echoed into a report.
 */
function jsonErrorWhere(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const position = /at position (\d+)/.exec(message);
  if (position) return `invalid at character ${position[1]}`;
  if (/Unexpected end of JSON input/.test(message)) return 'it ends too early';
  return 'invalid';
}

/** Cuts a piece of input down for an error message (STYLE §9: messages quote truncated input). */
function clip(text: string): string {
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}...` : text;
}

/** A value from the input, JSON-quoted (control characters escaped) and truncated, for an error message. */
export function quote(value: string): string {
  return clip(JSON.stringify(value));
}

function failed(error: z.ZodError, prefix: string, file: string): ParseError {
  const issues = error.issues.slice(0, 5).map((i) => `${clip(pathOf(i, prefix))}: ${clip(i.message)}`);
  return new ParseError('BAD_STRUCTURE', `${file}: ${issues.join('; ')}`);
}

/**
 * What makes a parsed JSON value too costly to check further: nesting deeper than {@link MAX_JSON_DEPTH},
 * or an array longer than {@link MAX_RESOURCES} (the schema would build an issue per element of ten
 * million wrong ones before counting them). Walked without recursion; undefined when the value is fine.
 */
export function jsonShapeProblem(value: unknown): string | undefined {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > MAX_JSON_DEPTH) return `nests deeper than ${MAX_JSON_DEPTH} levels`;
    if (Array.isArray(v) && v.length > MAX_RESOURCES)
      return `holds an array of more than ${MAX_RESOURCES} items`;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return undefined;
}

/** PAE of DSSE v1 (https://github.com/secure-systems-lab/dsse/blob/master/protocol.md): what is signed. */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'utf8'),
    type,
    Buffer.from(` ${payload.length} `, 'utf8'),
    payload,
  ]);
}

/**
 * Python's `repr()` of a bytes object, which model_signing v0.2.x put into what it signed by formatting
 * the payload into an f-string: `b'...'`, single quotes unless the bytes hold `'` and no `"`, backslash
 * escapes for the quote, `\\`, `\t`, `\n`, `\r`, `\xhh` for other bytes outside printable ASCII
 * (CPython Objects/bytesobject.c `PyBytes_Repr`).
 */
function pythonBytesRepr(bytes: Uint8Array): Buffer {
  const hasSingle = bytes.includes(0x27);
  const quote = hasSingle && !bytes.includes(0x22) ? 0x22 : 0x27;
  const width = (byte: number): number =>
    byte === quote || byte === 0x5c || byte === 0x09 || byte === 0x0a || byte === 0x0d
      ? 2
      : byte < 0x20 || byte >= 0x7f
        ? 4
        : 1;
  // Written byte by byte into one buffer sized exactly (a first pass counts): building a string per byte
  // took seconds for a payload of tens of MB.
  let size = 3;
  for (const byte of bytes) size += width(byte);
  const out = Buffer.allocUnsafe(size);
  const digits = '0123456789abcdef';
  let n = 0;
  out[n++] = 0x62; // b
  out[n++] = quote;
  for (const byte of bytes) {
    if (byte === quote || byte === 0x5c) {
      out[n++] = 0x5c;
      out[n++] = byte;
    } else if (byte === 0x09 || byte === 0x0a || byte === 0x0d) {
      out[n++] = 0x5c;
      out[n++] = byte === 0x09 ? 0x74 : byte === 0x0a ? 0x6e : 0x72; // t n r
    } else if (byte < 0x20 || byte >= 0x7f) {
      out[n++] = 0x5c;
      out[n++] = 0x78; // x
      out[n++] = digits.charCodeAt(byte >> 4);
      out[n++] = digits.charCodeAt(byte & 0x0f);
    } else out[n++] = byte;
  }
  out[n++] = quote;
  return out;
}

/**
 * What model_signing v0.2.x signed instead of the DSSE PAE (sign_sigstore_pb.py `pae_compat`, kept by
 * model_signing to verify those signatures): `DSSEV1 <type length> <type> <payload length> <repr(payload)>`,
 * with a capital V and the payload as Python's bytes repr, hashed with SHA-256 whatever the key.
 */
export function preAuthEncodingV02(payloadType: string, payload: Uint8Array): Buffer {
  return Buffer.concat([
    Buffer.from(`DSSEV1 ${Buffer.byteLength(payloadType, 'utf8')} ${payloadType} ${payload.length} `, 'utf8'),
    pythonBytesRepr(payload),
  ]);
}

/**
 * Parses a Sigstore bundle v0.3 with a DSSE envelope (any payload type); throws ParseError naming the
 * file and the field. Message-signature bundles (no envelope) are refused: OMS and in-toto use DSSE.
 */
export function parseDsseBundle(text: string, file = 'bundle'): DsseBundle {
  if (text.length > MAX_BUNDLE_BYTES)
    throw new ParseError('LIMIT_EXCEEDED', `${file}: larger than ${MAX_BUNDLE_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ParseError('BAD_STRUCTURE', `${file}: not JSON (${jsonErrorWhere(error)})`, undefined, {
      cause: error,
    });
  }
  const shape = jsonShapeProblem(json);
  if (shape !== undefined) throw new ParseError('LIMIT_EXCEEDED', `${file}: bundle ${shape}`);
  const bundle = bundleSchema.safeParse(json);
  if (!bundle.success) throw failed(bundle.error, 'bundle', file);
  const b = bundle.data;
  if (!BUNDLE_MEDIA_TYPES.has(b.mediaType))
    throw new ParseError(
      'UNSUPPORTED',
      `${file}: bundle.mediaType ${quote(b.mediaType)} is not a Sigstore bundle v0.3`,
    );
  const vm = b.verificationMaterial;
  const keyMaterial: KeyMaterial | undefined = vm.publicKey
    ? {
        kind: 'public-key',
        ...(vm.publicKey.hint !== undefined ? { hint: vm.publicKey.hint } : {}),
        ...(vm.publicKey.rawBytes !== undefined ? { rawBytes: vm.publicKey.rawBytes } : {}),
      }
    : vm.certificate
      ? { kind: 'certificate', rawBytes: vm.certificate.rawBytes }
      : vm.x509CertificateChain
        ? {
            kind: 'certificate-chain',
            certificates: vm.x509CertificateChain.certificates.map((c) => c.rawBytes),
          }
        : undefined;
  if (!keyMaterial)
    throw new ParseError(
      'BAD_STRUCTURE',
      `${file}: bundle.verificationMaterial has no publicKey, certificate or x509CertificateChain`,
    );
  const env = b.dsseEnvelope;
  return {
    mediaType: b.mediaType,
    keyMaterial,
    tlogEntries: vm.tlogEntries?.length ?? 0,
    envelope: {
      payload: Buffer.from(env.payload, 'base64'),
      payloadType: env.payloadType,
      signatures: env.signatures.map((sig) => ({
        sig: Buffer.from(sig.sig, 'base64'),
        ...(sig.keyid ? { keyid: sig.keyid } : {}),
      })),
    },
    json,
  };
}

/** An in-toto statement's JSON from a DSSE bundle's payload; throws ParseError naming the file. */
export function statementJsonOf(bundle: DsseBundle, file: string): unknown {
  if (bundle.envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE)
    throw new ParseError(
      'UNSUPPORTED',
      `${file}: bundle.dsseEnvelope.payloadType is ${quote(bundle.envelope.payloadType)}, not ${IN_TOTO_PAYLOAD_TYPE}`,
    );
  let statement: unknown;
  try {
    statement = JSON.parse(bundle.envelope.payload.toString('utf8')) as unknown;
  } catch (error) {
    throw new ParseError('BAD_STRUCTURE', `${file}: bundle.dsseEnvelope.payload is not JSON`, undefined, {
      cause: error,
    });
  }
  const shape = jsonShapeProblem(statement);
  if (shape !== undefined)
    throw new ParseError('LIMIT_EXCEEDED', `${file}: bundle.dsseEnvelope.payload: the statement ${shape}`);
  return statement;
}

/** Why a recorded ignore path cannot be honoured, or undefined when it is a relative path in the model. */
function recordedIgnorePathProblem(entry: string): string | undefined {
  if (entry.startsWith('/')) return 'is absolute; ignore paths are relative to the model';
  const parts = entry.split('/');
  if (parts.includes('..')) return 'contains ..; ignore paths stay inside the model';
  if (entry.includes('\0')) return 'contains a NUL character';
  if (parts.every((p) => p === '' || p === '.')) return 'names the whole model';
  return undefined;
}

/** Parses and checks an OMS signature file's text; throws ParseError naming the file and the field. */
export function parseOmsBundle(text: string, file = 'signature'): OmsSignature {
  const dsse = parseDsseBundle(text, file);
  const statementJson = statementJsonOf(dsse, file);
  // The v0.2 layout puts one subject per file; model_signing still verifies it (spec §11 lists it as
  // deprecated), so it is read, marked, and verified the way model_signing does.
  if (
    typeof statementJson === 'object' &&
    statementJson !== null &&
    (statementJson as { predicateType?: unknown }).predicateType === OMS_V02_PREDICATE_TYPE
  ) {
    const v02 = v02StatementSchema.safeParse(statementJson);
    if (!v02.success) throw failed(v02.error, 'statement', file);
    const seenNames = new Set<string>();
    for (const [i, subject] of v02.data.subject.entries()) {
      if (seenNames.has(subject.name))
        throw new ParseError(
          'BAD_STRUCTURE',
          `${file}: statement.subject[${i}].name ${quote(subject.name)} is listed twice`,
        );
      seenNames.add(subject.name);
    }
    return {
      ...dsse,
      layout: 'v0.2',
      subject: { name: '', sha256: '' },
      resources: v02.data.subject.map((subject) => ({
        name: subject.name,
        digest: subject.digest.sha256,
        algorithm: 'sha256',
      })),
      serialization: { method: 'files', hashType: 'sha256', allowSymlinks: false, ignorePaths: [] },
      extraPredicateFields: [],
    };
  }
  const statement = statementSchema.safeParse(statementJson);
  if (!statement.success) throw failed(statement.error, 'statement', file);
  const st = statement.data;
  if (st.predicateType !== OMS_PREDICATE_TYPE)
    throw new ParseError(
      'UNSUPPORTED',
      `${file}: statement.predicateType ${quote(st.predicateType)} is not ${OMS_PREDICATE_TYPE}`,
    );
  const predicate = predicateSchema.safeParse(st.predicate);
  if (!predicate.success) throw failed(predicate.error, 'statement.predicate', file);
  const p = predicate.data;
  const s = p.serialization;
  // §5.2: shard_size is required with `shards` and absent with `files`.
  if (s.method === 'shards' && s.shard_size === undefined)
    throw new ParseError(
      'BAD_STRUCTURE',
      `${file}: statement.predicate.serialization.shard_size is required with method shards`,
    );
  if (s.method === 'files' && s.shard_size !== undefined)
    throw new ParseError(
      'BAD_STRUCTURE',
      `${file}: statement.predicate.serialization.shard_size must be absent with method files`,
    );
  // Each resource names the serialization's hash, bare or (shards only) as `<hash>-sharded-<shard_size>`.
  const accepted = new Set<string>([s.hash_type]);
  if (s.method === 'shards') accepted.add(`${s.hash_type}-sharded-${s.shard_size}`);
  const mismatched = p.resources.findIndex((r) => !accepted.has(r.algorithm));
  if (mismatched >= 0)
    throw new ParseError(
      'BAD_STRUCTURE',
      `${file}: statement.predicate.resources[${mismatched}].algorithm ${p.resources[mismatched]?.algorithm} does not match serialization ${s.method}/${s.hash_type}`,
    );
  const digestLength = DIGEST_HEX_LENGTH[s.hash_type];
  const seen = new Set<string>();
  for (const [i, r] of p.resources.entries()) {
    if (r.digest.length !== digestLength)
      throw new ParseError(
        'BAD_VALUE',
        `${file}: statement.predicate.resources[${i}].digest has ${r.digest.length} hex digits; a ${s.hash_type} digest has ${digestLength}`,
      );
    if (seen.has(r.name))
      throw new ParseError(
        'BAD_STRUCTURE',
        `${file}: statement.predicate.resources[${i}].name ${quote(r.name)} is listed twice`,
      );
    seen.add(r.name);
  }
  // Recorded ignore paths are matched from the model root. One that is absolute, climbs out with `..` or
  // names the root itself cannot mean a path inside the model (model_signing joins it to the model path,
  // so `/etc` there is the system's /etc and `.` the whole model): refused rather than read some other way.
  for (const [i, entry] of (s.ignore_paths ?? []).entries()) {
    const problem = recordedIgnorePathProblem(entry);
    if (problem !== undefined)
      throw new ParseError(
        'BAD_VALUE',
        `${file}: statement.predicate.serialization.ignore_paths[${i}] ${quote(entry)} ${problem}`,
      );
  }
  return {
    ...dsse,
    layout: 'v1.0',
    subject: { name: st.subject[0]?.name as string, sha256: st.subject[0]?.digest.sha256 as string },
    resources: p.resources.map((r) => ({ name: r.name, digest: r.digest, algorithm: r.algorithm })),
    serialization: {
      method: s.method,
      hashType: s.hash_type,
      ...(s.shard_size !== undefined ? { shardSize: s.shard_size } : {}),
      allowSymlinks: s.allow_symlinks,
      ignorePaths: s.ignore_paths ?? [],
    },
    extraPredicateFields: Object.keys(p)
      .filter((key) => !PREDICATE_FIELDS.has(key))
      .sort(compareCodePoints),
  };
}
