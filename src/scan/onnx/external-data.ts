/**
 * ONNX external data (https://onnx.ai/onnx/repo-docs/ExternalData.html): a tensor with
 * `data_location: EXTERNAL` is read at load from the file its `external_data` `location` names, relative
 * to the model's folder, from `offset` for `length` bytes. onnx before 1.13 joined the location to the
 * folder as given, so `../../etc/passwd` or `/etc/passwd` read any file into a tensor (CVE-2022-25882);
 * 1.16 also refuses locations that leave the folder through symbolic links (CVE-2024-27318), and other
 * loaders check less. Locations are checked as text here; `externalDataOnDisk` checks where they lead on
 * disk once the scanner knows the model is a real file.
 */
import { lstatSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { ByteSource } from '../../core/byte-reader.js';
import { truncateText } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';
import type { Finding } from '../../core/finding.js';
import { compareStrings } from '../../core/finding.js';
import { elementCount, ONNX_DATA_TYPES, rawByteLength } from '../../formats/onnx/data-types.js';
import {
  externalInteger,
  externalValue,
  ONNX_DATA_EXTERNAL,
  type OnnxTensor,
  parseOnnxModel,
} from '../../formats/onnx/model.js';
import { ONNX_RULES } from './rules.js';

/** A tensor whose data lives in another file. */
export interface ExternalReference {
  readonly tensor: OnnxTensor;
  /** `location` as written (empty when missing): the last one, which onnx and onnxruntime read. */
  readonly location: string;
  /**
   * Every `location` the tensor gives, in order. onnx's `ExternalDataInfo` and onnxruntime's
   * `GetExternalDataInfo` keep the last, but other readers (and onnx's checker, which walks every entry)
   * may take the first: a safe last location must not hide an unsafe earlier one.
   */
  readonly locations: readonly string[];
  readonly offset: bigint | undefined;
  readonly length: bigint | undefined;
}

/** Tensors with external data, with their entries parsed (invalid integers are left undefined). */
export function externalReferences(tensors: readonly OnnxTensor[]): ExternalReference[] {
  const out: ExternalReference[] = [];
  for (const tensor of tensors) {
    if (tensor.dataLocation !== ONNX_DATA_EXTERNAL) continue;
    const offset = externalInteger(tensor, 'offset');
    const length = externalInteger(tensor, 'length');
    out.push({
      tensor,
      location: externalValue(tensor, 'location') ?? '',
      locations: tensor.externalData.filter((e) => e.key === 'location').map((e) => e.value),
      offset: typeof offset === 'bigint' ? offset : undefined,
      length: typeof length === 'bigint' ? length : undefined,
    });
  }
  return out;
}

/**
 * A URL: a scheme followed by a slash (`file:/etc/passwd` is absolute once resolved as a URL, as
 * onnxruntime-web resolves external data against the model's URL), or a scheme readers fetch from.
 */
const URL_SCHEME = /^(?:[A-Za-z][A-Za-z0-9+.-]+:[\\/]|(?:file|https?|ftp|data|blob|s3|gs|hf):)/i;
const DRIVE = /^[A-Za-z]:/;
/**
 * A `..` segment, also percent-encoded: the WHATWG URL parser takes `.%2e`, `%2e.` and `%2e%2e` as a
 * double-dot segment (URL Standard, "double-dot URL path segment"), so a location resolved as a URL
 * (onnxruntime-web fetches external data relative to the model's URL) climbs out with them.
 */
const DOUBLE_DOT = /^(?:\.|%2e){2}$/i;

/**
 * Why a location can reach outside the model's folder, read as text the way onnx's
 * `_resolve_external_data_location` and onnxruntime's `GetExternalDataInfo` do, and as a URL the way
 * onnxruntime-web does; undefined when it is a plain relative path.
 */
export function unsafeLocation(location: string): string | undefined {
  if (location.includes('\u0000')) return 'contains a NUL byte (the path is cut short where C reads it)';
  if (location.startsWith('\\\\') || location.startsWith('//')) return 'is a UNC or network path';
  if (URL_SCHEME.test(location)) return 'is a URL';
  if (DRIVE.test(location)) return 'names a Windows drive';
  if (location.startsWith('/') || location.startsWith('\\')) return 'is an absolute path';
  const segments = location.split(/[\\/]/);
  if (segments.includes('..')) return "climbs out of the model's folder with '..'";
  if (segments.some((s) => DOUBLE_DOT.test(s))) {
    return "climbs out of the model's folder with a percent-encoded '..' (as a URL resolves it)";
  }
  return undefined;
}

/**
 * Byte ranges two tensors share in one external file: a loader reads the same bytes into both, which no
 * writer produces (onnx's `save_model` appends each tensor after the previous one).
 */
export function overlappingRanges(references: readonly ExternalReference[]): string[] {
  const byLocation = new Map<string, { start: bigint; end: bigint; where: string }[]>();
  for (const ref of references) {
    const type = ref.tensor.dataType === undefined ? undefined : ONNX_DATA_TYPES.get(ref.tensor.dataType);
    const elements = elementCount(ref.tensor.dims);
    const length = ref.length ?? (type && elements !== undefined ? rawByteLength(type, elements) : undefined);
    if (length === undefined || length === 0n || ref.location === '') continue;
    const start = ref.offset ?? 0n;
    const list = byLocation.get(ref.location) ?? [];
    list.push({ start, end: start + length, where: ref.tensor.where });
    byLocation.set(ref.location, list);
  }
  const problems: string[] = [];
  for (const [location, ranges] of [...byLocation].sort(([a], [b]) => compareStrings(a, b))) {
    ranges.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    let previous = ranges[0];
    for (const range of ranges.slice(1)) {
      if (previous !== undefined && range.start < previous.end) {
        problems.push(
          `${range.where} and ${previous.where} share bytes ${range.start}-${smaller(previous.end, range.end)} of external file '${truncateText(location, 120)}'`,
        );
      }
      if (previous === undefined || range.end > previous.end) previous = range;
    }
  }
  return problems;
}

/** External files checked per model: stops a model naming a million locations from a million stat calls. */
export const MAX_EXTERNAL_FILES_CHECKED = 10_000;

/**
 * Where a model's external data leads on disk: locations that resolve outside the model's folder through
 * symbolic links (high), and missing files or `offset`/`length` past a file's end (medium). Run by the
 * scanner for ONNX models that are files on disk (not archive members); `source` is the open model.
 * Locations that are unsafe as text are reported by the analyser and not followed here. A model that does
 * not parse yields nothing: the analyser reported it.
 */
export function externalDataOnDisk(source: ByteSource, modelPath: string, displayPath: string): Finding[] {
  let references: ExternalReference[];
  try {
    references = externalReferences(parseOnnxModel(source).tensors);
  } catch (error) {
    if (error instanceof ParseError) return [];
    throw error;
  }
  const folder = dirname(modelPath);
  let realFolder: string;
  try {
    realFolder = realpathSync(folder);
  } catch {
    return [];
  }
  const findings: Finding[] = [];
  const byLocation = new Map<string, ExternalReference[]>();
  for (const ref of references) {
    if (ref.location === '' || ref.locations.some((l) => unsafeLocation(l) !== undefined)) continue;
    const list = byLocation.get(ref.location) ?? [];
    list.push(ref);
    byLocation.set(ref.location, list);
  }
  const locations = [...byLocation.keys()].sort().slice(0, MAX_EXTERNAL_FILES_CHECKED);
  for (const location of locations) {
    const refs = byLocation.get(location) as ExternalReference[];
    const first = refs[0] as ExternalReference;
    const shown = truncateText(location, 200);
    const report = (severity: 'high' | 'medium', message: string, evidence: string) =>
      findings.push({
        ruleId: ONNX_RULES.externalData.id,
        severity,
        title: ONNX_RULES.externalData.title,
        message,
        location: { path: displayPath, offset: first.tensor.offset },
        evidence,
        remediation: ONNX_RULES.externalData.help,
        references: [...ONNX_RULES.externalData.references],
      });
    const target = resolve(folder, location);
    let real: string;
    try {
      real = realpathSync(target);
    } catch {
      report(
        'medium',
        `${first.tensor.where} reads its data from '${shown}', which does not exist next to the model${refs.length > 1 ? ` (${refs.length} tensors use it)` : ''}: the model cannot load as shipped, and whoever places that file decides the tensor's content.`,
        `location '${shown}' missing`,
      );
      continue;
    }
    const inside = relative(realFolder, real);
    if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
      const link = isSymlink(target) ? 'is a symbolic link' : 'goes through a symbolic link';
      report(
        'high',
        `${first.tensor.where} reads its data from '${shown}', which ${link} to ${truncateText(real, 200)}, outside the model's folder: loading the model reads that file into a tensor (CVE-2024-27318).`,
        `location '${shown}' -> ${truncateText(real, 200)}`,
      );
      continue;
    }
    let size: number;
    try {
      const stat = statSync(real);
      if (!stat.isFile()) {
        report(
          'medium',
          `${first.tensor.where} reads its data from '${shown}', which is not a regular file.`,
          `location '${shown}' is not a file`,
        );
        continue;
      }
      size = stat.size;
    } catch {
      continue;
    }
    const beyond = refs.filter((r) => (r.offset ?? 0n) + (r.length ?? 0n) > BigInt(size));
    if (beyond.length > 0) {
      const ref = beyond[0] as ExternalReference;
      report(
        'medium',
        `${beyond.length} tensor(s) read past the end of '${shown}' (${size} bytes), e.g. ${ref.tensor.where} at offset ${ref.offset ?? 0n} for ${ref.length ?? 0n} bytes: the external file does not hold the data the model declares.`,
        beyond
          .slice(0, 10)
          .map((r) => `${r.tensor.where}: offset ${r.offset ?? 0n} length ${r.length ?? 0n}`)
          .join('\n'),
      );
    }
  }
  return findings;
}

function smaller(a: bigint, b: bigint): bigint {
  if (a < b) return a;
  return b;
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
