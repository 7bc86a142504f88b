import { isRecord } from '../../core/json.js';
/**
 * Where Hugging Face loaders take Python code from, read from configuration files without running anything:
 * transformers (dynamic_module_utils.py: get_class_from_dynamic_module, get_relative_imports), diffusers
 * (pipelines/pipeline_loading_utils.py: get_class_obj_and_candidates, _resolve_custom_pipeline_and_cls,
 * _get_custom_pipeline_class, _get_custom_components_and_folders; utils/dynamic_modules_utils.py:
 * get_cached_module_file) and sentence-transformers (SentenceTransformer._load_module_class_from_ref).
 */

import { truncateText } from '../../core/byte-reader.js';
import { compareStrings } from '../../core/finding.js';

/** Code references taken from one configuration: a hostile file cannot make the report unbounded. */
export const MAX_CODE_REFERENCES = 1000;
/** Characters of a key or value kept in a reference. */
const MAX_REFERENCE_TEXT = 200;

/**
 * What a loader does when the referenced file is not in the folder being scanned:
 * - `hub`: it downloads the file from the repository on the Hub at load time (transformers, sentence-transformers);
 * - `community`: diffusers fetches a community pipeline of that name from the diffusers/community-pipelines-mirror
 *   dataset, without asking for trust_remote_code (get_cached_module_file, `is_community_pipeline`);
 * - `installed`: it refuses (diffusers on the Hub) or imports an installed Python module of that name instead.
 */
export type WhenMissing = 'hub' | 'community' | 'installed';

/** One place a configuration makes a loader import Python code. */
export interface CodeReference {
  /** Which loader mechanism reads it. */
  readonly via:
    | 'auto_map'
    | 'custom_pipelines'
    | 'diffusers component'
    | 'diffusers pipeline'
    | 'sentence-transformers module'
    | 'custom_generate';
  /** Where in the file: `auto_map.AutoModel`, `unet`, `_class_name`, `[1].type`. */
  readonly key: string;
  /** The value as written. */
  readonly value: string;
  /**
   * The Python file, relative to the configuration's folder (or to the root of `repo`); undefined when the
   * loader only imports an installed module by name.
   */
  readonly file?: string;
  /** Another Hub repository the file is downloaded from, which can change after this one is reviewed. */
  readonly repo?: string;
  /** An installed module imported by name (no file of the model). */
  readonly installedModule?: string;
  readonly whenMissing: WhenMissing;
}

/** The file name of a path or of an archive member (`a.zip!/m/model_index.json`). */
/** The last `/` segment of a POSIX path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * The Python file a transformers class reference loads, and the repository it comes from when not this one:
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
 * Modules a file imports relatively, as transformers and diffusers find them (get_relative_imports: `import
 * .x` and `from .x import y` at the start of a line, by regular expression, never by running anything); each
 * is fetched as `x.py` next to the file.
 */
export function relativeImports(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(/^\s*import\s+\.(\S+)\s*$/gm)) found.add(`${m[1]}.py`);
  for (const m of source.matchAll(/^\s*from\s+\.(\S+)\s+import/gm)) found.add(`${m[1]}.py`);
  return [...found].sort(compareStrings);
}

/**
 * Libraries diffusers imports a model_index.json component from without custom code: the keys of
 * `LOADABLE_CLASSES` (pipeline_loading_utils.py).
 */
const DIFFUSERS_LOADABLE_LIBRARIES = new Set(['diffusers', 'transformers', 'onnxruntime.training']);
/**
 * Submodules of `diffusers.pipelines` (`hasattr(pipelines, library_name)` → `is_pipeline_module`), which
 * standard pipelines name for their own components (`["stable_diffusion", "StableDiffusionSafetyChecker"]`):
 * the folders of src/diffusers/pipelines and pipelines/deprecated (older releases had those at top level).
 * A name missing here is reported at medium unless its file is present, so a new diffusers module costs a
 * medium finding, never a missed custom component.
 */
