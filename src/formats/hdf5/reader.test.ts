import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ByteSource, bufferSource } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';
import { readHdf5Summary } from './reader.js';
import { Hdf5CallError, withHdf5File } from './runtime.js';
import { findHdf5Superblock, HDF5_SIGNATURE } from './signature.js';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

/** A source that counts the bytes read from it. */
function counting(source: ByteSource): ByteSource & { read: number } {
  const counted = {
    size: source.size,
    read: 0,
    readAt(position: number, length: number) {
      const out = source.readAt(position, length);
      counted.read += out.length;
      return out;
    },
  };
  return counted;
}

/** The bytes of `bytes`, then zeros up to `size`, without allocating them. */
function paddedTo(bytes: Uint8Array, size: number): ByteSource {
  return {
    size,
    readAt(position, length) {
      const want = Math.max(0, Math.min(length, size - position));
      const out = new Uint8Array(want);
      if (position < bytes.length) out.set(bytes.subarray(position, Math.min(bytes.length, position + want)));
      return out;
    },
  };
}

async function parseError(promise: Promise<unknown>): Promise<ParseError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
  throw new Error('expected a ParseError');
}

describe('readHdf5Summary', () => {
  it('reads the root attributes tf-keras writes, as fixed-length strings', async () => {
    const summary = await readHdf5Summary(bufferSource(fixture('dense-safe.h5')));
    const root = Object.fromEntries(
      summary.attributes.filter((a) => a.object === '/').map((a) => [a.name, a]),
    );
    expect(Object.keys(root).sort()).toEqual(['backend', 'keras_version', 'model_config', 'training_config']);
    expect(root.keras_version?.strings).toEqual(['2.15.0']);
    expect(JSON.parse(root.model_config?.strings?.[0] ?? '')).toMatchObject({ class_name: 'Sequential' });
    const weightNames = summary.attributes.find((a) => a.name === 'weight_names');
    expect(weightNames).toMatchObject({
      object: '/model_weights/dense',
      strings: ['dense/kernel:0', 'dense/bias:0'],
    });
    expect(summary.datasets).toBe(2);
    expect(summary.superblockOffset).toBe(0);
    expect(summary.problems).toEqual([]);
  });

  it('reads variable-length UTF-8 strings, as Keras 3 writes them', async () => {
    const summary = await readHdf5Summary(bufferSource(fixture('keras3-module-reference.h5')));
    const config = summary.attributes.find((a) => a.name === 'model_config');
    expect(JSON.parse(config?.strings?.[0] ?? '')).toMatchObject({
      module: 'keras',
      class_name: 'Sequential',
    });
  });

  it('records the type of attributes that are not strings, without reading them', async () => {
    const summary = await readHdf5Summary(bufferSource(fixture('bogus-attr-type.h5')));
    expect(summary.attributes.find((a) => a.name === 'model_config')).toEqual({
      object: '/',
      name: 'model_config',
      type: 'integer',
    });
  });

  it('reports links to other files without following them', async () => {
    const summary = await readHdf5Summary(bufferSource(fixture('external-link.h5')));
    expect(summary.links).toEqual([
      { path: '/model_weights/linked', kind: 'external', target: '/etc/passwd:/secrets' },
    ]);
  });

  it('finds a superblock after a user block', async () => {
    const bytes = fixture('user-block.h5');
    expect(findHdf5Superblock(bufferSource(bytes))).toBe(512);
    const summary = await readHdf5Summary(bufferSource(bytes));
    expect(summary.superblockOffset).toBe(512);
    expect(summary.attributes.some((a) => a.name === 'model_config')).toBe(true);
  });

  it('reads only metadata: a 5 GB file costs what its header costs', async () => {
    const source = counting(paddedTo(fixture('lambda-top.h5'), 5 * 1024 ** 3));
    const summary = await readHdf5Summary(source);
    expect(summary.attributes.some((a) => a.name === 'model_config')).toBe(true);
    expect(source.read).toBeLessThan(256 * 1024);
  });

  describe('limits', () => {
    it('cuts a variable-length attribute at the size limit and says so', async () => {
      // h5py 3 writes Python bytes and str attributes as variable-length strings, as tf-keras' model_config.
      const summary = await readHdf5Summary(bufferSource(fixture('dense-safe.h5')), {
        maxAttributeBytes: 100,
      });
      const config = summary.attributes.find((a) => a.name === 'model_config');
      expect(config?.problem).toMatch(/longer than the limit of 100 bytes/);
      expect(config?.strings?.[0]?.length).toBe(100);
    });

    it('does not read fixed-length attributes that declare more than the size limit', async () => {
      const summary = await readHdf5Summary(bufferSource(fixture('dense-safe.h5')), { maxAttributeBytes: 8 });
      const names = summary.attributes.find((a) => a.name === 'weight_names');
      expect(names?.strings).toBeUndefined();
      expect(names?.problem).toMatch(/over the limit of 8 bytes/);
    });

    it('stops at the object limit and says so', async () => {
      const summary = await readHdf5Summary(bufferSource(fixture('dense-safe.h5')), { maxObjects: 1 });
      expect(summary.problems.join()).toMatch(/more than 1 objects/);
    });

    it('stops at the depth limit and says so', async () => {
      const summary = await readHdf5Summary(bufferSource(fixture('dense-safe.h5')), { maxDepth: 1 });
      expect(summary.problems.join()).toMatch(/nested deeper than 1/);
    });
  });

  describe('on malformed input', () => {
    it('refuses input without an HDF5 signature', async () => {
      expect((await parseError(readHdf5Summary(bufferSource(new Uint8Array(2048))))).code).toBe('BAD_MAGIC');
    });

    it('refuses a truncated file with the library diagnostics, at every length, and stays usable', async () => {
      const bytes = fixture('lambda-top.h5');
      for (let n = HDF5_SIGNATURE.length; n < bytes.length; n += 997) {
        const error = await parseError(readHdf5Summary(bufferSource(bytes.subarray(0, n))));
        expect(error.message).toMatch(/HDF5 library/);
      }
      const truncated = await parseError(readHdf5Summary(bufferSource(bytes.subarray(0, 4000))));
      expect(truncated.message).toMatch(/truncated/i);
      expect((await readHdf5Summary(bufferSource(bytes))).attributes.length).toBeGreaterThan(0);
    });

    it('refuses a corrupt superblock', async () => {
      const bytes = fixture('dense-safe.h5').slice();
      bytes.fill(0xff, 8, 24);
      await parseError(readHdf5Summary(bufferSource(bytes)));
    });

    it('refuses a superblock that declares a file far larger than it is', async () => {
      const bytes = fixture('dense-safe.h5').slice();
      // Superblock version 0: the end-of-file address is the 8 bytes at offset 40.
      new DataView(bytes.buffer).setBigUint64(40, 1n << 60n, true);
      const error = await parseError(readHdf5Summary(bufferSource(bytes)));
      expect(error.message).toMatch(/truncated|eof/i);
    });

    it('survives random damage to the metadata: errors, or a timeout for a library that loops', async () => {
      const good = fixture('lambda-wrappers.h5');
      const damaged = randomlyDamaged(good, 40);
      let timeouts = 0;
      for (const bytes of damaged) {
        try {
          await readHdf5Summary(bufferSource(bytes), {}, { callTimeoutMs: 3000 });
        } catch (error) {
          expect(error).toBeInstanceOf(ParseError);
          if (/did not answer/.test((error as Error).message)) timeouts++;
        }
      }
      // Round 36 of this sequence sends HDF5 2.0.0 into a loop that reads nothing (found by this test).
      expect(timeouts).toBeGreaterThanOrEqual(1);
      expect((await readHdf5Summary(bufferSource(good))).problems).toEqual([]);
    });
  });
});

/** `rounds` copies of `good`, each with 8 bytes after the superblock set to pseudo-random values. */
function randomlyDamaged(good: Uint8Array, rounds: number): Uint8Array[] {
  let state = 12345;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state;
  };
  const out: Uint8Array[] = [];
  for (let round = 0; round < rounds; round++) {
    const bytes = good.slice();
    for (let i = 0; i < 8; i++) bytes[96 + (random() % 4000)] = random() & 0xff;
    out.push(bytes);
  }
  return out;
}

describe('withHdf5File', () => {
  it('passes errors of the callback through and keeps the library usable', async () => {
    const bytes = bufferSource(fixture('dense-safe.h5'));
    await expect(
      withHdf5File(bytes, async () => {
        throw new Error('callback failed');
      }),
    ).rejects.toThrow('callback failed');
    expect((await readHdf5Summary(bytes)).attributes.length).toBeGreaterThan(0);
  });

  it('reports a library call that refuses, without failing the file', async () => {
    const bytes = bufferSource(fixture('dense-safe.h5'));
    const error = await withHdf5File(bytes, (file) => file.attributeNames('/no/such/object').catch((e) => e));
    expect(error).toBeInstanceOf(Hdf5CallError);
  });
});
