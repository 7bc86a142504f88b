import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ParseError, UsageError } from '../core/errors.js';
import {
  DEFAULT_TRUSTED_ROOT_PATH,
  type KeylessPolicy,
  type KeylessResult,
  loadTrustedRoot,
  MAX_TLOG_ENTRIES,
  MAX_TRUSTED_ROOT_BYTES,
  parseTrustedRoot,
  type TrustedRoot,
  verifySigstoreBundle,
} from './sigstore.js';

/** model_signing's signed samples (test/fixtures/oms/SOURCES.txt), signed keylessly on the public-good instance. */
const SAMPLES = join(import.meta.dirname, '../../test/fixtures/oms/samples');
const VECTORS = join(import.meta.dirname, '../../test/fixtures/oms/v1.0');
const VERSIONS = ['v0.3.1', 'v1.0.0', 'v1.0.1', 'v1.1.0'] as const;
const SHARED_ROOT = join(import.meta.dirname, '../../../shared/data/sigstore/trusted_root.json');

const IDENTITY = 'stefanb@us.ibm.com';
const ISSUER = 'https://sigstore.verify.ibm.com/oauth2';
const POLICY: KeylessPolicy = { identity: IDENTITY, issuer: ISSUER };

// biome-ignore lint/suspicious/noExplicitAny: bundles are edited as plain JSON
type Json = any;

const sample = (version: string, method = 'sigstore'): Json =>
  JSON.parse(readFileSync(join(SAMPLES, `${version}-${method}`, 'model.sig'), 'utf8'));

const root = loadTrustedRoot();
const rootJson: Json = JSON.parse(readFileSync(DEFAULT_TRUSTED_ROOT_PATH, 'utf8'));

function verify(
  bundle: unknown,
  policy: KeylessPolicy = POLICY,
  trustedRoot: TrustedRoot = root,
): KeylessResult {
  return verifySigstoreBundle(bundle, policy, { trustedRoot, file: 'model.sig' });
}

function failure(result: KeylessResult): { code: string; reason: string } {
  if (result.ok) throw new Error('expected the verification to fail');
  return result;
}

function parseErrorOf(run: () => unknown): ParseError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
    return error as ParseError;
  }
  throw new Error('expected a ParseError');
}

/** Flips the lowest bit of one byte. */
function flipBit(bytes: Buffer, index: number): void {
  bytes.writeUInt8(bytes.readUInt8(index) ^ 0x01, index);
}

