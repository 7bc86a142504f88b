import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { signToBundle } from '../bundle-write.js';
import type { VerifyTrust } from '../check-signature.js';
import { generateKeyPair } from '../keys.js';
import { IN_TOTO_PAYLOAD_TYPE, parseOmsBundle } from './bundle.js';
import { type ResourceDescriptor, rootDigest, sortResources } from './manifest.js';
import { interoperabilityNotes, type SignModelOptions, signModel } from './sign.js';
import { createTestHierarchy, EKU } from './test-support/certificates.js';
import { verifyModel } from './verify.js';

/**
 * Where pedigree and model_signing (v1.1) could disagree about a model, each case as the interop audit
 * found it: git paths a signature lists, links to folders, the model path itself a link, paths
 * `--ignore-unsigned-files` never looks at, predicate keys v1.0 does not define, and the notes `sign`
 * prints for signatures model_signing will not verify.
 */

const pair = generateKeyPair('ecdsa-p256');
const privateKey = createPrivateKey(pair.privatePem);
const trust: VerifyTrust = { kind: 'key', publicKey: createPublicKey(pair.publicPem) };

const work = mkdtempSync(join(tmpdir(), 'pedigree-oms-interop-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;
function fresh(): string {
  const dir = join(work, `${counter++}`, 'model');
  mkdirSync(dir, { recursive: true });
  return dir;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const resource = (name: string, content: string): ResourceDescriptor => ({
  name,
  algorithm: 'sha256',
  digest: sha256(content),
});

/** A signature as model_signing writes it: resources sorted, the root digest over them, the key hint. */
function writeSignature(
  dir: string,
  resources: readonly ResourceDescriptor[],
  serialization: Record<string, unknown>,
  predicateExtra: Record<string, unknown> = {},
): string {
  const sorted = sortResources(resources);
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'model', digest: { sha256: rootDigest(sorted) } }],
    predicateType: 'https://model_signing/signature/v1.0',
    predicate: { serialization, resources: sorted, ...predicateExtra },
  };
  const path = join(dir, 'model.sig');
  const bundle = signToBundle(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement)), {
    kind: 'key',
    privateKey,
  });
  writeFileSync(path, bundle);
  return path;
}

const verify = (dir: string, signaturePath: string, extra: Partial<Parameters<typeof verifyModel>[0]> = {}) =>
  verifyModel({ modelPath: dir, signaturePath, trust, workers: 1, ...extra });

async function sign(dir: string, options: Partial<SignModelOptions> = {}) {
  const signaturePath = options.signaturePath ?? join(dir, 'model.sig');
  const signed = await signModel({
    modelPath: dir,
    signer: { kind: 'key', privateKey },
    signaturePath,
    workers: 1,
    ...options,
  });
  writeFileSync(signaturePath, signed.bundle);
  return { signaturePath, signed };
}

