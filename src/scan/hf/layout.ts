import { decodeUtf8, truncateText } from '../../core/byte-reader.js';
import { openFileSource } from '../../core/file-source.js';
import { type Artifact, compareStrings, type Finding } from '../../core/finding.js';
import {
  baseName,
  type CodeReference,
  codeReferences,
  describeReference,
  escapesFolder,
  relativeImports,
} from './remote-code.js';
import { HF_RULES } from './rules.js';

/** Python sources are decoded leniently (invalid bytes become U+FFFD), with one decoder for all. */
const UTF8_LENIENT = new TextDecoder('utf-8');

/** Formats that a model loader unpickles. */
const PICKLE_FORMATS = new Set(['pickle', 'pytorch-zip', 'pytorch-legacy', 'pytorch-legacy-tar']);
/** Bytes of a configuration read to find `auto_map` (real ones are kilobytes). */
export const MAX_LAYOUT_CONFIG_BYTES = 8 * 1024 * 1024;
/** Bytes of a Python file read for relative imports and risky calls. */
export const MAX_PYTHON_SOURCE_BYTES = 2 * 1024 * 1024;
/** Files followed through relative imports from one configuration: stops import cycles and fan-out. */
export const MAX_REMOTE_CODE_FILES = 200;
/** Matched lines shown as evidence for one Python file. */
const MAX_EVIDENCE_LINES = 8;

/** Reads up to `maxBytes` from the start of a scanned file, by its display path; undefined if it cannot. */
export type ReadScannedFile = (path: string, maxBytes: number) => Uint8Array | undefined;