const tmp = mkdtempSync(join(tmpdir(), 'pedigree-sigstore-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('verifySigstoreBundle', () => {
  describe("with model_signing's keyless samples and the bundled public-good root", () => {
    it.each(VERSIONS)('verifies the %s sample offline', (version) => {
      const bundle = sample(version);
      const result = verify(bundle);
      if (!result.ok) throw new Error(result.reason);
      expect(result.identity).toBe(IDENTITY);
      expect(result.issuer).toBe(ISSUER);
      expect(result.certificate).toBeInstanceOf(X509Certificate);
      expect(result.certificate.subjectAltName).toBe(`email:${IDENTITY}`);
      const entry = bundle.verificationMaterial.tlogEntries[0];
      expect(result.logIndex).toBe(entry.logIndex);
      expect(result.signedAt?.getTime()).toBe(Number(entry.integratedTime) * 1000);
      expect(result.dsse?.payloadType).toBe('application/vnd.in-toto+json');
      expect(result.dsse?.payload.equals(Buffer.from(bundle.dsseEnvelope.payload, 'base64'))).toBe(true);
    });

    it("verifies the OMS specification's sigstore test vector", () => {
      const bundle = JSON.parse(readFileSync(join(VECTORS, 'valid/sigstore.bundle.json'), 'utf8'));
      expect(verify(bundle)).toMatchObject({ ok: true, identity: IDENTITY, issuer: ISSUER });
    });

    it.each([
      ['v0.1', 'application/vnd.dev.sigstore.bundle+json;version=0.1'],
      ['v0.2', 'application/vnd.dev.sigstore.bundle+json;version=0.2'],
      ['v0.3 (legacy media type)', 'application/vnd.dev.sigstore.bundle+json;version=0.3'],
    ])('reads the %s bundle layout', (_name, mediaType) => {
      const bundle = sample('v1.0.1');
      bundle.mediaType = mediaType;
      if (!mediaType.endsWith('0.3')) {
        // Before v0.3 the leaf came in x509CertificateChain.
        bundle.verificationMaterial.x509CertificateChain = {
          certificates: [bundle.verificationMaterial.certificate],
        };
        delete bundle.verificationMaterial.certificate;
      }
      expect(verify(bundle)).toMatchObject({ ok: true, identity: IDENTITY });
    });

    it('reports the earliest verified time when a bundle has a log entry and an RFC 3161 timestamp', () => {
      const bundle = sample('v1.1.0');
      expect(bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps).toHaveLength(1);
      const result = verify(bundle);
      expect(result.ok && result.signedAt?.toISOString()).toBe('2025-10-10T02:12:20.000Z');
    });
  });

  describe('policy', () => {
    it('refuses another identity, naming the expected and the actual SAN and issuer', () => {
      const { code, reason } = failure(
        verify(sample('v1.0.1'), { identity: 'alice@example.com', issuer: ISSUER }),
      );
      expect(code).toBe('IDENTITY_MISMATCH');
      expect(reason).toContain('"alice@example.com"');
      expect(reason).toContain(`"${IDENTITY}"`);
      expect(reason).toContain(ISSUER);
    });

    it('compares identities whole: a prefix or a longer string does not match', () => {
      for (const identity of ['stefanb@us.ibm.co', 'stefanb@us.ibm.com.evil.net', 'STEFANB@us.ibm.com'])
        expect(failure(verify(sample('v1.0.1'), { identity, issuer: ISSUER })).code).toBe(
          'IDENTITY_MISMATCH',
        );
    });

    it('refuses another issuer, naming both', () => {
      const { code, reason } = failure(
        verify(sample('v1.0.1'), { identity: IDENTITY, issuer: 'https://accounts.google.com' }),
      );
      expect(code).toBe('ISSUER_MISMATCH');
      expect(reason).toContain('"https://accounts.google.com"');
      expect(reason).toContain(`"${ISSUER}"`);
    });

    it('accepts an identity or issuer regex that matches the whole value', () => {
      for (const policy of [
        { identityRegex: '.*@us\\.ibm\\.com', issuer: ISSUER },
        { identityRegex: 'stefanb@us\\.ibm\\.com', issuerRegex: 'https://sigstore\\.verify\\.ibm\\.com/.*' },
        { identity: IDENTITY, identityRegex: 'stefanb@.*', issuerRegex: '.*' },
      ])
        expect(verify(sample('v1.1.0'), policy), JSON.stringify(policy)).toMatchObject({
          ok: true,
          identity: IDENTITY,
        });
    });

    it('anchors regexes: a pattern matching only part of the value fails', () => {
      expect(failure(verify(sample('v1.1.0'), { identityRegex: 'stefanb', issuer: ISSUER })).code).toBe(
        'IDENTITY_MISMATCH',
      );
      expect(failure(verify(sample('v1.1.0'), { identityRegex: 'x|stefanb', issuer: ISSUER })).code).toBe(
        'IDENTITY_MISMATCH',
      );
      const { code, reason } = failure(
        verify(sample('v1.1.0'), { identity: IDENTITY, issuerRegex: 'https://sigstore' }),
      );
      expect(code).toBe('ISSUER_MISMATCH');
      expect(reason).toContain('a whole match of the regex "https://sigstore"');
    });

    it('when an exact identity and a regex are both given, requires both', () => {
      expect(
        failure(verify(sample('v1.1.0'), { identity: IDENTITY, identityRegex: 'alice@.*', issuer: ISSUER }))
          .code,
      ).toBe('IDENTITY_MISMATCH');
    });

    it('throws UsageError when the policy names no identity, no issuer, an empty value or a bad regex', () => {
      const policies: KeylessPolicy[] = [
        { issuer: ISSUER },
        { identity: IDENTITY },
        { identity: '', issuer: ISSUER },
        { identityRegex: '(', issuer: ISSUER },
        { identity: IDENTITY, issuerRegex: '[' },
      ];
      for (const policy of policies)
        expect(() => verify(sample('v1.1.0'), policy), JSON.stringify(policy)).toThrow(UsageError);
      expect(() => verify(sample('v1.1.0'), { issuer: ISSUER })).toThrow(/identity/);
      expect(() => verify(sample('v1.1.0'), { identity: IDENTITY })).toThrow(/issuer/);
    });
  });

  describe('when the bundle was altered', () => {
    it('fails when one byte of the DSSE payload changed', () => {
      for (const version of VERSIONS) {
        const bundle = sample(version);
        const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64');
        flipBit(payload, payload.length >> 1);
        bundle.dsseEnvelope.payload = payload.toString('base64');
        const { code, reason } = failure(verify(bundle));
        expect(code, version).toBe('SIGNATURE_INVALID');
        expect(reason).toMatch(/DSSE payload/);
      }
    });

    it('fails when the certificate is a CA certificate rather than a code-signing leaf', () => {
      const bundle = sample('v1.0.1');
      const fulcio = rootJson.certificateAuthorities.at(-1).certChain.certificates[0];
      bundle.verificationMaterial.certificate = { rawBytes: fulcio.rawBytes };
      const { code, reason } = failure(verify(bundle));
      expect(code).toBe('CERTIFICATE_UNTRUSTED');
      expect(reason).toContain('code-signing');
    });

    it('fails when the signature changed', () => {
      for (const version of VERSIONS) {
        const bundle = sample(version);
        const sig = Buffer.from(bundle.dsseEnvelope.signatures[0].sig, 'base64');
        flipBit(sig, sig.length - 1);
        bundle.dsseEnvelope.signatures[0].sig = sig.toString('base64');
        expect(failure(verify(bundle)).code, version).toBe('SIGNATURE_INVALID');
      }
    });

    it('fails with a clear reason when the transparency-log entry was removed', () => {
      for (const version of VERSIONS) {
        const bundle = sample(version);
        bundle.verificationMaterial.tlogEntries = [];
        const { code, reason } = failure(verify(bundle));
        expect(code, version).toBe('TLOG_MISSING');
        expect(reason).toMatch(/^model\.sig has no transparency-log entry/);
      }
    });

    it("fails on the OMS specification's missing-tlog-entries vector", () => {
      const bundle = JSON.parse(
        readFileSync(join(VECTORS, 'invalid/missing-tlog-entries.bundle.json'), 'utf8'),
      );
      expect(failure(verify(bundle)).code).toBe('TLOG_MISSING');
    });

    it("fails when the log entry's integrated time changed (its signed entry timestamp no longer verifies)", () => {
      const bundle = sample('v1.0.1');
      const entry = bundle.verificationMaterial.tlogEntries[0];
      entry.integratedTime = String(Number(entry.integratedTime) + 1);
      const { code, reason } = failure(verify(bundle));
      expect(code).toBe('TLOG_INVALID');
      expect(reason).toContain('inclusion promise');
    });

    it('fails when the inclusion proof was altered', () => {
      const bundle = sample('v1.1.0');
      const proof = bundle.verificationMaterial.tlogEntries[0].inclusionProof;
      proof.hashes[0] = Buffer.alloc(32).toString('base64');
      expect(failure(verify(bundle)).code).toBe('TLOG_INVALID');
    });

    it('throws ParseError for a checkpoint whose signer name @sigstore/verify cannot use', () => {
      // @sigstore/verify matches the checkpoint's signer name against the log's URL as a regular
      // expression; a name that is no valid one makes it throw, which is malformed input, not a verdict.
      const bundle = sample('v1.1.0');
      const checkpoint = bundle.verificationMaterial.tlogEntries[0].inclusionProof.checkpoint;
      checkpoint.envelope = checkpoint.envelope.replace('\u2014 rekor.sigstore.dev ', '\u2014 ( ');
      const error = parseErrorOf(() => verify(bundle));
      expect(error.message).toMatch(/^model\.sig: malformed bundle content/);
    });

    it('fails when the RFC 3161 timestamp was altered', () => {
      const bundle = sample('v1.1.0');
      const tampered = Buffer.from(
        bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0].signedTimestamp,
        'base64',
      );
      flipBit(tampered, tampered.length - 1);
      bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0].signedTimestamp =
        tampered.toString('base64');
      expect(failure(verify(bundle)).code).toBe('TIMESTAMP_INVALID');
    });
  });

  describe('with a trusted root that lacks what the bundle needs', () => {
    it('fails as an untrusted certificate when the root has no Fulcio CA', () => {
      const noCa = parseTrustedRoot(
        JSON.stringify({ ...rootJson, certificateAuthorities: [] }),
        'no-ca.json',
      );
      for (const version of VERSIONS) {
        const { code, reason } = failure(verify(sample(version), POLICY, noCa));
        expect(code, version).toBe('CERTIFICATE_UNTRUSTED');
        expect(reason).toContain('no-ca.json');
        expect(reason).toContain('--trusted-root');
      }
    });

    it('fails when the root has no Rekor log', () => {
      const noLog = parseTrustedRoot(JSON.stringify({ ...rootJson, tlogs: [] }), 'no-log.json');
      expect(failure(verify(sample('v1.0.1'), POLICY, noLog)).code).toBe('TLOG_INVALID');
    });

    it('fails when the root has no CT log (the certificate SCT cannot be checked)', () => {
      const noCt = parseTrustedRoot(JSON.stringify({ ...rootJson, ctlogs: [] }), 'no-ct.json');
      const { code, reason } = failure(verify(sample('v1.0.1'), POLICY, noCt));
      expect(code).toBe('CERTIFICATE_UNTRUSTED');
      expect(reason).toContain('SCT');
    });

    it('refuses a trusted root that was not loaded by this module', () => {
      const forged = { source: 'x', sha256: '', mediaType: '' } as TrustedRoot;
      expect(() => verify(sample('v1.0.1'), POLICY, forged)).toThrow(UsageError);
    });
  });

  describe('malformed bundles throw ParseError naming the file', () => {
    const cases: [string, () => Json, RegExp][] = [
      ['not an object', () => 42, /^model\.sig: a Sigstore bundle is a JSON object/],
      ['null', () => null, /JSON object/],
      ['an array', () => [sample('v1.0.1')], /JSON object/],
      [
        'a wrong media type',
        () => ({ ...sample('v1.0.1'), mediaType: 'application/json' }),
        /bundle\.mediaType "application\/json" is not a Sigstore bundle/,
      ],
      [
        'no verificationMaterial',
        () => ({ ...sample('v1.0.1'), verificationMaterial: undefined }),
        /bundle\.verificationMaterial/,
      ],
      [
        'no certificate',
        () => {
          const b = sample('v1.0.1');
          delete b.verificationMaterial.certificate;
          return b;
        },
        /no certificate/,
      ],
      [
        'a certificate that is not base64',
        () => {
          const b = sample('v1.0.1');
          b.verificationMaterial.certificate.rawBytes = 'not base64!';
          return b;
        },
        /bundle\.verificationMaterial\.certificate\.rawBytes: not base64/,
      ],
      [
        'a certificate that is not DER',
        () => {
          const b = sample('v1.0.1');
          b.verificationMaterial.certificate.rawBytes = Buffer.from('hello').toString('base64');
          return b;
        },
        /certificate or timestamp does not parse/,
      ],
      [
        'no content',
        () => ({ ...sample('v1.0.1'), dsseEnvelope: undefined }),
        /exactly one of dsseEnvelope and messageSignature/,
      ],
      [
        'both a DSSE envelope and a message signature',
        () => ({
          ...sample('v1.0.1'),
          messageSignature: { messageDigest: { algorithm: 'SHA2_256', digest: 'AAAA' }, signature: 'AAAA' },
        }),
        /exactly one of dsseEnvelope and messageSignature/,
      ],
      [
        'two DSSE signatures',
        () => {
          const b = sample('v1.0.1');
          b.dsseEnvelope.signatures.push(b.dsseEnvelope.signatures[0]);
          return b;
        },
        /bundle\.dsseEnvelope\.signatures: must hold exactly one signature/,
      ],
      [
        'a key and a certificate',
        () => {
          const b = sample('v1.0.1');
          b.verificationMaterial.publicKey = { hint: 'x' };
          return b;
        },
        /holds publicKey and certificate/,
      ],
      [
        'too many log entries',
        () => {
          const b = sample('v1.0.1');
          const entry = b.verificationMaterial.tlogEntries[0];
          b.verificationMaterial.tlogEntries = Array.from({ length: MAX_TLOG_ENTRIES + 1 }, () => entry);
          return b;
        },
        /bundle\.verificationMaterial\.tlogEntries: /,
      ],
      [
        'a log entry without its log id',
        () => {
          const b = sample('v1.0.1');
          delete b.verificationMaterial.tlogEntries[0].logId;
          return b;
        },
        /not a valid Sigstore bundle \(verificationMaterial\.tlogEntries\[0\]\.logId\)/,
      ],
    ];
    it.each(cases)('%s', (_name, make, message) => {
      const error = parseErrorOf(() => verify(make()));
      expect(error.message).toMatch(/^model\.sig: /);
      expect(error.message).toMatch(message);
    });

    it('says a bundle signed with a key is not keyless and points to --key', () => {
      const error = parseErrorOf(() => verify(sample('v1.1.0', 'elliptic-key')));
      expect(error.code).toBe('UNSUPPORTED');
      expect(error.message).toBe(
        'model.sig: bundle.verificationMaterial.publicKey: this bundle is signed with a key, not keyless; verify with --key',
      );
    });

    it('says a v0.3 bundle with a certificate chain is the certificate method', () => {
      const error = parseErrorOf(() => verify(sample('v1.1.0', 'certificate')));
      expect(error.code).toBe('UNSUPPORTED');
      expect(error.message).toMatch(/--certificate-chain/);
    });

    it('uses "bundle" as the name when no file is given', () => {
      expect(() => verifySigstoreBundle('x', POLICY, { trustedRoot: root })).toThrow(/^bundle: /);
    });
  });

  describe('message signatures', () => {
    function messageBundle(artifact: Buffer): Json {
      const b = sample('v1.0.1');
      b.messageSignature = {
        messageDigest: {
          algorithm: 'SHA2_256',
          digest: createHash('sha256').update(artifact).digest('base64'),
        },
        signature: b.dsseEnvelope.signatures[0].sig,
      };
      delete b.dsseEnvelope;
      return b;
    }

    it('throws UsageError without the artifact', () => {
      expect(() => verify(messageBundle(Buffer.from('model')))).toThrow(UsageError);
    });

    it('checks the signature over the artifact when given', () => {
      const artifact = Buffer.from('model');
      const result = verifySigstoreBundle(messageBundle(artifact), POLICY, {
        trustedRoot: root,
        file: 'model.sig',
        artifact,
      });
      expect(failure(result)).toMatchObject({
        code: 'SIGNATURE_INVALID',
        reason: expect.stringMatching(/artifact/),
      });
    });
  });
});

