/**
 * What a Keras HDF5 file says about itself: the attributes of its root (where Keras 2 and tf-keras keep
 * `model_config`, `training_config`, `keras_version`, `backend`) and of every group and dataset below,
 * with links to other files. Array data is never read. The HDF5 library (h5wasm) does the parsing, over
 * a lazy ByteSource (runtime.ts); everything it hands back is bounded here by the limits below.
 */
import { type ByteSource, decodeLatin1 } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';
import {
  type H5Metadata,
  Hdf5CallError,
  type Hdf5Handle,
  type Hdf5RunOptions,
  summariseDiagnostics,
  withHdf5File,
} from './runtime.js';
import { findHdf5Superblock } from './signature.js';

/** Groups, datasets and links visited. A Keras 2 weights file has a few per layer. */
export const MAX_HDF5_OBJECTS = 50_000;
/** Groups nested in groups (also stops link cycles, which HDF5 allows). */
export const MAX_HDF5_DEPTH = 64;
/** Attributes read in one file. */
export const MAX_HDF5_ATTRIBUTES = 100_000;
/** Bytes of one attribute read (a `model_config` of a very large model is a few megabytes). */
export const MAX_HDF5_ATTRIBUTE_BYTES = 64 * 1024 * 1024;
/** Bytes of all attributes read together. */
export const MAX_HDF5_TOTAL_ATTRIBUTE_BYTES = 256 * 1024 * 1024;

export interface Hdf5Limits {
  readonly maxObjects: number;
  readonly maxDepth: number;
  readonly maxAttributes: number;
  readonly maxAttributeBytes: number;
  readonly maxTotalAttributeBytes: number;
}

const DEFAULT_LIMITS: Hdf5Limits = {
  maxObjects: MAX_HDF5_OBJECTS,
  maxDepth: MAX_HDF5_DEPTH,
  maxAttributes: MAX_HDF5_ATTRIBUTES,
  maxAttributeBytes: MAX_HDF5_ATTRIBUTE_BYTES,
  maxTotalAttributeBytes: MAX_HDF5_TOTAL_ATTRIBUTE_BYTES,
};

/** H5T_class_t values (H5Tpublic.h). */
const H5T_STRING = 3;
const H5T_CLASS_NAMES: Readonly<Record<number, string>> = {
  0: 'integer',
  1: 'float',
  2: 'time',
  3: 'string',
  4: 'bitfield',
  5: 'opaque',
  6: 'compound',
  7: 'reference',
  8: 'enum',
  9: 'vlen',
  10: 'array',
};

/** H5G_obj_t values returned by h5wasm's get_type (H5Gget_objinfo). */
const H5G_GROUP = 0;
const H5G_DATASET = 1;
const H5G_TYPE = 2;
const H5G_LINK = 3;
const H5G_UDLINK = 4;

export interface Hdf5Attribute {
  /** Path of the object carrying it (`/` for the root group). */
  readonly object: string;
  readonly name: string;
  /** Type class name (`string`, `integer`, ...). */
  readonly type: string;
  /** String values, decoded (one for a scalar attribute); absent for other types or when not read. */
  readonly strings?: readonly string[];
  /** Whether any string value was not valid UTF-8 (then decoded as Latin-1). */
  readonly notUtf8?: boolean;
  /** Why the value was not read. */
  readonly problem?: string;
}

export interface Hdf5Link {
  readonly path: string;
  readonly kind: 'external' | 'soft' | 'unknown';
  readonly target: string;
}

export interface Hdf5Summary {
  /** Offset of the superblock: 0, or the size of a user block before it. */
  readonly superblockOffset: number;
  readonly attributes: readonly Hdf5Attribute[];
  readonly links: readonly Hdf5Link[];
  readonly groups: number;
  readonly datasets: number;
  /** Parts not read (a limit, an object the library could not open), with the reason. */
  readonly problems: readonly string[];
}

/**
 * Reads the attributes and structure of an HDF5 file. Throws ParseError when there is no HDF5 signature
 * or the library cannot open the file; problems below the root are returned, not thrown.
 */
export async function readHdf5Summary(
  source: ByteSource,
  limits: Partial<Hdf5Limits> = {},
  options: Hdf5RunOptions = {},
): Promise<Hdf5Summary> {
  const resolved = { ...DEFAULT_LIMITS, ...limits };
  const superblockOffset = findHdf5Superblock(source);
  if (superblockOffset === undefined) throw new ParseError('BAD_MAGIC', 'no HDF5 signature', 0);
  return withHdf5File(
    source,
    async (file) => {
      const walk = new Hdf5Walk(file, resolved);
      await walk.run();
      return {
        superblockOffset,
        attributes: walk.attributes,
        links: walk.links,
        groups: walk.groups,
        datasets: walk.datasets,
        problems: walk.problems,
      };
    },
    options,
  );
}

/** Stops the walk at one of the limits above; the problem is recorded, what was read is kept. */
class LimitReached extends Error {}

class Hdf5Walk {
  readonly attributes: Hdf5Attribute[] = [];
  readonly links: Hdf5Link[] = [];
  readonly problems: string[] = [];
  groups = 0;
  datasets = 0;
  private objects = 0;
  private attributeBytes = 0;

  constructor(
    private readonly file: Hdf5Handle,
    private readonly limits: Hdf5Limits,
  ) {}

  async run(): Promise<void> {
    try {
      await this.visitGroup('/', 0);
    } catch (error) {
      if (!(error instanceof LimitReached)) throw error;
      this.problems.push(error.message);
    }
  }

