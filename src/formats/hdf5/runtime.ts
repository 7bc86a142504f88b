/**
 * The HDF5 library (h5wasm: HDF5 compiled to WebAssembly with Emscripten), made to read a ByteSource,
 * isolated in a worker thread.
 *
 * Why a worker: the C library is not written for hostile input. Damaged metadata can make it loop
 * without reading anything more (seen with random byte flips in object headers), or abort the WebAssembly
 * instance. Synchronous WebAssembly cannot be interrupted on the thread that runs it, so every library
 * call is a message to a worker, answered within HDF5_CALL_TIMEOUT_MS or the worker is terminated and
 * the next file gets a fresh one. One malformed file can neither hang the scan nor poison later ones.
 *
 * How the bytes reach HDF5 without copying a multi-gigabyte file into memory: h5wasm's Node build uses
 * NODERAWFS (Emscripten's file calls go straight to the host's `fs`), and Emscripten's FS object is the one
 * its syscalls consult, so in the worker its `open`, `stat`, `lstat` and `fstat` are wrapped: the one
 * virtual path becomes a stream whose reads are requests to this thread, which answers them with
 * `source.readAt` through a SharedArrayBuffer while the worker waits on Atomics. HDF5's default (sec2)
 * driver reads with pread at explicit offsets, so only the superblock, object headers, heaps and the
 * attributes asked for are read: a 5 GB weights file costs what its metadata costs, on disk or inside an
 * archive alike. Every other path is refused (ENOENT): a hostile file's external links, external storage or
 * plugin paths can name any host file (/dev/zero, a FIFO), and HDF5 must not open them. HDF5's error
 * stack, printed on standard error, is captured for evidence instead.
 *
 * The factory is loaded from the file next to h5wasm's Node wrapper: the package's exports map lists only
 * the wrapper, whose single module instance could not be replaced.
 */
import { Worker } from 'node:worker_threads';
import type { ByteSource } from '../../core/byte-reader.js';
import { InternalError, ParseError } from '../../core/errors.js';

/** One library call (open, list a group, read an attribute) may take this long before the worker is killed. */
export const HDF5_CALL_TIMEOUT_MS = 20_000;
/** Files up to this size are copied to the worker whole; larger ones are read on demand. */
export const HDF5_WHOLE_FILE_BYTES = 4 * 1024 * 1024;
/** Bytes handed to the worker per read request (larger reads are split). */
const TRANSFER_BYTES = 4 * 1024 * 1024;

/** h5wasm's description of a datatype and dataspace (hdf5_util.cc get_abstractDS_metadata). */
export interface H5Metadata {
  /** H5T_class_t: 0 integer, 1 float, 3 string, 5 opaque, 6 compound, 9 vlen, 10 array, ... */
  readonly type: number;
  readonly size: number;
  readonly vlen: boolean;
  /** H5T_cset_t for strings: 0 ASCII, 1 UTF-8. */
  readonly cset?: number;
  /** H5T_str_t: 0 null-terminated, 1 null-padded, 2 space-padded. */
  readonly strpad?: number;
  readonly total_size: number;
  readonly shape: readonly number[] | null;
}

/** An open HDF5 file; valid only during the `withHdf5File` callback. */
export interface Hdf5Handle {
  /** Link names in a group (H5Literate). */
  names(path: string): Promise<string[]>;
  /** H5G_obj_t of a path (0 group, 1 dataset, 2 named type, 3 soft link, 4 external link; -1 unresolved). */
  type(path: string): Promise<number>;
  externalLink(path: string): Promise<{ filename?: string; obj_path?: string }>;
  attributeNames(path: string): Promise<string[]>;
  attributeMetadata(path: string, name: string): Promise<H5Metadata>;
  /**
   * The values of a string attribute, each cut at `maxBytes` in all (`cut` says so); fixed-length values
   * are returned whole, padding included. Undefined when the library could not read it.
   */
  stringAttribute(
    path: string,
    name: string,
    maxBytes: number,
  ): Promise<{ values: Uint8Array[]; cut: boolean } | undefined>;
  /** HDF5's error output since the last call began. */
  diagnostics(): string;
}

/**
 * The worker's code (CommonJS, evaluated by worker_threads). Kept small: every decision is made on this
 * side; the worker only calls the library and moves bytes.
 */
const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const control = new Int32Array(workerData.control);
const transfer = new Uint8Array(workerData.transfer);
const VIRTUAL = '/pedigree-hdf5/file.h5';
const ENOENT = 44, EIO = 29, EINVAL = 28, EROFS = 69;
let M, size = -1, local = null, diagnostics = '';
const note = (text) => { if (diagnostics.length < 8192) diagnostics += text + '\n'; };