describe('loadTrustedRoot', () => {
  it('loads the bundled public-good root by default', () => {
    expect(root.source).toBe(DEFAULT_TRUSTED_ROOT_PATH);
    expect(root.mediaType).toBe('application/vnd.dev.sigstore.trustedroot+json;version=0.1');
    expect(root.sha256).toBe(
      createHash('sha256').update(readFileSync(DEFAULT_TRUSTED_ROOT_PATH)).digest('hex'),
    );
    expect(DEFAULT_TRUSTED_ROOT_PATH.endsWith(join('data', 'sigstore', 'trusted_root.json'))).toBe(true);
  });

  it.skipIf(!existsSync(SHARED_ROOT))('ships a byte-exact copy of the shared trusted root', () => {
    const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
    expect(sha(DEFAULT_TRUSTED_ROOT_PATH)).toBe(sha(SHARED_ROOT));
    expect(root.sha256).toBe('6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66');
  });

  it('loads a root from a given path', () => {
    const path = join(tmp, 'root.json');
    writeFileSync(path, JSON.stringify(rootJson));
    const loaded = loadTrustedRoot(path);
    expect(loaded.source).toBe(path);
    expect(verify(sample('v1.0.1'), POLICY, loaded).ok).toBe(true);
  });

  const bad: [string, string | (() => string), RegExp][] = [
    ['garbage', '\u0000garbage', /not JSON/],
    ['an empty file', '', /not JSON/],
    ['a JSON array', '[]', /a trusted root is a JSON object/],
    [
      'another media type',
      JSON.stringify({ ...rootJson, mediaType: 'x' }),
      /trustedRoot\.mediaType: not a Sigstore/,
    ],
    [
      'a log without a key',
      () =>
        JSON.stringify({
          ...rootJson,
          tlogs: [{ baseUrl: 'https://rekor.sigstore.dev', logId: { keyId: 'AA==' } }],
        }),
      /trustedRoot\.tlogs\[0\]\.publicKey/,
    ],
    [
      'a CA certificate that is not DER',
      () =>
        JSON.stringify({
          ...rootJson,
          certificateAuthorities: [{ certChain: { certificates: [{ rawBytes: 'aGVsbG8=' }] } }],
        }),
      /key material does not parse/,
    ],
    [
      'an unknown key type',
      () => {
        const copy = structuredClone(rootJson);
        copy.tlogs[0].publicKey.keyDetails = 'PKIX_MYSTERY';
        return JSON.stringify(copy);
      },
      /key material does not parse/,
    ],
    [
      'a validity that is not a time',
      () => {
        const copy = structuredClone(rootJson);
        copy.certificateAuthorities[0].validFor.start = 'yesterday';
        return JSON.stringify(copy);
      },
      /trustedRoot\.certificateAuthorities\[0\]\.validFor\.start: not an RFC 3339 timestamp/,
    ],
  ];
  it.each(bad)('throws ParseError naming the file for %s', (name, content, message) => {
    const path = join(tmp, `${name.replaceAll(' ', '-')}.json`);
    writeFileSync(path, typeof content === 'string' ? content : content());
    const error = parseErrorOf(() => loadTrustedRoot(path));
    expect(error.message.startsWith(`${path}: `)).toBe(true);
    expect(error.message).toMatch(message);
  });

  it('throws ParseError naming the file when it is missing', () => {
    const path = join(tmp, 'missing.json');
    const error = parseErrorOf(() => loadTrustedRoot(path));
    expect(error.message).toContain(path);
    expect(error.message).toContain('cannot read trusted root');
  });

  it('throws ParseError for a file over the size limit without reading past it', () => {
    const path = join(tmp, 'huge.json');
    writeFileSync(path, '');
    truncateSync(path, MAX_TRUSTED_ROOT_BYTES + 1);
    const error = parseErrorOf(() => loadTrustedRoot(path));
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toContain(path);
  });

  it('parseTrustedRoot refuses oversized input too', () => {
    expect(parseErrorOf(() => parseTrustedRoot(Buffer.alloc(MAX_TRUSTED_ROOT_BYTES + 1), 'big')).code).toBe(
      'LIMIT_EXCEEDED',
    );
  });
});
