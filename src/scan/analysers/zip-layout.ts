/**
 * What a zip archive is, from its member names: PyTorch's serialization layout, TorchScript, NumPy's npz,
 * or a plain archive. Names only classify the archive; every member is still sniffed by content.
 */
export type ZipLayout =
  | { readonly kind: 'pytorch'; readonly base: string }
  | { readonly kind: 'torchscript'; readonly base: string }
  | { readonly kind: 'npz' }
  | { readonly kind: 'keras' }
  | { readonly kind: 'skops' }
  | { readonly kind: 'zip' };

/**
 * PyTorch (torch/serialization.py, caffe2/serialize/inline_container.cc) writes `<prefix>/data.pkl`,
 * `<prefix>/version`, `<prefix>/data/<key>` storages and, since 2.x, `<prefix>/byteorder` and
 * `<prefix>/.data/serialization_id`. The prefix is any folder name (the archive's stem by default), so we
 * accept any. TorchScript (torch.jit.save) adds `<prefix>/code/` sources and `<prefix>/constants.pkl`.
 * `base` is the prefix with its slash, what every record name starts with ('' only for a root-level
 * `data.pkl`, which PyTorch itself refuses to load).
 */
export function classifyZipLayout(names: readonly string[]): ZipLayout {
  const base = torchRecordBase(names);
  let hasCode = false;
  let allNpy = names.length > 0;
  for (const name of names) {
    // miniz looks records up case-insensitively (see torchRecordBase), so `CODE/x.PY` counts.
    if (isTorchScriptCodeName(name)) hasCode = true;
    if (!name.endsWith('.npy') && !name.endsWith('/')) allNpy = false;
  }
  if (base !== undefined) {
    return hasCode ? { kind: 'torchscript', base } : { kind: 'pytorch', base };
  }
  if (allNpy) return { kind: 'npz' };
  // Keras v3 (keras/src/saving/saving_lib.py) writes `config.json`, `metadata.json` and
  // `model.weights.h5` (or `.npz`) at the root; load_model needs only `config.json` and the weights.
  if (
    names.includes('config.json') &&
    (names.includes('metadata.json') ||
      names.includes('model.weights.h5') ||
      names.includes('model.weights.npz'))
  ) {
    return { kind: 'keras' };
  }
  // skops.io.dump writes `schema.json` at the root plus one member per array (skops/io/_persist.py).
  if (names.includes('schema.json')) return { kind: 'skops' };
  return { kind: 'zip' };
}

/**
 * The folder PyTorch reads every record from, with its slash (`archive_name_plus_slash_`).
 *
 * caffe2/serialize/inline_container.cc, PyTorchStreamReader::init: the archive name is the name of
 * central-directory entry 0 (`mz_zip_reader_get_filename(ar_, 0, ...)`) up to its first '/'
 * (`buf.find_first_of('/')`; no '/' throws "file in archive is not in a subdirectory"), so it may be
 * empty for a name starting with '/'. Nothing else is normalised (no "./" or "\\" handling, in 1.x as
 * in 2.x sources). getRecord/hasRecord then look up `archive_name_plus_slash_ + name` (`data.pkl`,
 * `data/<key>`, `version`, ...) with mz_zip_reader_locate_file(..., flags 0): miniz compares names
 * ASCII-case-insensitively unless MZ_ZIP_FLAG_CASE_SENSITIVE is passed. So which `data.pkl` torch.load
 * unpickles is decided by entry 0, not by where a `data.pkl` first appears: a decoy `data.pkl` elsewhere
 * must not move the folder whose `data/` members are treated as raw tensor bytes. (Recent
 * getAllRecords, reached from torch.load's TorchScript check, refuses members outside the folder; older
 * readers and other callers of getRecord do not, so that is no defence to rely on.)
 *
 * An archive PyTorch cannot open (entry 0 not in a folder, or no `data.pkl` in entry 0's folder) falls
 * back to the first `[<folder>/]data.pkl`, which only labels the archive; its members are all analysed
 * or sniffed either way.
 */
function torchRecordBase(names: readonly string[]): string | undefined {
  const first = names[0];
  const slash = first?.indexOf('/') ?? -1;
  if (first !== undefined && slash >= 0) {
    const base = first.slice(0, slash + 1);
    const record = asciiLower(`${base}data.pkl`);
    if (names.some((n) => asciiLower(n) === record)) return base;
  }
  for (const name of names) {
    // Matched the way miniz finds records: `DATA.PKL` counts.
    const m = /^(?:([^/]+)\/)?data\.pkl$/i.exec(name);
    if (m) return m[1] === undefined ? '' : `${m[1]}/`;
  }
  return undefined;
}

/** Lower-cases ASCII letters only, as miniz's MZ_TOLOWER does when it compares names. */
function asciiLower(name: string): string {
  return name.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/** TorchScript sources: `[<prefix>/]code/<qualified path>.py`, matched the way miniz finds them. */
export function isTorchScriptCodeName(name: string): boolean {
  return /^(?:[^/]+\/)?code\/.+\.py$/i.test(name);
}

/**
 * Whether a member of a PyTorch archive holds raw tensor bytes (`<prefix>/data/<key>`), not structure.
 * Such members are only sniffed. Defence in depth: a name ending in `.pkl` (any case) is what loaders
 * unpickle by name, so it is never taken for tensor bytes, wherever it sits.
 */
export function isTensorStorageMember(layout: ZipLayout, name: string): boolean {
  if (layout.kind !== 'pytorch' && layout.kind !== 'torchscript') return false;
  if (/\.pkl$/i.test(name)) return false;
  return name.startsWith(`${layout.base}data/`) || name.startsWith(`${layout.base}.data/`);
}

/** An attribute dot as Python's tokenizer allows it: spaces, newlines and line continuations around it. */
const DOT = String.raw`[\s\\]*\.[\s\\]*`;

/**
 * Tokens in TorchScript sources that reach files, load more serialized data or native code. TorchScript is
 * parsed like Python, so `torch . save (` and a backslash-continued `torch.\` + newline + `save` are the
 * same call; the schema form `aten::save` names the same operator.
 */
const TORCHSCRIPT_RISKY = new RegExp(
  [
    String.raw`\bfrom_file\b`,
    String.raw`\b_load_for_lite_interpreter\b`,
    String.raw`\bload_library\b`,
    String.raw`\btorch${DOT}(?:load|save|hub)\b`,
    String.raw`\bjit${DOT}load\b`,
    String.raw`\bops${DOT}aten${DOT}(?:save|load|from_file)\b`,
    String.raw`\baten\s*::\s*(?:save|load|from_file)\b`,
    String.raw`\bopen\s*\(`,
    String.raw`\b__import__\b`,
    String.raw`\bsubprocess\b`,
    String.raw`\bos${DOT}system\b`,
  ].join('|'),
);

/** The first risky token found in TorchScript code, or undefined. */
export function findRiskyTorchScript(code: string): string | undefined {
  return TORCHSCRIPT_RISKY.exec(code)?.[0];
}
