/**
 * What a zip archive is, from its member names: PyTorch's serialization layout, TorchScript, NumPy's npz,
 * or a plain archive. Names only classify the archive; every member is still sniffed by content.
 */
export type ZipLayout =
  | { readonly kind: 'pytorch'; readonly prefix: string }
  | { readonly kind: 'torchscript'; readonly prefix: string }
  | { readonly kind: 'npz' }
  | { readonly kind: 'zip' };

/**
 * PyTorch (torch/serialization.py, caffe2/serialize/inline_container.cc) writes `<prefix>/data.pkl`,
 * `<prefix>/version`, `<prefix>/data/<key>` storages and, since 2.x, `<prefix>/byteorder` and
 * `<prefix>/.data/serialization_id`. The prefix is any folder name (the archive's stem by default), so we
 * accept any. TorchScript (torch.jit.save) adds `<prefix>/code/` sources and `<prefix>/constants.pkl`.
 */
export function classifyZipLayout(names: readonly string[]): ZipLayout {
  let pickleRecord: string | undefined;
  let hasCode = false;
  let allNpy = names.length > 0;
  for (const name of names) {
    // miniz looks records up case-insensitively (mz_zip_reader_locate_file without
    // MZ_ZIP_FLAG_CASE_SENSITIVE, as inline_container.cc calls it), so `DATA.PKL` and `CODE/x.PY` count.
    const m = /^(?:([^/]+)\/)?data\.pkl$/i.exec(name);
    if (m && pickleRecord === undefined) pickleRecord = m[1] ?? '';
    if (isTorchScriptCodeName(name)) hasCode = true;
    if (!name.endsWith('.npy') && !name.endsWith('/')) allNpy = false;
  }
  if (pickleRecord !== undefined) {
    return hasCode
      ? { kind: 'torchscript', prefix: pickleRecord }
      : { kind: 'pytorch', prefix: pickleRecord };
  }
  if (allNpy) return { kind: 'npz' };
  return { kind: 'zip' };
}

/** TorchScript sources: `[<prefix>/]code/<qualified path>.py`, matched the way miniz finds them. */
export function isTorchScriptCodeName(name: string): boolean {
  return /^(?:[^/]+\/)?code\/.+\.py$/i.test(name);
}

/** Whether a member of a PyTorch archive holds raw tensor bytes (`<prefix>/data/<key>`), not structure. */
export function isTensorStorageMember(layout: ZipLayout, name: string): boolean {
  if (layout.kind !== 'pytorch' && layout.kind !== 'torchscript') return false;
  const base = layout.prefix === '' ? '' : `${layout.prefix}/`;
  return name.startsWith(`${base}data/`) || name.startsWith(`${base}.data/`);
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
