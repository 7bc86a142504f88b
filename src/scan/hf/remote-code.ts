/**
 * How transformers and diffusers name the Python code `trust_remote_code=True` runs
 * (transformers/dynamic_module_utils.py, get_class_from_dynamic_module and get_relative_imports).
 */

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `auto_map` values are "module.Class", "repo_id--module.Class" (code from another repository), or for
 * tokenizers a [slow, fast] pair where either may be null (get_class_from_dynamic_module). `custom_pipelines`
 * entries name an `impl` the same way. Sorted, without duplicates.
 */
export function classReferences(config: Record<string, unknown>): string[] {
  const refs: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'string') refs.push(v);
    else if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') refs.push(x);
  };
  if (isRecord(config.auto_map)) for (const v of Object.values(config.auto_map)) add(v);
  if (isRecord(config.custom_pipelines)) {
    for (const p of Object.values(config.custom_pipelines)) if (isRecord(p)) add(p.impl);
  }
  return [...new Set(refs)].sort();
}

/**
 * The Python file a reference loads, and the repository it comes from when not this one:
 * `repo_id, class_reference = class_reference.split("--")`, then `module_file, class_name =
 * class_reference.split(".")` and `module_file + ".py"` fetched from that repository's root.
 */
export function moduleOf(ref: string): { file: string; repo?: string } {
  const [repo, rest] = ref.includes('--') ? (ref.split('--', 2) as [string, string]) : [undefined, ref];
  const dot = rest.lastIndexOf('.');
  const file = `${(dot > 0 ? rest.slice(0, dot) : rest).replaceAll('.', '/')}.py`;
  return repo === undefined ? { file } : { file, repo };
}

/**
 * Modules a file imports relatively, as transformers finds them (get_relative_imports: `import .x` and
 * `from .x import y` at the start of a line, by regular expression, never by running anything); each is
 * fetched as `x.py` next to the file.
 */
export function relativeImports(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(/^\s*import\s+\.(\S+)\s*$/gm)) found.add(`${m[1]}.py`);
  for (const m of source.matchAll(/^\s*from\s+\.(\S+)\s+import/gm)) found.add(`${m[1]}.py`);
  return [...found].sort();
}