const DIFFUSERS_PIPELINE_MODULES = new Set(
  (
    'ace_step allegro alt_diffusion amused animatediff anyflow audio_diffusion audioldm audioldm2 aura_flow ' +
    'blip_diffusion bria bria_fibo chroma chronoedit cogvideo cogview3 cogview4 consisid consistency_models ' +
    'controlnet controlnet_hunyuandit controlnet_sd3 controlnet_xs cosmos dance_diffusion ddim ddpm ' +
    'deepfloyd_if deprecated diffusion_gemma dit dreamlite easyanimate ernie_image flux flux2 glm_image helios ' +
    'hidream_image hunyuan_image hunyuan_video hunyuan_video1_5 hunyuandit i2vgen_xl ideogram4 joyimage ' +
    'kandinsky kandinsky2_2 kandinsky3 kandinsky5 kolors krea2 latent_consistency_models latent_diffusion ' +
    'latent_diffusion_uncond latte ledits_pp llada2 longcat_audio_dit longcat_image ltx ltx2 lucy lumina ' +
    'lumina2 marigold mochi motif_video musicldm nucleusmoe_image omnigen ovis_image pag paint_by_example pia ' +
    'pixart_alpha pndm prx qwenimage repaint sana sana_video score_sde_ve semantic_stable_diffusion shap_e ' +
    'skyreels_v2 spectrogram_diffusion stable_audio stable_audio_3 stable_cascade stable_diffusion ' +
    'stable_diffusion_3 stable_diffusion_attend_and_excite stable_diffusion_diffedit stable_diffusion_gligen ' +
    'stable_diffusion_k_diffusion stable_diffusion_ldm3d stable_diffusion_panorama stable_diffusion_safe ' +
    'stable_diffusion_sag stable_diffusion_variants stable_diffusion_xl stable_video_diffusion ' +
    'stochastic_karras_ve t2i_adapter text_to_video_synthesis unclip unidiffuser versatile_diffusion ' +
    'visualcloze vq_diffusion wan wuerstchen z_image'
  ).split(' '),
);

/** Is `name` a known library or pipeline module a diffusers component may come from without custom code? */
export function isDiffusersLibrary(name: string): boolean {
  return DIFFUSERS_LOADABLE_LIBRARIES.has(name) || DIFFUSERS_PIPELINE_MODULES.has(name);
}

const text = (s: string) => truncateText(s, MAX_REFERENCE_TEXT);

/**
 * transformers `auto_map` (config.json, tokenizer_config.json, preprocessor_config.json, processor_config.json,
 * any `*config*.json`): values are "module.Class" or "repo_id--module.Class"; tokenizers map AutoTokenizer to a
 * [slow, fast] pair where either may be null, and legacy tokenizer configs make `auto_map` itself that pair
 * (AutoTokenizer.from_pretrained, "Legacy format for dynamic tokenizers"). `custom_pipelines` entries (pipeline
 * registration, transformers/pipelines/__init__.py) name an `impl` the same way.
 */
function transformersReferences(config: Record<string, unknown>, out: CodeReference[]): void {
  const add = (via: CodeReference['via'], key: string, v: unknown) => {
    const values = typeof v === 'string' ? [v] : Array.isArray(v) ? v : [];
    for (const value of values) {
      if (typeof value !== 'string' || value === '') continue;
      const m = moduleOf(value);
      out.push({
        via,
        key: text(key),
        value: text(value),
        file: m.file,
        ...(m.repo !== undefined ? { repo: text(m.repo) } : {}),
        whenMissing: 'hub',
      });
    }
  };
  const autoMap = config.auto_map;
  if (isRecord(autoMap)) for (const [k, v] of Object.entries(autoMap)) add('auto_map', `auto_map.${k}`, v);
  else if (Array.isArray(autoMap)) add('auto_map', 'auto_map', autoMap);
  if (isRecord(config.custom_pipelines)) {
    for (const [k, p] of Object.entries(config.custom_pipelines)) {
      if (isRecord(p)) add('custom_pipelines', `custom_pipelines.${k}.impl`, p.impl);
    }
  }
}

/**
 * diffusers model_index.json. A component `[library, ClassName]` whose library is neither in
 * `LOADABLE_CLASSES` nor a `diffusers.pipelines` submodule is custom code: `<component>/<library>.py` is
 * loaded with get_class_from_dynamic_module when it exists (get_class_obj_and_candidates, "load custom
 * component"); otherwise diffusers refuses on the Hub (_get_custom_components_and_folders) and, from a local
 * folder, runs `importlib.import_module(library)`. `_class_name: [module, ClassName]` is a custom pipeline:
 * `<module>.py` of the repository when present (_resolve_custom_pipeline_and_cls, `load_pipe_from_hub`),
 * else `module` is itself a custom_pipeline: a repository id whose `pipeline.py` is downloaded, or a community
 * pipeline name (_get_custom_pipeline_class, get_cached_module_file).
 */