describe('git paths (.git, .gitattributes, .github, .gitignore)', () => {
  it('verifies a model_signing --no-ignore-git-paths signature listing .gitattributes, and checks it', async () => {
    const dir = fresh();
    writeFileSync(join(dir, '.gitattributes'), '*.bin filter=lfs\n');
    writeFileSync(join(dir, 'config.json'), '{}');
    // model_signing records the signature path only: the git paths were signed, not ignored.
    const sig = writeSignature(
      dir,
      [resource('.gitattributes', '*.bin filter=lfs\n'), resource('config.json', '{}')],
      { method: 'files', hash_type: 'sha256', allow_symlinks: false, ignore_paths: ['model.sig'] },
    );
    const result = await verify(dir, sig);
    expect(result.problems).toEqual([]);
    expect(result.verified).toBe(true);
    expect(result.files).toBe(2);
    // The git paths it lists nothing under are still left out, as model_signing leaves them out.
    expect(result.ignorePaths).toEqual(['.git', '.github', '.gitignore', 'model.sig']);
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, '.git/HEAD'), 'ref: refs/heads/main\n');
    expect((await verify(dir, sig)).verified).toBe(true);
    writeFileSync(join(dir, '.gitattributes'), '* filter=evil\n');
    const tampered = await verify(dir, sig);
    expect(tampered.verified).toBe(false);
    expect(tampered.changed.map((c) => c.path)).toEqual(['.gitattributes']);
  });

  it('compares a git folder the signature lists a file under, whole', async () => {
    const dir = fresh();
    mkdirSync(join(dir, '.github'));
    writeFileSync(join(dir, '.github/README.md'), 'x');
    writeFileSync(join(dir, 'config.json'), '{}');
    const sig = writeSignature(dir, [resource('.github/README.md', 'x'), resource('config.json', '{}')], {
      method: 'files',
      hash_type: 'sha256',
      allow_symlinks: false,
    });
    expect((await verify(dir, sig)).verified).toBe(true);
    writeFileSync(join(dir, '.github/workflow.yml'), 'on: push');
    expect((await verify(dir, sig)).added).toEqual(['.github/workflow.yml']);
  });

  it('with ignoreGitPaths false (--no-ignore-git-paths), compares them like any path', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'config.json'), '{}');
    const sig = writeSignature(dir, [resource('config.json', '{}')], {
      method: 'files',
      hash_type: 'sha256',
      allow_symlinks: false,
      ignore_paths: ['model.sig'],
    });
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, '.git/HEAD'), 'ref: refs/heads/main\n');
    expect((await verify(dir, sig)).verified).toBe(true);
    const strict = await verify(dir, sig, { ignoreGitPaths: false });
    expect(strict.verified).toBe(false);
    expect(strict.added).toEqual(['.git/HEAD']);
    // What the signature records as ignored stays ignored.
    const recorded = writeSignature(dir, [resource('config.json', '{}')], {
      method: 'files',
      hash_type: 'sha256',
      allow_symlinks: false,
      ignore_paths: ['.git', 'model.sig'],
    });
    expect((await verify(dir, recorded, { ignoreGitPaths: false })).verified).toBe(true);
  });

  it('signs them with ignoreGitPaths false, recording no git path as ignored', async () => {
    const dir = fresh();
    writeFileSync(join(dir, '.gitattributes'), '*.bin filter=lfs\n');
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, '.git/HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(dir, 'config.json'), '{}');
    const { signaturePath, signed } = await sign(dir, { ignoreGitPaths: false });
    expect(signed.resources.map((r) => r.name)).toEqual(['.git/HEAD', '.gitattributes', 'config.json']);
    const sig = parseOmsBundle(readFileSync(signaturePath, 'utf8'));
    expect(sig.serialization.ignorePaths).toEqual(['model.sig']);
    expect((await verify(dir, signaturePath)).verified).toBe(true);
    rmSync(join(dir, '.git/HEAD'));
    expect((await verify(dir, signaturePath)).removed).toEqual(['.git/HEAD']);
    // By default they are left out and recorded, as model_signing does.
    const other = fresh();
    writeFileSync(join(other, '.gitattributes'), 'x');
    writeFileSync(join(other, 'a'), 'a');
    const byDefault = await sign(other);
    expect(byDefault.signed.resources.map((r) => r.name)).toEqual(['a']);
  });
});

describe('symbolic links to folders (model_signing does not descend into them)', () => {
  it('refuses to sign a model holding one, naming it, even with links allowed', async () => {
    const dir = fresh();
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real/w.bin'), 'w');
    symlinkSync('real', join(dir, 'alias'));
    const error = await sign(dir, { allowSymlinks: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(
      /alias: is a symbolic link to the folder real; model_signing does not follow links to folders/,
    );
    // Left out with --ignore, it signs; a link to a file is still signed as its target.
    symlinkSync('real/w.bin', join(dir, 'w-link.bin'));
    const { signed } = await sign(dir, { allowSymlinks: true, ignorePaths: ['alias'] });
    expect(signed.resources.map((r) => r.name)).toEqual(['real/w.bin', 'w-link.bin']);
  });

  it('verifies a model_signing signature of a model holding one, noting the link, not failing', async () => {
    const dir = fresh();
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real/w.bin'), 'w');
    symlinkSync('real', join(dir, 'alias'));
    // model_signing --allow-symlinks lists real/w.bin only.
    const sig = writeSignature(dir, [resource('real/w.bin', 'w')], {
      method: 'files',
      hash_type: 'sha256',
      allow_symlinks: true,
      ignore_paths: ['.git', '.gitattributes', '.github', '.gitignore', 'model.sig'],
    });
    const result = await verify(dir, sig);
    expect(result.verified).toBe(true);
    expect(result.notes).toEqual([
      {
        path: 'alias',
        message:
          'is a symbolic link to the folder real; not followed, as model_signing does not follow links to folders (its files are checked where they are)',
      },
    ]);
    // Its folder is checked in place: a change there fails.
    writeFileSync(join(dir, 'real/w.bin'), 'changed');
    expect((await verify(dir, sig)).verified).toBe(false);
  });

  it('follows one the signature lists files under (as pedigree signed before refusing them)', async () => {
    const dir = fresh();
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real/w.bin'), 'w');
    symlinkSync('real', join(dir, 'alias'));
    const sig = writeSignature(dir, [resource('real/w.bin', 'w'), resource('alias/w.bin', 'w')], {
      method: 'files',
      hash_type: 'sha256',
      allow_symlinks: true,
    });
    const result = await verify(dir, sig);
    expect(result.verified).toBe(true);
    expect(result.notes).toEqual([]);
    writeFileSync(join(dir, 'real/extra.py'), 'import os');
    expect((await verify(dir, sig)).added).toEqual(['alias/extra.py', 'real/extra.py']);
  });
});

describe('a model path that is itself a symbolic link', () => {
  it('signs it, noting that model_signing needs --allow-symlinks for it', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'a.bin'), 'a');
    const link = join(dir, '..', 'linked-model');
    symlinkSync(dir, link);
    for (const path of [link, `${link}/`]) {
      const { signed } = await sign(path, { signaturePath: join(dir, '..', 'linked.sig') });
      expect(signed.resources.map((r) => r.name)).toEqual(['a.bin']);
      expect(signed.notes).toEqual([
        `model_signing verifies this signature only from its command line with --allow-symlinks (the model path ${path} is itself a symbolic link)`,
      ]);
    }
    const file = join(dir, '..', 'linked-file.bin');
    symlinkSync(join(dir, 'a.bin'), file);
    const single = await sign(file, { signaturePath: join(dir, '..', 'file.sig') });
    expect(single.signed.notes[0]).toMatch(/is itself a symbolic link/);
    expect((await sign(dir)).signed.notes).toEqual([]);
  });
});

