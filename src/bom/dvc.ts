import { parseDocument } from 'yaml';
import { isRecord } from '../core/json.js';

/**
 * Reads what a DVC `.dvc` file records about the data it tracks (https://dvc.org/doc/user-guide/project-structure/dvc-files):
 * each entry of `outs` with its path, MD5 (DVC's `md5`, a directory's ending in `.dir`, the MD5 of its
 * manifest), size, file count and description. Only the recorded values are read; the data itself is not
 * touched here (verifying it is `pedigree data verify`'s job).
 */

/** Largest `.dvc` file read: real ones are a few hundred bytes. */
export const MAX_DVC_FILE_CHARS = 1024 * 1024;
/** Most `outs` entries taken from one file. */
export const MAX_DVC_OUTS = 10_000;
/** YAML aliases allowed (alias bombs). */
const MAX_ALIASES = 100;

export interface DvcOut {
  /** Relative to the `.dvc` file's folder, as written. */
  readonly path: string;
  /** Lower-case hex MD5 (without DVC's `.dir` suffix). */
  readonly md5?: string;
  /** The entry is a directory (DVC's `.dir` MD5). */
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

const MD5 = /^([0-9a-f]{32})(\.dir)?$/;

function nonNegativeInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

export function readDvcFile(path: string, text: string): DvcFile {
  if (text.length > MAX_DVC_FILE_CHARS)
    return { outs: [], problems: [`larger than ${MAX_DVC_FILE_CHARS} characters`] };
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    return {
      outs: [],
      problems: [`${path} is not valid YAML: ${first?.message.split('\n')[0] ?? 'parse error'}`],
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    return { outs: [], problems: [`${path} could not be read: ${(error as Error).message}`] };
  }
  if (!isRecord(data)) return { outs: [], problems: [`${path}: not a mapping`] };
  const outs = data.outs;
  if (!Array.isArray(outs)) return { outs: [], problems: [`${path}: no outs list`] };
  const result: DvcOut[] = [];
  const problems: string[] = [];
  for (const [i, entry] of outs.slice(0, MAX_DVC_OUTS).entries()) {
    if (!isRecord(entry) || typeof entry.path !== 'string' || entry.path === '') {
      problems.push(`${path}: outs[${i}] has no path`);
      continue;
    }
    // DVC paths are relative and POSIX; one that climbs out of the project is not ours to describe.
    const written = entry.path.replace(/\\/g, '/');
    const outPath = written.replace(/\/+$/, '');
    if (written.startsWith('/') || outPath === '' || outPath.split('/').includes('..')) {
      problems.push(`${path}: outs[${i}].path ${JSON.stringify(outPath)} leaves the project`);
      continue;
    }
    const md5Raw = typeof entry.md5 === 'string' ? entry.md5.toLowerCase() : undefined;
    const md5 = md5Raw !== undefined ? MD5.exec(md5Raw) : null;
    if (md5Raw !== undefined && !md5)
      problems.push(`${path}: outs[${i}].md5 is not an MD5 (${md5Raw.slice(0, 80)})`);
    const size = nonNegativeInteger(entry.size);
    const files = nonNegativeInteger(entry.nfiles);
    const description = typeof entry.desc === 'string' ? entry.desc.slice(0, 1000) : undefined;
    result.push({
      path: outPath,
      ...(md5 ? { md5: md5[1] as string } : {}),
      directory: md5?.[2] !== undefined || files !== undefined,
      ...(size !== undefined ? { size } : {}),
      ...(files !== undefined ? { files } : {}),
      ...(description ? { description } : {}),
    });
  }
  if (outs.length > MAX_DVC_OUTS)
    problems.push(`${path}: more than ${MAX_DVC_OUTS} outs; the rest are not read`);
  return { outs: result, problems };
}