function diffusersReferences(config: Record<string, unknown>, out: CodeReference[]): void {
  const className = config._class_name;
  if (Array.isArray(className) && typeof className[0] === 'string' && className[0] !== '') {
    const module = className[0];
    const value = text(JSON.stringify(className));
    if (module.includes('/')) {
      out.push({
        via: 'diffusers pipeline',
        key: '_class_name',
        value,
        file: 'pipeline.py',
        repo: text(module),
        whenMissing: 'hub',
      });
    } else {
      out.push({
        via: 'diffusers pipeline',
        key: '_class_name',
        value,
        file: `${module}.py`,
        whenMissing: 'community',
      });
    }
  }
  for (const [component, v] of Object.entries(config)) {
    // _get_custom_components_and_folders: every list-valued key but _class_name names a component folder.
    if (component === '_class_name' || !Array.isArray(v)) continue;
    const library = v[0];
    if (typeof library !== 'string' || library === '' || isDiffusersLibrary(library)) continue;
    out.push({
      via: 'diffusers component',
      key: text(component),
      value: text(JSON.stringify(v)),
      file: `${component}/${library}.py`,
      installedModule: text(library),
      whenMissing: 'installed',
    });
  }
}

/**
 * sentence-transformers modules.json: a list of modules whose `type` is imported by
 * _load_module_class_from_ref. Types under `sentence_transformers.` are the library's own; any other is
 * first tried as transformers custom code ("[repo--]module.Class" through get_class_from_dynamic_module: from a
 * local folder even without trust_remote_code, from the Hub with it), then imported as an installed module
 * (import_from_string).
 */
function sentenceTransformersReferences(config: readonly unknown[], out: CodeReference[]): void {
  for (const [i, entry] of config.entries()) {
    if (!isRecord(entry) || typeof entry.type !== 'string') continue;
    const type = entry.type;
    if (type.startsWith('sentence_transformers.')) continue;
    const key = `[${i}].type`;
    const [repo, rest] = type.includes('--') ? (type.split('--', 2) as [string, string]) : [undefined, type];
    const parts = rest.split('.');
    if (parts.length === 2 && parts[0] !== '' && parts[1] !== '') {
      out.push({
        via: 'sentence-transformers module',
        key,
        value: text(type),
        file: `${parts[0]}.py`,
        ...(repo !== undefined ? { repo: text(repo) } : {}),
        whenMissing: 'hub',
      });
    } else if (repo === undefined && parts.length > 2) {
      // `module_file, class_name = class_reference.split(".")` fails, so only import_from_string remains.
      out.push({
        via: 'sentence-transformers module',
        key,
        value: text(type),
        installedModule: text(parts.slice(0, -1).join('.')),
        whenMissing: 'installed',
      });
    }
  }
}

/**
 * Every place a configuration file makes transformers, diffusers or sentence-transformers import Python code
 * that is not part of those libraries, by file name (`name`: a path or archive member) and parsed content.
 * Sorted by key, at most MAX_CODE_REFERENCES.
 */
export function codeReferences(name: string, config: unknown): CodeReference[] {
  const out: CodeReference[] = [];
  const base = baseName(name);
  if (base === 'modules.json' && Array.isArray(config)) sentenceTransformersReferences(config, out);
  if (isRecord(config)) {
    transformersReferences(config, out);
    if (base === 'model_index.json') diffusersReferences(config, out);
  }
  return out
    .sort((a, b) => compareStrings(a.key, b.key) || compareStrings(a.value, b.value))
    .slice(0, MAX_CODE_REFERENCES);
}

/** How a reference reads in a finding: `auto_map.AutoModel: modeling_x.Model`. */
export function describeReference(ref: CodeReference): string {
  return `${ref.key}: ${ref.value}`;
}

/** Where a reference's code comes from, for a finding that cannot look at the folder. */
export function sourceOfReference(ref: CodeReference): string {
  if (ref.file === undefined) return `the installed module '${ref.installedModule ?? ref.value}'`;
  if (ref.repo !== undefined) return `${ref.repo}: ${ref.file}`;
  return ref.file;
}

/**
 * True when a path leaves the folder it is joined to (`..`, absolute, backslashes): loaders join these names
 * with os.path.join, so such a reference points at code outside the repository.
 */
export function escapesFolder(relative: string): boolean {
  return relative.startsWith('/') || relative.includes('\\') || relative.split('/').some((s) => s === '..');
}
