/**
 * What DVC records about data, as plain data. Field names follow DVC's own files
 * (https://dvc.org/doc/user-guide/project-structure); paths are as written, with `/` separators.
 */

/**
 * How DVC hashed an entry. An entry that says `hash: md5` (DVC 3) is the plain MD5 of the bytes; one
 * without a `hash` field was written by DVC 1 or 2 and DVC 3 reads it as `md5-dos2unix`, the MD5 taken
 * after CRLF→LF in text (dvc/output.py `_compute_hash_info_from_meta`, dvc_data/hashfile/hash.py).
 * Any other value is kept as written and cannot be checked.
 */
export type DvcHashName = 'md5' | 'md5-dos2unix' | (string & {});

/** One file of a directory: an entry of a `.dir` manifest or of an out's `files:` list. */
export interface DvcDirEntry {
  /** POSIX path relative to the directory. */
  readonly relpath: string;
  /** Lower-case hex MD5; absent when the entry records none (cloud-versioned outs keep only an etag). */
  readonly md5?: string;
  readonly size?: number;
}

/** Where an entry's data lives when it is not a path in this workspace. */
export type DvcExternalKind = 'url' | 'absolute-path' | 'repo' | 'dataset' | 'database';

/** An output or dependency as a `.dvc` file or `dvc.lock` records it. */
export interface DvcDataEntry {
  /** Position in the list as written (`outs[index]`), kept when earlier entries could not be read. */
  readonly index: number;
  /** As written: relative to the file's folder (`.dvc`) or to the stage's `wdir` (`dvc.lock`). */
  readonly path: string;
  readonly hashName: DvcHashName;
  /** Lower-case hex MD5 without DVC's `.dir` suffix. */
  readonly md5?: string;
  /** The entry is a directory: its MD5 ends in `.dir`, or it records `nfiles` or `files`. */
  readonly isDir: boolean;
  readonly size?: number;
  readonly nfiles?: number;
  readonly isExec?: boolean;
  /** Other checksums DVC keeps for outs outside the workspace (S3 etag, HDFS checksum, object versions). */
  readonly etag?: string;
  readonly checksum?: string;
  readonly versionId?: string;
  /** Per-file list of a cloud-versioned directory (DVC writes it instead of a `.dir` object). */
  readonly files?: readonly DvcDirEntry[];
  /** Outs only: whether DVC caches the data (`cache: false` outs are tracked by Git instead). */
  readonly cache?: boolean;
  readonly persist?: boolean;
  readonly push?: boolean;
  readonly remote?: string;
  readonly desc?: string;
  readonly type?: string;
  readonly labels?: readonly string[];
  /** Dependencies of `dvc import` stages: the repository the data came from. */
  readonly repo?: { readonly url: string; readonly rev?: string; readonly revLock?: string };
  /** Set when the data is not a path in this workspace; such entries are reported, never read. */
  readonly external?: DvcExternalKind;
}

/**
 * What kind of problem: a field that is `missing`, a value of the wrong type or form (`bad-value`), a
 * list cut at its limit (`too-many`), something DVC allows that we do not check (`unsupported`), or
 * fields that disagree with each other (`inconsistent`).
 */
export type DvcProblemCode = 'missing' | 'bad-value' | 'too-many' | 'unsupported' | 'inconsistent';

/** Something a reader could not take from a file, with where it was. */
export interface DvcProblem {
  /** The DVC file, relative to the project. */
  readonly file: string;
  /** Dotted field path (`outs[0].md5`, `stages.train.deps[2].path`); empty for the whole file. */
  readonly field: string;
  readonly code: DvcProblemCode;
  readonly message: string;
  /** The offending value as written, truncated, when there is one. */
  readonly value?: string;
}

/** `file: field: message`, the form problems are printed in. */
export function formatDvcProblem(problem: DvcProblem): string {
  return problem.field === ''
    ? `${problem.file}: ${problem.message}`
    : `${problem.file}: ${problem.field}: ${problem.message}`;
}

/** Longest offending value kept in a problem. */
const PROBLEM_VALUE_CHARS = 80;

/** A value as it goes into a problem: text, one line, truncated. */
export function problemValue(value: unknown): string {
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'object'
        ? (JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value))
        : String(value);
  const line = text.replace(/[\r\n]+/g, ' ');
  return line.length > PROBLEM_VALUE_CHARS ? `${line.slice(0, PROBLEM_VALUE_CHARS)}…` : line;
}