function fetch(buffer, offset, length, position) {
  if (local !== null) {
    const got = Math.max(0, Math.min(length, local.length - position));
    buffer.set(local.subarray(position, position + got), offset);
    return got;
  }
  let done = 0;
  while (done < length) {
    const n = Math.min(length - done, transfer.length);
    Atomics.store(control, 0, 0);
    parentPort.postMessage({ type: 'read', position: position + done, length: n });
    Atomics.wait(control, 0, 0);
    const got = Atomics.load(control, 1);
    if (got < 0) throw new M.FS.ErrnoError(EIO);
    buffer.set(transfer.subarray(0, got), offset + done);
    done += got;
    if (got < n) break;
  }
  return done;
}

function install() {
  const FS = M.FS;
  const write = FS.write.bind(FS), fstat = FS.fstat.bind(FS);
  const stat = () => {
    const epoch = new Date(0);
    return { dev: 1, ino: 1, mode: 0o100444, nlink: 1, uid: 0, gid: 0, rdev: 0, size, blksize: 4096,
      blocks: Math.ceil(size / 512), atime: epoch, mtime: epoch, ctime: epoch };
  };
  const ours = (path) => path === VIRTUAL && size >= 0;
  const refuse = (path) => { note('refused to open ' + String(path).slice(0, 200)); throw new FS.ErrnoError(ENOENT); };
  const ops = {
    read(stream, buffer, offset, length, position) {
      if (position >= size || length <= 0) return 0;
      return fetch(buffer, offset, Math.min(length, size - position), position);
    },
    llseek(stream, offset, whence) {
      const position = (whence === 1 ? stream.position : whence === 2 ? size : 0) + offset;
      if (position < 0) throw new FS.ErrnoError(EINVAL);
      return position;
    },
    write() { throw new FS.ErrnoError(EROFS); },
  };
  FS.open = (path, flags) => ours(path)
    ? FS.createStream({ node: { id: 1, mode: 0o100444, node_ops: {}, name: path }, path,
        flags: typeof flags === 'number' ? flags : 0, position: 0, seekable: true, stream_ops: ops })
    : refuse(path);
  FS.stat = (path) => ours(path) ? stat() : refuse(path);
  FS.lstat = FS.stat;
  FS.fstat = (fd) => ours(FS.getStreamChecked(fd).path) ? stat() : fstat(fd);
  FS.write = (stream, buffer, offset, length, position) => {
    if (stream.fd === 1 || stream.fd === 2) {
      if (diagnostics.length < 8192) diagnostics += Buffer.from(buffer.subarray(offset, offset + length)).toString('utf8');
      return length;
    }
    return write(stream, buffer, offset, length, position);
  };
}

function stringAttribute(id, path, name, maxBytes) {
  const meta = M.get_attribute_metadata(id, path, name);
  const count = meta.total_size, element = meta.vlen ? 4 : meta.size;
  const ptr = M._malloc(Math.max(1, count * element));
  if (ptr === 0) return undefined;
  try {
    if (M.get_attribute_data(id, path, name, BigInt(ptr)) < 0) return undefined;
    const heap = M.HEAPU8, values = [];
    let cut = false, budget = maxBytes;
    if (meta.vlen) {
      const view = new DataView(heap.buffer, heap.byteOffset, heap.byteLength);
      for (let i = 0; i < count; i++) {
        const at = view.getUint32(ptr + 4 * i, true);
        let end = at;
        const stop = Math.min(heap.length, at + Math.max(0, budget));
        while (at !== 0 && end < stop && heap[end] !== 0) end++;
        if (at !== 0 && end >= stop && heap[end] !== 0) cut = true;
        values.push(heap.slice(at, end));
        budget -= end - at;
      }
      try { M.reclaim_vlen_memory(id, path, name, BigInt(ptr)); } catch {}
    } else {
      for (let i = 0; i < count; i++) values.push(heap.slice(ptr + i * meta.size, ptr + (i + 1) * meta.size));
    }
    return { values, cut };
  } finally {
    M._free(ptr);
  }
}

const calls = {
  open(fileSize, whole) {
    size = fileSize;
    local = whole instanceof Uint8Array ? whole : null;
    return BigInt(M.open(VIRTUAL, M.H5F_ACC_RDONLY, false, -1, -1));
  },
  close(id) { const status = id >= 0n ? M.close_file(id) : 0; size = -1; local = null; return status; },
  names: (id, path) => M.get_names(id, path, false),
  type: (id, path) => M.get_type(id, path),
  externalLink: (id, path) => M.get_external_link(id, path),
  attributeNames: (id, path) => M.get_attribute_names(id, path),
  attributeMetadata: (id, path, name) => M.get_attribute_metadata(id, path, name),
  stringAttribute,
};