describe('verifyModel > with ignoreUnsignedFiles', () => {
  it('ignores a stray link or FIFO the signature does not list, as model_signing never looks at it', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'a.bin'), 'a');
    const sig = writeSignature(dir, [resource('a.bin', 'a')], {
      method: 'files',
      hash_type: 'sha256',
      allow_symlinks: false,
    });
    symlinkSync('a.bin', join(dir, 'stray-link'));
    mkdirSync(join(dir, 'sub'));
    symlinkSync('/etc/passwd', join(dir, 'sub/out'));
    let fifo = true;
    try {
      execFileSync('mkfifo', [join(dir, 'pipe')]);
    } catch {
      fifo = false;
    }
    const strict = await verify(dir, sig);
    expect(strict.verified).toBe(false);
    expect(strict.problems.map((p) => p.path)).toEqual([...(fifo ? ['pipe'] : []), 'stray-link', 'sub/out']);
    const lenient = await verify(dir, sig, { ignoreUnsignedFiles: true });
    expect(lenient.problems).toEqual([]);
    expect(lenient.verified).toBe(true);
    expect(lenient.notes.map((n) => n.path)).toEqual([...(fifo ? ['pipe'] : []), 'stray-link', 'sub/out']);
    expect(lenient.notes[0]?.message).toMatch(/; not in the signature, so ignored$/);
  });

  it('still fails when a listed file, or a folder holding one, cannot be read', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'a.bin'), 'a');
    mkdirSync(join(dir, 'w'));
    writeFileSync(join(dir, 'w/b.bin'), 'b');
    const sig = writeSignature(dir, [resource('a.bin', 'a'), resource('w/b.bin', 'b')], {
      method: 'files',
      hash_type: 'sha256',
      allow_symlinks: false,
    });
    rmSync(join(dir, 'a.bin'));
    symlinkSync('w/b.bin', join(dir, 'a.bin'));
    const result = await verify(dir, sig, { ignoreUnsignedFiles: true });
    expect(result.verified).toBe(false);
    expect(result.problems.map((p) => p.path)).toEqual(['a.bin']);
    rmSync(join(dir, 'a.bin'));
    writeFileSync(join(dir, 'a.bin'), 'a');
    rmSync(join(dir, 'w'), { recursive: true });
    mkdirSync(join(dir, 'real-w'));
    writeFileSync(join(dir, 'real-w/b.bin'), 'b');
    symlinkSync('real-w', join(dir, 'w'));
    const folder = await verify(dir, sig, { ignoreUnsignedFiles: true });
    expect(folder.verified).toBe(false);
    expect(folder.problems.map((p) => p.path)).toEqual(['w']);
  });
});