/** A reader over the files of a walk (display path → absolute path). */
export function createScannedFileReader(
  files: readonly { readonly displayPath: string; readonly absolutePath: string }[],
): ReadScannedFile {
  const byPath = new Map(files.map((f) => [f.displayPath, f.absolutePath]));
  return (path, maxBytes) => {
    const absolute = byPath.get(path);
    if (absolute === undefined) return undefined;
    try {
      const source = openFileSource(absolute);
      try {
        return source.readAt(0, Math.min(source.size, maxBytes));
      } finally {
        source.close();
      }
    } catch {
      return undefined;
    }
  };
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function inFolder(folder: string, name: string): string {
  return folder === '' ? name : `${folder}/${name}`;
}

/** Files that make a folder a Hugging Face model, tokenizer or pipeline repository (transformers, diffusers, PEFT). */
const HF_MARKER_FILES = new Set([
  'config.json',
  'tokenizer_config.json',
  'generation_config.json',
  'preprocessor_config.json',
  'processor_config.json',
  'adapter_config.json',
  'model_index.json',
  // sentence-transformers: modules.json lists the modules, the others configure them.
  'modules.json',
  'config_sentence_transformers.json',
  'sentence_bert_config.json',
  'special_tokens_map.json',
  'tokenizer.json',
  'pytorch_model.bin',
  'tf_model.h5',
  'flax_model.msgpack',
]);
const HF_WEIGHT_NAME =
  /^(?:pytorch_model|model|tf_model|flax_model|diffusion_pytorch_model|adapter_model)(?:[-.][\w.-]*)?\.(?:bin|safetensors|h5|msgpack)$/;

function isHfMarker(a: Artifact): boolean {
  const name = baseName(a.path);
  return HF_MARKER_FILES.has(name) || HF_WEIGHT_NAME.test(name) || a.format === 'safetensors';
}

/** transformers' custom generation code: `custom_generate/generate.py` of the model repository. */
const CUSTOM_GENERATE_FOLDER = 'custom_generate';
/** diffusers' CUSTOM_PIPELINE_FILE_NAME: the file `custom_pipeline=<repository>` loads from a repository. */
const CUSTOM_PIPELINE_FILE = 'pipeline.py';

/**
 * Folders laid out like a Hugging Face repository; for a diffusers pipeline (model_index.json) its component
 * subfolders too (diffusers loads custom components from `<component>/<module>.py`), and the
 * `custom_generate` folder of a repository (transformers loads `custom_generate/generate.py`).
 */
function hfFolders(artifacts: readonly Artifact[]): Set<string> {
  const folders = new Set<string>();
  const pipelines = new Set<string>();
  for (const a of artifacts) {
    if (!isHfMarker(a)) continue;
    folders.add(folderOf(a.path));
    if (baseName(a.path) === 'model_index.json') pipelines.add(folderOf(a.path));
  }
  for (const a of artifacts) {
    const folder = folderOf(a.path);
    if (folder === '') continue;
    const parent = folderOf(folder);
    if (pipelines.has(parent) || (baseName(folder) === CUSTOM_GENERATE_FOLDER && folders.has(parent))) {
      folders.add(folder);
    }
  }
  return folders;
}

/** Configuration files whose references the layout check resolves. */
function isCodeConfig(path: string): boolean {
  const name = baseName(path);
  return /config[^/]*\.json$/i.test(name) || name === 'model_index.json' || name === 'modules.json';
}

function pickleBesideSafetensors(artifacts: readonly Artifact[]): Finding[] {
  const safetensorsByFolder = new Map<string, string[]>();
  for (const a of artifacts) {
    if (a.format !== 'safetensors') continue;
    const list = safetensorsByFolder.get(folderOf(a.path)) ?? [];
    list.push(a.path);
    safetensorsByFolder.set(folderOf(a.path), list);
  }
  const out: Finding[] = [];
  for (const a of artifacts) {
    if (!PICKLE_FORMATS.has(a.format)) continue;
    const safer = safetensorsByFolder.get(folderOf(a.path));
    if (safer === undefined) continue;
    const rule = HF_RULES.pickleBesideSafetensors;
    const shown = [...safer].sort(compareStrings).slice(0, 5).join(', ');
    out.push({
      ruleId: rule.id,
      severity: 'low',
      title: rule.title,
      message: `This ${a.format} checkpoint sits next to safetensors weights (${shown}); load those instead.`,
      location: { path: a.path },
      evidence: `${a.path} beside ${shown}`,
      remediation: rule.help,
      references: [...rule.references],
    });
  }
  return out;
}

/** An attribute dot as Python's tokenizer allows it. */
const DOT = String.raw`\s*\.\s*`;
/**
 * Calls in Python source that run commands, evaluate code, load code or talk to the network. `eval(`,
 * `exec(` and `compile(` count only as builtins (not `model.eval()`, `re.compile(`, `torch.compile(`).
 */
const RISKY_PYTHON: readonly { readonly pattern: RegExp; readonly what: string }[] = [
  {
    pattern: new RegExp(String.raw`\bos${DOT}(?:system|popen|exec\w*|spawn\w*|fork)\b`),
    what: 'runs a command',
  },
  { pattern: /\bsubprocess\b|\bpty\s*\.\s*spawn\b|\bcommands\s*\.\s*getoutput\b/, what: 'runs a command' },
  { pattern: /(?<![\w.])(?:eval|exec|compile)\s*\(/, what: 'evaluates code' },
  {
    pattern: /\b__import__\s*\(|\b__builtins__\b|\bimportlib\s*\.\s*import_module\s*\(/,
    what: 'imports by name',
  },
  {
    pattern: new RegExp(String.raw`\b(?:marshal|pickle|dill|cloudpickle)${DOT}loads?\s*\(`),
    what: 'loads code or pickles',
  },
  { pattern: /\bctypes\b/, what: 'loads native code' },
  {
    pattern: /\bimport\s+socket\b|\bfrom\s+socket\s+import\b|\bsocket\s*\.\s*socket\s*\(/,
    what: 'opens sockets',
  },
  {
    pattern: new RegExp(
      String.raw`\b(?:requests|httpx)${DOT}(?:post|put|patch)\s*\(|\burllib\s*\.\s*request\b|\burlopen\s*\(|\bhttp\s*\.\s*client\b`,
    ),
    what: 'sends data over the network',
  },
  { pattern: /\bb(?:64|32|16|85)decode\s*\(|\bcodecs\s*\.\s*decode\s*\(/, what: 'decodes hidden data' },
];

/** Matched lines (comments skipped) and what they do. */
function riskyLines(source: string): { lines: string[]; what: string[] } {
  const lines: string[] = [];
  const what = new Set<string>();
  for (const [i, line] of source.split('\n').entries()) {
    const code = line.trim();
    if (code === '' || code.startsWith('#')) continue;
    const hits = RISKY_PYTHON.filter((r) => r.pattern.test(code));
    if (hits.length === 0) continue;
    for (const h of hits) what.add(h.what);
    if (lines.length < MAX_EVIDENCE_LINES) lines.push(`${i + 1}: ${truncateText(code, 160)}`);
  }
  // Decoding alone is common (tokenizers, checkpoints); it counts only next to code that runs what it decodes.
  if (what.size === 1 && what.has('decodes hidden data')) return { lines: [], what: [] };
  return { lines, what: [...what].sort(compareStrings) };
}

/** A file a reference or relative import leads to, and what the loader does when it is not in the folder. */
interface PendingFile {
  readonly file: string;
  readonly whenMissing: CodeReference['whenMissing'];
}

interface RemoteCode {
  /** The file the finding is located at: the configuration, or the code itself (custom_generate). */
  readonly location: string;
  readonly refs: readonly CodeReference[];
  /** Files of this folder that would run: referenced modules and what they import relatively. */
  readonly present: readonly string[];
  /** Files led to but absent from the folder. */
  readonly missing: readonly PendingFile[];
  readonly foreign: readonly string[];
  readonly installed: readonly string[];
  readonly outside: readonly string[];
}

function parseJson(bytes: Uint8Array | undefined): unknown {
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(decodeUtf8(bytes));
  } catch {
    return undefined;
  }
}

/**
 * Follows references and their relative imports to the files of the folder, as the loaders do:
 * get_relative_import_files (transformers) and get_cached_module_file (diffusers) fetch every relatively
 * imported module from the folder of the module importing it. Bounded by MAX_REMOTE_CODE_FILES.
 */
function resolveRemoteCode(
  location: string,
  folder: string,
  refs: readonly CodeReference[],
  existing: ReadonlySet<string>,
  readSource: (path: string) => string | undefined,
): RemoteCode {
  const foreign = new Set<string>();
  const installed = new Set<string>();
  const outside = new Set<string>();
  const queue: PendingFile[] = [];
  for (const ref of refs) {
    if (ref.file === undefined) installed.add(ref.installedModule ?? ref.value);
    else if (ref.repo !== undefined) foreign.add(`${ref.repo}: ${ref.file}`);
    else if (escapesFolder(ref.file)) outside.add(ref.file);
    else queue.push({ file: inFolder(folder, ref.file), whenMissing: ref.whenMissing });
  }
  const seen = new Map<string, PendingFile>();
  while (queue.length > 0 && seen.size < MAX_REMOTE_CODE_FILES) {
    const next = queue.shift() as PendingFile;
    if (seen.has(next.file)) continue;
    seen.set(next.file, next);
    if (!existing.has(next.file)) continue;
    const source = readSource(next.file);
    if (source === undefined) continue;
    for (const imported of relativeImports(source)) {
      if (escapesFolder(imported)) outside.add(imported);
      // A module the repository imports but lacks is downloaded with it when loading by repository id.
      else queue.push({ file: inFolder(folderOf(next.file), imported), whenMissing: 'hub' });
    }
  }
  const all = [...seen.values()].sort((a, b) => compareStrings(a.file, b.file));
  return {
    location,
    refs,
    present: all.filter((f) => existing.has(f.file)).map((f) => f.file),
    missing: all.filter((f) => !existing.has(f.file)),
    foreign: [...foreign].sort(compareStrings),
    installed: [...installed].sort(compareStrings),
    outside: [...outside].sort(compareStrings),
  };
}

/**
 * High when code of this folder runs, or code the folder does not hold is downloaded from this or another
 * repository; medium when only an installed module is imported by name or a diffusers community pipeline is
 * fetched from the diffusers-maintained mirror.
 */
function remoteCodeSeverity(code: RemoteCode): 'high' | 'medium' {
  return code.present.length > 0 ||
    code.foreign.length > 0 ||
    code.outside.length > 0 ||
    code.missing.some((m) => m.whenMissing === 'hub')
    ? 'high'
    : 'medium';
}

const MISSING_EXPLAINED: Readonly<Record<CodeReference['whenMissing'], string>> = {
  hub: 'Referenced but missing here (downloaded from the hub at load time, unreviewed)',
  community:
    'Not in this folder, so diffusers fetches a community pipeline of that name from the diffusers/community-pipelines-mirror dataset, without asking for trust_remote_code',
  installed:
    'Custom component files not in this folder: diffusers refuses them on the Hub and, from a local folder, imports an installed module of that name instead',
};

function remoteCodeFinding(code: RemoteCode): Finding {
  const rule = HF_RULES.remoteCode;
  const vias = new Set(code.refs.map((r) => r.via));
  const parts = [
    code.present.length > 0
      ? `Loading this model with trust_remote_code=True runs ${code.present.length} Python file(s) of this folder: ${truncateText(code.present.join(', '), 400)}.`
      : 'Loading this model runs Python code none of which is in this folder.',
  ];
  if (vias.has('sentence-transformers module')) {
    parts.push(
      'sentence-transformers imports the custom modules of modules.json from a local folder even without trust_remote_code.',
    );
  }
  if (code.refs.some((r) => r.key === CUSTOM_PIPELINE_FILE && r.via === 'diffusers pipeline')) {
    parts.push(
      `${CUSTOM_PIPELINE_FILE} is the custom pipeline diffusers runs when this repository is passed as custom_pipeline.`,
    );
  }
  if (vias.has('custom_generate')) {
    parts.push('transformers replaces generate() with this code (GenerationMixin.load_custom_generate).');
  }
  for (const kind of ['hub', 'community', 'installed'] as const) {
    const files = code.missing.filter((m) => m.whenMissing === kind).map((m) => m.file);
    if (files.length > 0) parts.push(`${MISSING_EXPLAINED[kind]}: ${truncateText(files.join(', '), 300)}.`);
  }
  if (code.foreign.length > 0) {
    parts.push(
      `Fetched from other repositories, which can change after you review this one: ${truncateText(code.foreign.join(', '), 300)}.`,
    );
  }
  if (code.installed.length > 0) {
    parts.push(`Imports installed modules by name: ${truncateText(code.installed.join(', '), 200)}.`);
  }
  if (code.outside.length > 0) {
    parts.push(
      `Paths that leave the repository folder (the loaders join them with os.path.join): ${truncateText(code.outside.join(', '), 200)}.`,
    );
  }
  return {
    ruleId: rule.id,
    severity: remoteCodeSeverity(code),
    title: rule.title,
    message: parts.join(' '),
    location: { path: code.location },
    evidence: truncateText(
      [
        ...code.refs.map(describeReference),
        ...code.present.map((f) => `runs: ${f}`),
        ...code.missing.map((m) => `missing: ${m.file}`),
      ].join('\n'),
      2000,
    ),
    remediation: rule.help,
    references: [...rule.references],
  };
}

/**
 * Findings about how files sit together in a folder, from the artifacts of a scan, returned with the
 * findings they complete: pickle-based weights next to safetensors (HF-PICKLE-WEIGHTS); in folders laid out
 * like a Hugging Face repository, the files `auto_map` makes trust_remote_code run, followed through their
 * relative imports as transformers follows them (replacing the analyser's HF-REMOTE-CODE finding for that
 * configuration, which could only name modules), and every Python file there (HF-PYTHON-CODE: medium when
 * nothing references it, high when it runs commands, evaluates code or talks to the network). `read` gives
 * bounded access to the scanned files; without it only the pickle-weights check runs.
 */
export function withLayoutFindings(
  findings: readonly Finding[],
  artifacts: readonly Artifact[],
  read?: ReadScannedFile,
): Finding[] {
  const added = pickleBesideSafetensors(artifacts);
  if (read === undefined) return [...findings, ...added];
  const folders = hfFolders(artifacts);
  const existing = new Set(artifacts.map((a) => a.path));
  const sources = new Map<string, string | undefined>();
  const readSource = (path: string) => {
    if (!sources.has(path)) {
      const bytes = read(path, MAX_PYTHON_SOURCE_BYTES);
      sources.set(path, bytes === undefined ? undefined : UTF8_LENIENT.decode(bytes));
    }
    return sources.get(path);
  };
  const sorted = [...artifacts].sort((a, b) => compareStrings(a.path, b.path));
  const referenced = new Set<string>();
  const replaced = new Set<string>();
  const report = (code: RemoteCode) => {
    for (const f of code.present) referenced.add(f);
    added.push(remoteCodeFinding(code));
  };
  for (const a of sorted) {
    const folder = folderOf(a.path);
    if (!folders.has(folder) || !isCodeConfig(a.path)) continue;
    const refs = codeReferences(a.path, parseJson(read(a.path, MAX_LAYOUT_CONFIG_BYTES)));
    // diffusers always downloads the root pipeline.py with a pipeline and runs it for custom_pipeline=<repo>.
    const pipelineFile = inFolder(folder, CUSTOM_PIPELINE_FILE);
    if (baseName(a.path) === 'model_index.json' && existing.has(pipelineFile)) {
      refs.push({
        via: 'diffusers pipeline',
        key: CUSTOM_PIPELINE_FILE,
        value: 'custom_pipeline',
        file: CUSTOM_PIPELINE_FILE,
        whenMissing: 'hub',
      });
    }
    if (refs.length === 0) continue;
    report(resolveRemoteCode(a.path, folder, refs, existing, readSource));
    replaced.add(a.path);
  }
  // transformers GenerationMixin.load_custom_generate: with trust_remote_code=True, from_pretrained and
  // generate(custom_generate=<repository>) run custom_generate/generate.py of the repository.
  for (const folder of [...folders].sort(compareStrings)) {
    if (baseName(folder) !== CUSTOM_GENERATE_FOLDER) continue;
    const entry = inFolder(folder, 'generate.py');
    if (!existing.has(entry)) continue;
    const ref: CodeReference = {
      via: 'custom_generate',
      key: CUSTOM_GENERATE_FOLDER,
      value: `${CUSTOM_GENERATE_FOLDER}/generate.py`,
      file: 'generate.py',
      whenMissing: 'hub',
    };
    report(resolveRemoteCode(entry, folder, [ref], existing, readSource));
  }
  for (const a of sorted) {
    if (!a.path.endsWith('.py') || !folders.has(folderOf(a.path))) continue;
    const source = readSource(a.path);
    const risky = source === undefined ? { lines: [], what: [] } : riskyLines(source);
    const isReferenced = referenced.has(a.path);
    if (risky.lines.length === 0 && isReferenced) continue;
    const rule = HF_RULES.pythonCode;
    const runs = isReferenced
      ? 'trust_remote_code=True runs it'
      : 'nothing in the configuration references it, but loaders of custom code and users import files shipped with a model';
    added.push({
      ruleId: rule.id,
      severity: risky.lines.length > 0 ? 'high' : 'medium',
      title: rule.title,
      message:
        risky.lines.length > 0
          ? `Python file in a model folder that ${risky.what.join(', ')} (${runs}).`
          : `Python code shipped with the model: ${runs}.`,
      location: { path: a.path },
      evidence: risky.lines.length > 0 ? risky.lines.join('\n') : a.path,
      remediation: rule.help,
      references: [...rule.references],
    });
  }
  const kept = findings.filter(
    (f) =>
      !(
        f.ruleId === HF_RULES.remoteCode.id &&
        f.location.member === undefined &&
        replaced.has(f.location.path)
      ),
  );
  return [...kept, ...added];
}
