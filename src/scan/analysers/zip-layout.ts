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
    const m = /^(?:([^/]+)\/)?data\.pkl$/.exec(name);
    if (m && pickleRecord === undefined) pickleRecord = m[1] ?? '';
    if (/^(?:[^/]+\/)?code\/.+\.py$/.test(name)) hasCode = true;
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

/** Whether a member of a PyTorch archive holds raw tensor bytes (`<prefix>/data/<key>`), not structure. */
export function isTensorStorageMember(layout: ZipLayout, name: string): boolean {
  if (layout.kind !== 'pytorch' && layout.kind !== 'torchscript') return false;
  const base = layout.prefix === '' ? '' : `${layout.prefix}/`;
  return name.startsWith(`${base}data/`) || name.startsWith(`${base}.data/`);
}

/** Tokens in TorchScript sources that reach files or load more serialized data. */
const TORCHSCRIPT_RISKY =
  /\b(?:from_file|_load_for_lite_interpreter|torch\.load|torch\.save|ops\.aten\.save|open\s*\(|__import__|subprocess|os\.system)\b/;

/** The first risky token found in TorchScript code, or undefined. */
export function findRiskyTorchScript(code: string): string | undefined {
  return TORCHSCRIPT_RISKY.exec(code)?.[0];
}
