import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sevenZipPackage, { type SevenZipModule, type SevenZipModuleFactory } from '7z-wasm';
import type { ByteSource } from '../../core/byte-reader.js';
import { type SevenZipListing, SevenZipListingParser } from './listing.js';

/**
 * 7-Zip itself (7z-wasm: 7-Zip 24.09 compiled to WebAssembly), driven as its command line is. The archive is
 * not copied: it is a read-only device whose reads come from the ByteSource, so a large archive costs what
 * its headers and the extracted members cost. Each archive gets a fresh instance: after an error 7-Zip
 * throws a C++ exception out of `callMain`, which leaves that instance unusable.
 */

const ARCHIVE_PATH = '/archive.7z';
const OUTPUT_DIR = '/out';
/**
 * A password that is never the right one, passed so that 7-Zip fails on encrypted data instead of asking
 * for a password on standard input (the scan must never wait for a person).
 */
const NO_PASSWORD = '-p';
/** Device number of the archive device (major 64 is unused by Emscripten's own devices). */
const ARCHIVE_DEVICE_MAJOR = 64;
/** Files walked in the output folder: an archive's members are already bounded by the listing's limit. */
const MAX_OUTPUT_ENTRIES = 1_000_000;
/** Messages 7-Zip prints while extracting that are kept to explain a failure. */
const MAX_KEPT_MESSAGES = 20;

export interface ExtractedFile {
  /** Path 7-Zip wrote the member to, relative to the output folder (7-Zip removes `..` and roots). */
  readonly path: string;
  readonly data: Uint8Array;
}

export interface SevenZipDecoder {
  /** Lists members with 7-Zip's technical listing; throws when 7-Zip cannot open the archive. */
  list(maxMembers: number): SevenZipListing;
  /**
   * Extracts the named members (all when `names` is undefined) into memory and hands each file to `each`,
   * then frees it. Returns 7-Zip's exit code and messages (non-zero: some data was not extracted).
   */
  extract(
    names: readonly string[] | undefined,
    each: (file: ExtractedFile) => Promise<void>,
  ): Promise<{
    readonly exitCode: number;
    readonly messages: readonly string[];
  }>;
}

/**
 * The package is CommonJS whose types declare an ES default export: under Node's ESM loader the default
 * import is `module.exports` (the factory), while TypeScript types it as the namespace holding `default`.
 */
const createSevenZip: SevenZipModuleFactory =
  typeof sevenZipPackage === 'function'
    ? (sevenZipPackage as SevenZipModuleFactory)
    : (sevenZipPackage as { default: SevenZipModuleFactory }).default;

type ErrnoErrorClass = new (errno: number) => Error;

function mountArchive(module: SevenZipModule, source: ByteSource): void {
  const fs = module.FS as SevenZipModule['FS'] & {
    makedev(major: number, minor: number): number;
    ErrnoError: ErrnoErrorClass;
  };
  const dev = fs.makedev(ARCHIVE_DEVICE_MAJOR, 0);
  const EINVAL = 28;
  fs.registerDevice(dev, {
    open() {},
    close() {},
    read(_stream: unknown, buffer: Uint8Array, offset: number, length: number, position: number) {
      if (position >= source.size) return 0;
      const bytes = source.readAt(position, Math.min(length, source.size - position));
      buffer.set(bytes, offset);
      return bytes.length;
    },
    llseek(stream: { position: number }, offset: number, whence: number) {
      // SEEK_SET 0, SEEK_CUR 1, SEEK_END 2: 7-Zip learns the archive's size by seeking to its end.
      const pos = whence === 2 ? source.size + offset : whence === 1 ? stream.position + offset : offset;
      if (pos < 0) throw new fs.ErrnoError(EINVAL);
      return pos;
    },
  });
  fs.mkdev(ARCHIVE_PATH, 0o444, dev);
}

/**
 * 7-Zip's WebAssembly, compiled once per process: every archive still gets a fresh instance (its own memory
 * and file system, so one archive cannot affect the next), but compiling the 1.6 MB module for each one
 * cost more than listing a small archive.
 */