  private count(): void {
    if (++this.objects > this.limits.maxObjects) {
      throw new LimitReached(`more than ${this.limits.maxObjects} objects; the rest was not read`);
    }
  }

  /** Runs a library call; a refusal (not a failure of the library) becomes `undefined` and a problem. */
  private async attempt<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof Hdf5CallError)) throw error;
      this.problems.push(`${what}: ${error.message}${this.latest()}`);
      return undefined;
    }
  }

  private async visitGroup(path: string, depth: number): Promise<void> {
    this.groups++;
    await this.readAttributes(path);
    if (depth >= this.limits.maxDepth) {
      this.problems.push(`groups nested deeper than ${this.limits.maxDepth} at ${path} were not read`);
      return;
    }
    const names = await this.attempt(`the members of ${path} could not be listed`, () =>
      this.file.names(path),
    );
    for (const name of names ?? []) {
      this.count();
      const child = path === '/' ? `/${name}` : `${path}/${name}`;
      const type = await this.attempt(`${child} could not be opened`, () => this.file.type(child));
      switch (type) {
        case undefined:
          break;
        case H5G_GROUP:
          await this.visitGroup(child, depth + 1);
          break;
        case H5G_DATASET:
        case H5G_TYPE:
          if (type === H5G_DATASET) this.datasets++;
          await this.readAttributes(child);
          break;
        case H5G_LINK:
          // A soft link whose target does not exist (one that resolves is reported as its target's type).
          this.links.push({ path: child, kind: 'soft', target: '(dangling)' });
          break;
        case H5G_UDLINK: {
          const ext = await this.attempt(`the link ${child} could not be read`, () =>
            this.file.externalLink(child),
          );
          const target = ext?.filename !== undefined ? `${ext.filename}:${ext.obj_path ?? ''}` : undefined;
          this.links.push({
            path: child,
            kind: target === undefined ? 'unknown' : 'external',
            target: target ?? '(unreadable)',
          });
          break;
        }
        default:
          this.problems.push(`${child} could not be resolved${this.latest()}`);
      }
    }
  }

  private async readAttributes(path: string): Promise<void> {
    const names = await this.attempt(`the attributes of ${path} could not be listed`, () =>
      this.file.attributeNames(path),
    );
    for (const name of names ?? []) {
      if (this.attributes.length >= this.limits.maxAttributes) {
        throw new LimitReached(`more than ${this.limits.maxAttributes} attributes; the rest was not read`);
      }
      this.attributes.push(await this.readAttribute(path, name));
    }
  }

  private async readAttribute(object: string, name: string): Promise<Hdf5Attribute> {
    let meta: H5Metadata;
    try {
      meta = await this.file.attributeMetadata(object, name);
    } catch (error) {
      if (!(error instanceof Hdf5CallError)) throw error;
      return {
        object,
        name,
        type: 'unknown',
        problem: `its type could not be read: ${error.message}${this.latest()}`,
      };
    }
    const type = H5T_CLASS_NAMES[meta.type] ?? `class ${meta.type}`;
    if (meta.type !== H5T_STRING) return { object, name, type };
    const count = meta.total_size;
    const declared = count * (meta.vlen ? 4 : meta.size);
    if (!Number.isSafeInteger(declared) || declared < 0 || declared > this.limits.maxAttributeBytes) {
      return {
        object,
        name,
        type,
        problem: `it declares ${count} value(s) of ${meta.vlen ? 'variable' : meta.size} bytes, over the limit of ${this.limits.maxAttributeBytes} bytes`,
      };
    }
    const budget = Math.min(
      this.limits.maxAttributeBytes,
      this.limits.maxTotalAttributeBytes - this.attributeBytes,
    );
    if (declared > budget) {
      return {
        object,
        name,
        type,
        problem: `the attributes read so far reach the limit of ${this.limits.maxTotalAttributeBytes} bytes`,
      };
    }
    if (count === 0) return { object, name, type, strings: [] };
    let read: { values: Uint8Array[]; cut: boolean } | undefined;
    try {
      read = await this.file.stringAttribute(object, name, budget);
    } catch (error) {
      if (!(error instanceof Hdf5CallError)) throw error;
      return { object, name, type, problem: `it could not be read: ${error.message}${this.latest()}` };
    }
    if (read === undefined)
      return { object, name, type, problem: `the library could not read it${this.latest()}` };
    let notUtf8 = false;
    const strings = read.values.map((raw) => {
      let value = raw;
      if (!meta.vlen) {
        // Null-terminated or null-padded (H5T_STR_NULLTERM/NULLPAD): the value ends at the first NUL;
        // space-padded (H5T_STR_SPACEPAD) drops trailing spaces, as h5py does.
        const nul = value.indexOf(0);
        if (nul >= 0) value = value.subarray(0, nul);
        if (meta.strpad === 2) {
          let end = value.length;
          while (end > 0 && value[end - 1] === 0x20) end--;
          value = value.subarray(0, end);
        }
      }
      this.attributeBytes += value.length;
      try {
        return UTF8.decode(value);
      } catch {
        notUtf8 = true;
        return decodeLatin1(value);
      }
    });
    return {
      object,
      name,
      type,
      strings,
      ...(notUtf8 ? { notUtf8 } : {}),
      ...(read.cut ? { problem: `a value is longer than the limit of ${budget} bytes; it was cut` } : {}),
    };
  }

  private latest(): string {
    const summary = summariseDiagnostics(this.file.diagnostics());
    return summary === '' ? '' : ` (${summary})`;
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
