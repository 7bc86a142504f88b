import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ParseError, UsageError } from '../core/errors.js';
import { createAttestation, expandSubjects, readPredicate, verifyAttestation } from './attest.js';
import { signToBundle } from './bundle-write.js';
import type { VerifyTrust } from './check-signature.js';
import { generateKeyPair } from './keys.js';
import { IN_TOTO_PAYLOAD_TYPE } from './oms/bundle.js';

/**
 * Hostile attestations: a statement's subject names and digests are the signer's, the files under the
 * base folder may be anyone's. Nothing outside the base folder is read (not even through a link on the
 * way), every subject entry is checked, and nothing leaves `verified` true that should not.
 */

const work = mkdtempSync(join(tmpdir(), 'pedigree-attest-hostile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;
function base(): string {
  const dir = join(work, `b${counter++}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'f'), 'hi');
  return dir;
}

const pair = generateKeyPair('ecdsa-p256');
const privateKey = createPrivateKey(pair.privatePem);
const trust: VerifyTrust = { kind: 'key', publicKey: createPublicKey(pair.publicPem) };
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const HI = sha256('hi');
const ZERO = '00'.repeat(32);

/** Writes a validly signed attestation of this statement text (or object) and returns its path. */
function attestation(dir: string, statement: unknown): string {
  const text = typeof statement === 'string' ? statement : JSON.stringify(statement);
  const path = join(dir, `${counter++}.att.json`);
  writeFileSync(path, signToBundle(IN_TOTO_PAYLOAD_TYPE, Buffer.from(text), { kind: 'key', privateKey }));
  return path;
}

function statement(subject: unknown[], predicate: unknown = {}) {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject,
    predicateType: 'https://example.com/p',
    predicate,
  };
}

describe('verifyAttestation > when the statement is hostile', () => {
  it('checks every entry of a name listed twice, so a second digest cannot hide behind a first', async () => {
    const dir = base();
    for (const order of [
      [HI, ZERO],
      [ZERO, HI],
    ]) {
      const path = attestation(dir, statement(order.map((sha) => ({ name: 'f', digest: { sha256: sha } }))));
      const result = await verifyAttestation({ bundlePath: path, trust, baseDir: dir });
      expect(result.verified).toBe(false);
      expect(result.subjects.map((s) => s.status).sort()).toEqual(['match', 'mismatch']);
      const only = await verifyAttestation({
        bundlePath: path,
        trust,
        baseDir: dir,
        subjectPaths: [join(dir, 'f')],
      });
      expect(only.verified).toBe(false);
    }
  });

  it('reports a subject without a name as not checked, not as nothing', async () => {
    const dir = base();
    const path = attestation(
      dir,
      statement([{ name: 'f', digest: { sha256: HI } }, { digest: { sha256: HI } }]),
    );
    const result = await verifyAttestation({ bundlePath: path, trust, baseDir: dir });
    expect(result.verified).toBe(false);
    expect(result.subjects.at(-1)).toMatchObject({
      status: 'not-checked',
      reason: '1 subject has no name, so no file to check',
    });
  });

  it('never reads a file reached through a link to a folder outside the base folder, nor reveals its digest', async () => {
    const dir = base();
    const outside = join(work, `outside-${counter++}`);
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret'), 'secret');
    symlinkSync(outside, join(dir, 'data'));
    const path = attestation(dir, statement([{ name: 'data/secret', digest: { sha256: ZERO } }]));
    const result = await verifyAttestation({ bundlePath: path, trust, baseDir: dir });
    expect(result.verified).toBe(false);
    expect(result.subjects[0]).toMatchObject({ status: 'not-checked' });
    expect(result.subjects[0]?.reason).toMatch(/leads outside the base folder through a symbolic link/);
    expect(result.subjects[0]?.actual).toBeUndefined();
    expect(JSON.stringify(result)).not.toContain(sha256('secret'));
  });

  it('reads a file through a link to a folder inside the base folder', async () => {
    const dir = base();
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real/g'), 'hi');
    symlinkSync('real', join(dir, 'alias'));
    const path = attestation(dir, statement([{ name: 'alias/g', digest: { sha256: HI } }]));
    expect((await verifyAttestation({ bundlePath: path, trust, baseDir: dir })).verified).toBe(true);
  });

  it('never reads names that leave the base folder, name it, hold NUL or name no regular file', async () => {
    const dir = base();
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    const names = [
      '',
      '.',
      '..',
      '../f',
      '/etc/passwd',
      'a\u0000b',
      'pipe',
      '..\\..\\etc\\passwd',
      `${'x'.repeat(5000)}`,
    ];
    const path = attestation(dir, statement(names.map((name) => ({ name, digest: { sha256: HI } }))));
    const started = Date.now();
    const result = await verifyAttestation({ bundlePath: path, trust, baseDir: dir });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.verified).toBe(false);
    expect(result.subjects.every((s) => s.status !== 'match' && s.actual === undefined)).toBe(true);
    expect(result.subjects.find((s) => s.name === 'a\u0000b')?.reason).toMatch(/NUL/);
    expect(result.subjects.find((s) => s.name === 'pipe')?.status).toBe('not-checked');
  });

  it('compares hex digests case-insensitively and checks SHA-512 alone', async () => {
    const dir = base();
    const sha512 = createHash('sha512').update('hi').digest('hex');
    const path = attestation(
      dir,
      statement([
        { name: 'f', digest: { sha256: HI.toUpperCase() } },
        { name: 'f', digest: { sha512 } },
      ]),
    );
    expect((await verifyAttestation({ bundlePath: path, trust, baseDir: dir })).verified).toBe(true);
  });

  it('refuses a statement nesting deeper than the JSON limit (its report would overflow the stack)', async () => {
    const dir = base();
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const text = JSON.stringify(statement([{ name: 'f', digest: { sha256: HI } }], { x: 1 })).replace(
      '{"x":1}',
      deep,
    );
    await expect(
      verifyAttestation({ bundlePath: attestation(dir, text), trust, baseDir: dir }),
    ).rejects.toThrow(ParseError);
  });

  it('refuses a FIFO or a device as the attestation at once', async () => {
    const dir = base();
    execFileSync('mkfifo', [join(dir, 'att.fifo')]);
    await expect(
      verifyAttestation({ bundlePath: join(dir, 'att.fifo'), trust, baseDir: dir }),
    ).rejects.toThrow(/not a regular file/);
    await expect(verifyAttestation({ bundlePath: '/dev/zero', trust, baseDir: dir })).rejects.toThrow(
      UsageError,
    );
  });
});

describe('attest > when the inputs are hostile', () => {
  it('names folder subjects from the base folder as given, also when it is reached through a link', async () => {
    const dir = base();
    mkdirSync(join(dir, 'model'));
    writeFileSync(join(dir, 'model/w.bin'), 'hi');
    const link = join(work, `link-${counter++}`);
    symlinkSync(dir, link);
    const subjects = expandSubjects([join(link, 'model')], link);
    expect(subjects.map((s) => s.name)).toEqual(['model/w.bin']);
    const bundle = await createAttestation({
      predicateType: 'https://example.com/p',
      predicate: {},
      subjects,
      signer: { kind: 'key', privateKey },
    });
    const path = join(dir, 'att.json');
    writeFileSync(path, bundle);
    expect((await verifyAttestation({ bundlePath: path, trust, baseDir: link })).verified).toBe(true);
  });

  it('refuses a predicate verify-attestation would refuse (too deep), before signing it', () => {
    const dir = base();
    writeFileSync(join(dir, 'deep.json'), `{"a":${'['.repeat(500)}${']'.repeat(500)}}`);
    expect(() => readPredicate(join(dir, 'deep.json'))).toThrow(/the statement nests deeper than/);
  });

  it('refuses to sign a statement whose bundle verification would refuse as too large', () => {
    expect(() =>
      signToBundle(IN_TOTO_PAYLOAD_TYPE, Buffer.alloc(49 * 1024 * 1024, 0x20), { kind: 'key', privateKey }),
    ).toThrow(/larger than the 67108864 bytes a verifier reads/);
  });

  it('reads a predicate from a pipe, bounded, and refuses /dev/zero', () => {
    expect(() => readPredicate('/dev/zero')).toThrow(/larger than/);
    const dir = base();
    writeFileSync(join(dir, 'p.json'), '{"a":1}');
    expect(readPredicate(join(dir, 'p.json'))).toEqual({ a: 1 });
  });
});