let compiled: Promise<object> | undefined;
/** The WebAssembly global (the project's TypeScript libs do not declare it; Node 20 has it). */
const wasmApi = (
  globalThis as unknown as {
    WebAssembly: {
      compile(bytes: Uint8Array): Promise<object>;
      instantiate(module: object, imports: object): Promise<object>;
    };
  }
).WebAssembly;
function compiledSevenZip(): Promise<object> {
  compiled ??= (async () => {
    const wasm = join(dirname(createRequire(import.meta.url).resolve('7z-wasm')), '7zz.wasm');
    return wasmApi.compile(await readFile(wasm));
  })();
  return compiled;
}

/** Opens a 7z archive with 7-Zip in WebAssembly. */
export async function openSevenZip(source: ByteSource): Promise<SevenZipDecoder> {
  let onLine: (line: string) => void = () => {};
  const wasmModule = await compiledSevenZip();
  // Emscripten's hook for supplying the instance (it calls back with the instance, then the module); the
  // package's option types do not list it.
  const instantiate = {
    instantiateWasm: (imports: object, receive: (instance: object) => void) => {
      void wasmApi.instantiate(wasmModule, imports).then(receive);
      return {};
    },
  } as object;
  const module = await createSevenZip({
    ...instantiate,
    // Never read the process's standard input, never print to its output.
    stdin: () => null as unknown as number,
    print: (line: string) => onLine(line),
    printErr: (line: string) => onLine(line),
  });
  mountArchive(module, source);
  const run = (args: string[]): number => {
    const code = (module.callMain as (a: string[]) => number | undefined)(args);
    return code ?? 0;
  };
  return {
    list(maxMembers) {
      const parser = new SevenZipListingParser(maxMembers);
      onLine = (line) => parser.line(line);
      // -slt: one `Key = Value` line per property; -sccUTF-8: names in UTF-8 whatever the locale.
      const code = run(['l', '-slt', '-sccUTF-8', NO_PASSWORD, ARCHIVE_PATH]);
      onLine = () => {};
      if (code !== 0) throw new Error(`7-Zip could not list the archive (exit code ${code})`);
      return parser.finish();
    },
    async extract(names, each) {
      const messages: string[] = [];
      onLine = (line) => {
        if (
          /error|wrong|unsupported|unexpected|cannot|can't/i.test(line) &&
          messages.length < MAX_KEPT_MESSAGES
        )
          messages.push(line.trim());
      };
      module.FS.mkdir(OUTPUT_DIR);
      // -spd: names are literal, not wildcards; -snl is not passed, so links are never created as links.
      const args = ['x', '-y', '-spd', '-sccUTF-8', NO_PASSWORD, `-o${OUTPUT_DIR}`, ARCHIVE_PATH];
      if (names !== undefined) args.push('--', ...names);
      let exitCode: number;
      try {
        exitCode = run(args);
      } catch (error) {
        messages.push(`7-Zip stopped: ${typeof error === 'number' ? 'internal exception' : String(error)}`);
        exitCode = 2;
      }
      onLine = () => {};
      const pending = [''];
      let seen = 0;
      while (pending.length > 0 && seen < MAX_OUTPUT_ENTRIES) {
        const dir = pending.pop() as string;
        for (const name of module.FS.readdir(`${OUTPUT_DIR}${dir}`).sort()) {
          if (name === '.' || name === '..') continue;
          if (++seen > MAX_OUTPUT_ENTRIES) break;
          const rel = `${dir}/${name}`;
          const full = `${OUTPUT_DIR}${rel}`;
          const stat = module.FS.lstat(full);
          if (module.FS.isDir(stat.mode)) pending.push(rel);
          else if (module.FS.isFile(stat.mode)) {
            const data = module.FS.readFile(full);
            module.FS.unlink(full);
            await each({ path: rel.slice(1), data });
          }
        }
      }
      return { exitCode, messages };
    },
  };
}