describe('predicate keys OMS v1.0 does not define', () => {
  it('verifies the model and names the keys, as model_signing ignores them', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'a.bin'), 'a');
    const sig = writeSignature(
      dir,
      [resource('a.bin', 'a')],
      { method: 'files', hash_type: 'sha256', allow_symlinks: false },
      { attestations: [], '\u{1F600}': 1 },
    );
    const result = await verify(dir, sig);
    expect(result.verified).toBe(true);
    expect(result.extraPredicateFields).toEqual(['attestations', '\u{1F600}']);
  });
});

describe('interoperabilityNotes > what model_signing will not verify', () => {
  const base = {
    modelPath: '/nonexistent/model',
    method: 'files',
    hashType: 'sha256',
    keyType: 'ec',
    files: [{ name: 'a:b.bin' }],
  } as const;

  it('says nothing for sha256 files with an ECDSA key (a colon is fine with files)', () => {
    expect(interoperabilityNotes(base)).toEqual([]);
  });

  it('names shards, a colon in a shard file name, blake2b, links and Ed25519', () => {
    expect(interoperabilityNotes({ ...base, method: 'shards', files: [{ name: 'ok.bin' }] })).toEqual([
      expect.stringMatching(/command line cannot verify a shard signature.*Python API can/),
    ]);
    expect(interoperabilityNotes({ ...base, method: 'shards' })).toEqual([
      expect.stringMatching(/shard signature/),
      expect.stringMatching(/names hold a colon \("a:b\.bin"\); it will not verify/),
    ]);
    expect(interoperabilityNotes({ ...base, hashType: 'blake2b' })).toEqual([
      expect.stringMatching(/cannot verify a blake2b signature/),
    ]);
    expect(
      interoperabilityNotes({ ...base, files: [{ name: 'a.bin' }, { name: 'b.bin', viaLink: true }] }),
    ).toEqual([
      'model_signing verifies this signature only from its command line with --allow-symlinks (a file is a symbolic link, such as "b.bin")',
    ]);
    expect(interoperabilityNotes({ ...base, keyType: 'ed25519' })).toEqual([
      expect.stringMatching(/ECDSA keys only/),
    ]);
  });

  it('are returned by signModel, links only when a link is signed', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'a.bin'), 'a');
    const { signed } = await sign(dir, { method: 'shards', hashType: 'blake2b', shardSize: 1 });
    expect(signed.notes).toHaveLength(2);
    // --allow-symlinks over a model without links: model_signing verifies it without the option.
    expect((await sign(dir, { allowSymlinks: true })).signed.notes).toEqual([]);
    symlinkSync('a.bin', join(dir, 'b.bin'));
    expect((await sign(dir, { allowSymlinks: true })).signed.notes).toEqual([
      expect.stringMatching(/--allow-symlinks \(a file is a symbolic link, such as "b\.bin"\)/),
    ]);
  });
});

describe('certificate signatures', () => {
  const pki = createTestHierarchy();

  it('verifies a chain written in any order after the leaf, as model_signing (OpenSSL) does', async () => {
    const leaf = pki.leaf({
      subject: 'signer',
      keyUsage: ['keyEncipherment'],
      extKeyUsage: [EKU.codeSigning],
    });
    const dir = fresh();
    writeFileSync(join(dir, 'a.bin'), 'a');
    const signaturePath = join(dir, 'model.sig');
    const signed = await signModel({
      modelPath: dir,
      signer: {
        kind: 'certificate',
        privateKey: leaf.privateKey,
        chain: [leaf.certificate, pki.root.certificate, pki.intermediate.certificate],
      },
      signaturePath,
      workers: 1,
    });
    writeFileSync(signaturePath, signed.bundle);
    const result = await verifyModel({
      modelPath: dir,
      signaturePath,
      trust: { kind: 'certificate', roots: [pki.root.certificate] },
    });
    expect(result.signature).toMatchObject({ ok: true, signer: 'CN=signer (issued by CN=test-root)' });
    expect(result.verified).toBe(true);
  });

  it('refuses to sign with a certificate neither tool would accept for signing', async () => {
    const leaf = pki.leaf({ subject: 'no-usage' });
    const dir = fresh();
    writeFileSync(join(dir, 'a.bin'), 'a');
    await expect(
      signModel({
        modelPath: dir,
        signer: { kind: 'certificate', privateKey: leaf.privateKey, chain: [leaf.certificate] },
        signaturePath: join(dir, 'model.sig'),
      }),
    ).rejects.toThrow(/--certificate: CN=no-usage is not a signing certificate \(it has no key usage/);
  });
});
