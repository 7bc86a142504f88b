import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../core/errors.js';
import { OMS_PREDICATE_TYPE, parseOmsBundle, preAuthEncoding } from './bundle.js';
import { compareResourceNames, parseShardName, rootDigest, shardRanges, sortResources } from './manifest.js';

/** The OMS specification's own test vectors (test/fixtures/oms/SOURCES.txt). */
const VECTORS = join(import.meta.dirname, '../../../test/fixtures/oms/v1.0');
const read = (dir: string, name: string) => readFileSync(join(VECTORS, dir, name), 'utf8');

function reencode(bundleText: string, edit: (statement: Record<string, unknown>) => void): string {
  const bundle = JSON.parse(bundleText);
  const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
  edit(statement);
  bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
  return JSON.stringify(bundle);
}

describe('OMS v1.0 signature files', () => {
  it('reads every valid test vector, and its root digest is the subject digest', () => {
    const names = readdirSync(join(VECTORS, 'valid')).sort();
    expect(names).toEqual(['certificate.bundle.json', 'key.bundle.json', 'sigstore.bundle.json']);
    const kinds: string[] = [];
    for (const name of names) {
      const sig = parseOmsBundle(read('valid', name), name);
      kinds.push(sig.keyMaterial.kind);
      expect(sig.resources.length, name).toBeGreaterThan(0);
      expect(rootDigest(sig.resources), name).toBe(sig.subject.sha256);
      expect(sig.envelope.signatures.length).toBe(1);
    }
    expect(kinds).toEqual(['certificate-chain', 'public-key', 'certificate']);
    const key = parseOmsBundle(read('valid', 'key.bundle.json'));
    expect(key.serialization).toEqual({
      method: 'files',
      hashType: 'sha256',
      allowSymlinks: false,
      ignorePaths: ['.gitattributes', '.github', 'ignore-me', '.gitignore', '.git'],
    });
    expect(key.resources.map((r) => r.name)).toEqual(['signme-1', 'signme-2']);
  });

  it('refuses every invalid test vector with the field named', () => {
    const expectations: Record<string, RegExp> = {
      'empty.bundle.json': /not JSON/,
      'missing-envelope.bundle.json': /bundle\.dsseEnvelope/,
      'missing-verification-material.bundle.json': /bundle\.verificationMaterial/,
      'wrong-predicate.bundle.json': /predicate/,
    };
    for (const [name, pattern] of Object.entries(expectations)) {
      const dir = name === 'wrong-predicate.bundle.json' ? 'invalid-payload' : 'invalid';
      expect(() => parseOmsBundle(read(dir, name), name), name).toThrow(pattern);
    }
    // A Sigstore-signed bundle without transparency-log entries is structurally readable; requiring the
    // entries for the sigstore method is the verifier's job (spec §11.1).
    expect(parseOmsBundle(read('invalid', 'missing-tlog-entries.bundle.json')).tlogEntries).toBe(0);
  });

  it('refuses malformed statements with a ParseError naming the field', () => {
    const key = read('valid', 'key.bundle.json');
    const cases: [string, (s: Record<string, unknown>) => void, RegExp][] = [
      [
        'v0.2 layout without digests',
        (s) => {
          s.predicateType = 'https://model_signing/Digests/v0.1';
          s.subject = [{ name: 'signme-1', digest: {} }];
        },
        /statement\.subject\[0\]\.digest\.sha256/,
      ],
      [
        'two subjects',
        (s) => {
          s.subject = [...(s.subject as unknown[]), ...(s.subject as unknown[])];
        },
        /statement\.subject/,
      ],
      [
        'upper-case digest',
        (s) => {
          (s.predicate as { resources: { digest: string }[] }).resources[0]!.digest = 'ABCD';
        },
        /resources\[0\]\.digest/,
      ],
      [
        'algorithm mismatch',
        (s) => {
          (s.predicate as { resources: { algorithm: string }[] }).resources[1]!.algorithm = 'blake3';
        },
        /resources\[1\]\.algorithm blake3 does not match serialization files\/sha256/,
      ],
      [
        'shards without size',
        (s) => {
          (s.predicate as { serialization: { method: string } }).serialization.method = 'shards';
        },
        /shard_size is required/,
      ],
      [
        'duplicate name',
        (s) => {
          const r = (s.predicate as { resources: { name: string }[] }).resources;
          r[1]!.name = r[0]!.name;
        },
        /listed twice/,
      ],
    ];
    for (const [what, edit, pattern] of cases) {
      const text = reencode(key, edit);
      let error: unknown;
      try {
        parseOmsBundle(text, 'model.sig');
      } catch (e) {
        error = e;
      }
      expect(error, what).toBeInstanceOf(ParseError);
      expect((error as Error).message, what).toMatch(pattern);
      expect((error as Error).message, what).toMatch(/^model\.sig: /);
    }
    expect(() => parseOmsBundle('[]')).toThrow(/bundle: /);
    expect(() => parseOmsBundle('{"mediaType": 1}')).toThrow(/bundle\.mediaType/);
    expect(() => parseOmsBundle(reencode(key, () => {}).replace('bundle.v0.3', 'bundle.v0.1'))).toThrow(
      /not a Sigstore bundle v0\.3/,
    );
  });

  it('reads past predicate keys OMS v1.0 does not define, as model_signing does, and names them', () => {
    const key = read('valid', 'key.bundle.json');
    expect(parseOmsBundle(key).extraPredicateFields).toEqual([]);
    const text = reencode(key, (s) => {
      Object.assign(s.predicate as Record<string, unknown>, { zeta: 1, '\u{1F600}': true, '\uFF01': {} });
    });
    const sig = parseOmsBundle(text, 'model.sig');
    // Code-point order: U+FF01 before U+1F600 (UTF-16 order would put the emoji first).
    expect(sig.extraPredicateFields).toEqual(['zeta', '\uFF01', '\u{1F600}']);
    expect(sig.resources.map((r) => r.name)).toEqual(['signme-1', 'signme-2']);
    // The defined keys are still checked.
    expect(() =>
      parseOmsBundle(
        reencode(key, (s) => {
          (s.predicate as Record<string, unknown>).serialization = 'files';
        }),
      ),
    ).toThrow(/statement\.predicate\.serialization/);
  });

  it('encodes DSSE PAE as the protocol says', () => {
    // DSSE protocol.md: PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
    expect(preAuthEncoding('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
    const key = parseOmsBundle(readFileSync(join(VECTORS, 'valid', 'key.bundle.json'), 'utf8'));
    expect(JSON.parse(key.envelope.payload.toString()).predicateType).toBe(OMS_PREDICATE_TYPE);
  });
});

describe('OMS manifest', () => {
  it('splits shard names on the last two integers, so file names may hold colons', () => {
    expect(parseShardName('weights.bin:0:1000000000')).toEqual({
      path: 'weights.bin',
      start: 0,
      end: 1_000_000_000,
    });
    expect(parseShardName('a:b:c.bin:10:20')).toEqual({ path: 'a:b:c.bin', start: 10, end: 20 });
    expect(parseShardName('x:20:10')).toBeUndefined();
    expect(parseShardName('x:01:10')).toBeUndefined();
    expect(parseShardName('x.bin')).toBeUndefined();
  });

  it('orders resource names by code point, as Python sorts them, not by UTF-16 unit', () => {
    // Python: sorted(['\U0001F600', '\uFF01']) == ['\uFF01', '\U0001F600']; JavaScript's sort() says the opposite.
    const names = ['\u{1F600}.bin', '\uFF01.bin', 'd/\u{1F600}', 'd/\uFF01', 'a.bin'];
    expect([...names].sort()).not.toEqual([...names].sort(compareResourceNames));
    expect([...names].sort(compareResourceNames)).toEqual([
      'a.bin',
      'd/\uFF01',
      'd/\u{1F600}',
      '\uFF01.bin',
      '\u{1F600}.bin',
    ]);
    const shards = ['\u{1F600}:0:10', '\uFF01:10:20', '\uFF01:0:10'];
    expect(shards.sort(compareResourceNames)).toEqual(['\uFF01:0:10', '\uFF01:10:20', '\u{1F600}:0:10']);
  });

  it('cuts files into the spec example shards', () => {
    // Spec §6.3.2: a 2,500,000,000-byte file with the default shard size gives three ranges.
    expect(shardRanges(2_500_000_000, 1_000_000_000)).toEqual([
      { start: 0, end: 1_000_000_000 },
      { start: 1_000_000_000, end: 2_000_000_000 },
      { start: 2_000_000_000, end: 2_500_000_000 },
    ]);
    expect(shardRanges(0, 10)).toEqual([]);
    expect(() => shardRanges(10, 0)).toThrow(RangeError);
  });

  it('computes the root digest over the raw digests in the order given', () => {
    const a = { name: 'b', digest: '01', algorithm: 'sha256' as const };
    const b = { name: 'a', digest: '02', algorithm: 'sha256' as const };
    // sha256 of the bytes 0x02 0x01 (sorted by name: a then b).
    expect(rootDigest(sortResources([a, b]))).toBe(
      '25dfd29c09617dcc9852281c030e5b3037a338a4712a42a21c907f259c6412a0',
    );
    expect(rootDigest([b, a])).toBe('25dfd29c09617dcc9852281c030e5b3037a338a4712a42a21c907f259c6412a0');
    // In the order given: a verifier takes the signature's order, as model_signing does.
    expect(rootDigest([b, a])).not.toBe(rootDigest([a, b]));
    expect(() => rootDigest([{ ...a, digest: 'xyz' }])).toThrow(RangeError);
  });
});