parentPort.on('message', (message) => {
  diagnostics = '';
  try {
    const value = calls[message.call](...message.args);
    parentPort.postMessage({ type: 'result', value, diagnostics });
  } catch (error) {
    // An error the bindings throw on purpose (throw_error) is an ordinary Error; anything else (an abort,
    // a RuntimeError) leaves the instance in an unknown state.
    const fatal = !(error instanceof Error) || error.name !== 'Error';
    parentPort.postMessage({ type: 'error', message: String(error && error.message || error), fatal, diagnostics });
  }
});

(async () => {
  try {
    const { default: factory } = await import(workerData.factory);
    M = await factory({ noInitialRun: true, print: note, printErr: note });
    install();
    parentPort.postMessage({ type: 'ready' });
  } catch (error) {
    parentPort.postMessage({ type: 'failed', message: String(error && error.message || error) });
  }
})();
`;

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'read'; position: number; length: number }
  | { type: 'result'; value: unknown; diagnostics: string }
  | { type: 'error'; message: string; fatal: boolean; diagnostics: string };

/** Thrown when the library failed in a way that discards the worker (a hang, an abort). */
class Hdf5Failure extends Error {}

/** One worker running h5wasm, and the source it currently reads. */
class Hdf5Worker {
  private readonly worker: Worker;
  private readonly control = new Int32Array(new SharedArrayBuffer(8));
  private readonly transfer = new Uint8Array(new SharedArrayBuffer(TRANSFER_BYTES));
  private source: ByteSource | undefined;
  private pending: { resolve: (m: WorkerMessage) => void } | undefined;
  private dead: string | undefined;
  readonly ready: Promise<void>;

  constructor(factory: string) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { control: this.control.buffer, transfer: this.transfer.buffer, factory },
    });
    // Referenced while starting and while a call is under way, so that the process waits for it; idle, it
    // never keeps the process alive.
    this.ready = new Promise((resolve, reject) => {
      this.pending = {
        resolve: (m) => {
          this.worker.unref();
          if (m.type === 'ready') resolve();
          else reject(new Error(m.type === 'failed' ? m.message : `unexpected ${m.type}`));
        },
      };
    });
    this.worker.on('message', (m: WorkerMessage) => this.onMessage(m));
    this.worker.on('error', (error) => this.fail(`the HDF5 worker failed: ${error.message}`));
    this.worker.on('exit', (code) => this.fail(`the HDF5 worker exited (code ${code})`));
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  private onMessage(m: WorkerMessage): void {
    if (m.type === 'read') {
      let got: number;
      try {
        const chunk = this.source?.readAt(m.position, m.length) ?? new Uint8Array(0);
        this.transfer.set(chunk.subarray(0, this.transfer.length));
        got = Math.min(chunk.length, this.transfer.length);
      } catch {
        got = -1;
      }
      Atomics.store(this.control, 1, got);
      Atomics.store(this.control, 0, 1);
      Atomics.notify(this.control, 0);
      return;
    }
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve(m);
  }

  private fail(reason: string): void {
    if (this.dead !== undefined) return;
    this.dead = reason;
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve({ type: 'error', message: reason, fatal: true, diagnostics: '' });
  }

  terminate(reason: string): void {
    this.fail(reason);
    void this.worker.terminate();
  }

  setSource(source: ByteSource | undefined): void {
    this.source = source;
  }

  /** One library call; rejects with Hdf5Failure (and kills the worker) on a timeout or a fatal error. */
  async call(
    name: string,
    args: unknown[],
    timeoutMs: number,
  ): Promise<{ value: unknown; diagnostics: string }> {
    if (this.dead !== undefined) throw new Hdf5Failure(this.dead);
    this.worker.ref();
    try {
      const reply = await new Promise<WorkerMessage>((resolve) => {
        const timer = setTimeout(() => {
          this.terminate(`the HDF5 library did not answer within ${timeoutMs} ms (${name})`);
        }, timeoutMs);
        this.pending = {
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        this.worker.postMessage({ call: name, args });
      });
      if (reply.type === 'result') return { value: reply.value, diagnostics: reply.diagnostics };
      if (reply.type === 'error') {
        if (reply.fatal) {
          this.terminate(reply.message);
          throw new Hdf5Failure(`${reply.message}${suffix(reply.diagnostics)}`);
        }
        throw new Hdf5CallError(reply.message, reply.diagnostics);
      }
      throw new Hdf5Failure(`unexpected reply ${reply.type}`);
    } finally {
      this.worker.unref();
    }
  }
}

/** A call the library refused (a missing object): the file stays open, the worker usable. */
export class Hdf5CallError extends Error {
  constructor(
    message: string,
    readonly diagnostics: string,
  ) {
    super(message);
  }
}

let current: Hdf5Worker | undefined;
/** Files are read one at a time: the worker has one virtual file and one transfer buffer. */
let queue: Promise<unknown> = Promise.resolve();

async function worker(): Promise<Hdf5Worker> {
  if (current === undefined || !current.alive) {
    const wrapper = import.meta.resolve('h5wasm/node');
    current = new Hdf5Worker(new URL('./hdf5_util.js', wrapper).href);
  }
  const w = current;
  try {
    await w.ready;
  } catch (error) {
    w.terminate('failed to start');
    if (current === w) current = undefined;
    throw new InternalError('UNEXPECTED', `the HDF5 library could not be loaded: ${String(error)}`, {
      cause: error,
    });
  }
  return w;
}

/** HDF5's error output, trimmed to its most telling lines. */
export function summariseDiagnostics(text: string): string {
  const minor = [...text.matchAll(/minor: (.+)/g)].map((m) => (m[1] as string).trim());
  const functions = [...text.matchAll(/in (H5\w+)\(\): ([^\n]+)/g)].map(
    (m) => `${m[1]}: ${(m[2] as string).trim()}`,
  );
  // HDF5 probes its plugin folders on every open; only other refused paths (link targets) are telling.
  const refused = [...text.matchAll(/refused to open ([^\n]+)/g)]
    .filter((m) => !/\/plugin$/.test(m[1] as string))
    .map((m) => `refused to open ${m[1]}`);
  const aborted = [...text.matchAll(/Aborted\(([^\n]*)\)/g)].map((m) => `aborted: ${m[1]}`);
  const lines = [...new Set([...aborted, ...refused, ...functions.slice(-3), ...minor.slice(-2)])];
  return lines.join('; ').slice(0, 1000);
}

function suffix(diagnostics: string): string {
  const summary = summariseDiagnostics(diagnostics);
  return summary === '' ? '' : ` (${summary})`;
}

export interface Hdf5RunOptions {
  readonly callTimeoutMs?: number;
}

/**
 * Opens `source` read-only with the HDF5 library and runs `use` on it. Throws ParseError when HDF5 cannot
 * open the file, or when the library failed (hung, aborted) while `use` ran; the worker is then replaced.
 */
export function withHdf5File<T>(
  source: ByteSource,
  use: (file: Hdf5Handle) => Promise<T>,
  options: Hdf5RunOptions = {},
): Promise<T> {
  const run = queue.then(() => runExclusive(source, use, options.callTimeoutMs ?? HDF5_CALL_TIMEOUT_MS));
  queue = run.catch(() => undefined);
  return run;
}

async function runExclusive<T>(
  source: ByteSource,
  use: (file: Hdf5Handle) => Promise<T>,
  timeoutMs: number,
): Promise<T> {
  const w = await worker();
  w.setSource(source);
  let diagnostics = '';
  let fileId = -1n;
  const call = async <R>(name: string, ...args: unknown[]): Promise<R> => {
    try {
      const reply = await w.call(name, args, timeoutMs);
      diagnostics = reply.diagnostics;
      return reply.value as R;
    } catch (error) {
      if (error instanceof Hdf5CallError) diagnostics = error.diagnostics;
      throw error;
    }
  };
  try {
    // A small file is handed over whole: the library's many small reads are then served in the worker
    // instead of one round trip to this thread each (most of the time a Keras .h5 file took).
    fileId = await call<bigint>(
      'open',
      source.size,
      source.size <= HDF5_WHOLE_FILE_BYTES ? source.readAt(0, source.size) : undefined,
    );
    if (fileId < 0n) {
      throw new ParseError('BAD_STRUCTURE', `the HDF5 library cannot open the file${suffix(diagnostics)}`, 0);
    }
    const id = fileId;
    const handle: Hdf5Handle = {
      names: (path) => call('names', id, path),
      type: (path) => call('type', id, path),
      externalLink: (path) => call('externalLink', id, path),
      attributeNames: (path) => call('attributeNames', id, path),
      attributeMetadata: (path, name) => call('attributeMetadata', id, path, name),
      stringAttribute: (path, name, maxBytes) => call('stringAttribute', id, path, name, maxBytes),
      diagnostics: () => diagnostics,
    };
    return await use(handle);
  } catch (error) {
    if (error instanceof Hdf5Failure) {
      if (current === w) current = undefined;
      throw new ParseError('BAD_STRUCTURE', `the HDF5 library failed: ${error.message}`, undefined, {
        cause: error,
      });
    }
    throw error;
  } finally {
    if (w.alive) {
      try {
        await w.call('close', [fileId], timeoutMs);
      } catch {
        if (current === w) current = undefined;
      }
    }
    w.setSource(undefined);
  }
}

/** Stops the worker (tests; the worker never keeps the process alive while idle). */
export function stopHdf5Worker(): void {
  current?.terminate('stopped');
  current = undefined;
}
