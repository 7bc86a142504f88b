import { ParseError } from '../core/errors.js';
import { type DvcDataEntry, type DvcProblem, parseDvcFile } from '../provenance/dvc/index.js';

/**
 * What a DVC `.dvc` file records about the data it tracks, for the BOM
 * (https://dvc.org/doc/user-guide/project-structure/dvc-files): each entry of `outs` with its path, MD5
 * (DVC's `md5`, a directory's ending in `.dir`, the MD5 of its manifest), size, file count and
 * description. The file is read by provenance/dvc's `parseDvcFile`; this keeps the BOM's view of it and
 * its messages. Only the recorded values are read; verifying the data is provenance/dvc's
 * `verifyDvcProject`.
 */

/** Largest `.dvc` file read: real ones are a few hundred bytes. */
export const MAX_DVC_FILE_CHARS = 1024 * 1024;
/** Most `outs` entries taken from one file. */
export const MAX_DVC_OUTS = 10_000;

export interface DvcOut {
  /** Relative to the `.dvc` file's folder, as written. */
  readonly path: string;
  /** Lower-case hex MD5 (without DVC's `.dir` suffix). */
  readonly md5?: string;
  /** The entry is a directory (DVC's `.dir` MD5, or a file count). */
  readonly directory: boolean;
  readonly size?: number;
  readonly files?: number;
  readonly description?: string;
}

export interface DvcFile {
  readonly outs: readonly DvcOut[];
  /** What could not be read, with the field. */
  readonly problems: readonly string[];
}

/** Longest description kept. */
const MAX_DESCRIPTION_CHARS = 1000;

/** A document with nothing but comments and blank lines, which YAML reads as null. */
const EMPTY_YAML = /^(?:\s*(?:#[^\n]*)?\n?)*$/;

/** Where the BOM puts an out: POSIX, no trailing slash; undefined when it climbs out of the project. */
function bomPath(entry: DvcDataEntry): { written: string; path: string; inside: boolean } {
  const written = entry.path.replace(/\\/g, '/');
  const path = written.replace(/\/+$/, '');
  return {
    written,
    path,
    inside: !(written.startsWith('/') || path === '' || path.split('/').includes('..')),
  };
}

export function readDvcFile(path: string, text: string): DvcFile {
  if (text.length > MAX_DVC_FILE_CHARS)
    return { outs: [], problems: [`larger than ${MAX_DVC_FILE_CHARS} characters`] };
  if (EMPTY_YAML.test(text)) return { outs: [], problems: [`${path}: not a mapping`] };
  let parsed: ReturnType<typeof parseDvcFile>;
  try {
    parsed = parseDvcFile(text, {
      file: path,
      allowDuplicateKeys: true,
      // The character bound above is the BOM's; UTF-8 takes at most 4 bytes a character.
      limits: { maxDvcFileBytes: 4 * MAX_DVC_FILE_CHARS, maxEntries: MAX_DVC_OUTS },
    });
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    return { outs: [], problems: [error.message.replace(/ \(at offset \d+\)$/, '')] };
  }
  const outsProblems = parsed.problems.filter((p) => p.field === 'outs' || p.field.startsWith('outs['));
  if (outsProblems.some((p) => p.field === 'outs' && p.code !== 'too-many'))
    return { outs: [], problems: [`${path}: no outs list`] };
  const byIndex = new Map<number, DvcProblem[]>();
  for (const p of outsProblems) {
    const index = /^outs\[(\d+)\]/.exec(p.field);
    if (index) byIndex.set(Number(index[1]), [...(byIndex.get(Number(index[1])) ?? []), p]);
  }
  const entries = new Map(parsed.outs.map((e) => [e.index, e]));
  const indexes = [...new Set([...byIndex.keys(), ...entries.keys()])].sort((a, b) => a - b);
  const outs: DvcOut[] = [];
  const problems: string[] = [];
  for (const i of indexes) {
    const entry = entries.get(i);
    if (!entry) {
      problems.push(`${path}: outs[${i}] has no path`);
      continue;
    }
    const where = bomPath(entry);
    if (!where.inside) {
      problems.push(`${path}: outs[${i}].path ${JSON.stringify(where.path)} leaves the project`);
      continue;
    }
    const badMd5 = byIndex.get(i)?.find((p) => p.field === `outs[${i}].md5`);
    if (badMd5?.value !== undefined)
      problems.push(`${path}: outs[${i}].md5 is not an MD5 (${badMd5.value.toLowerCase().slice(0, 80)})`);
    const description = entry.desc?.slice(0, MAX_DESCRIPTION_CHARS);
    outs.push({
      path: where.path,
      ...(entry.md5 !== undefined ? { md5: entry.md5 } : {}),
      directory: entry.isDir,
      ...(entry.size !== undefined ? { size: entry.size } : {}),
      ...(entry.nfiles !== undefined ? { files: entry.nfiles } : {}),
      ...(description ? { description } : {}),
    });
  }
  if (outsProblems.some((p) => p.code === 'too-many'))
    problems.push(`${path}: more than ${MAX_DVC_OUTS} outs; the rest are not read`);
  return { outs, problems };
}
