import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import {
  type DependencyFile,
  type DependencyPackage,
  MAX_DEPENDENCY_FILE_BYTES,
  MAX_PACKAGES_PER_FILE,
  type ReadProblem,
} from '../model.js';
import { normaliseName, normalisePypiName } from '../names.js';
import { parseVersion } from '../pep440.js';
import {
  comparePackages,
  type DraftPackage,
  quote,
  type RequirementsOptions,
  readRequirements,
  redactUrl,
  toPackage,
} from './requirements.js';

/**
 * conda `environment.yml` (conda docs "Managing environments: Creating an environment file manually";
 * entries are conda "Package match specifications"). `dependencies` holds match specs and at most a few
 * `pip:` maps, whose strings conda writes line by line into a requirements file next to the environment
 * file and hands to pip: they are read with the requirements reader, relative to this file.
 *
 * Match specs, per conda's `MatchSpec` parsing: `name`, `channel::name`, `name==1.2` (exact),
 * `name=1.2=build` (exact: with a build string the version is not widened), `name 1.2` / `name 1.2 build`
 * (exact), `name=1.2` (FUZZY: conda reads it as `1.2.*`, so unresolved), `name>=1.2`, `name 1.2.*`,
 * `name[version='>=1']` (unresolved). Build strings are not kept.
 *
 * conda packages of Python projects carry the project's code under a conda name; the table below maps the
 * common ML ones to their PyPI project so advisories match. Such a package is reported with `ecosystem:
 * 'PyPI'`, `name` as written in the file (`pytorch`), `normalizedName` and purl from the PyPI name
 * (`torch`, `pkg:pypi/torch@2.1.0`) and `groups: ['conda']` to keep its origin. Everything else stays
 * `ecosystem: 'conda'` (listed, not matched: OSV has no conda ecosystem).
 */

/**
 * conda package → PyPI project, for packages whose conda build is the PyPI project's code (names checked
 * against conda-forge / the pytorch channel feedstocks). Identity entries mark conda names known to be
 * the PyPI project of the same name; a name not listed (`python`, `openssl`, `cudatoolkit`, `libpng`) is
 * not a PyPI project and stays conda.
 */
export const CONDA_TO_PYPI: ReadonlyMap<string, string> = new Map([
  // The pytorch channel and conda-forge ship torch as `pytorch` (+ `-gpu`/`-cpu` variants on conda-forge).
  ['pytorch', 'torch'],
  ['pytorch-gpu', 'torch'],
  ['pytorch-cpu', 'torch'],
  ['torchvision', 'torchvision'],
  ['torchaudio', 'torchaudio'],
  ['pytorch-lightning', 'pytorch-lightning'],
  ['lightning', 'lightning'],
  // conda-forge's tensorflow-gpu/-cpu are builds of the tensorflow project.
  ['tensorflow', 'tensorflow'],
  ['tensorflow-gpu', 'tensorflow'],
  ['tensorflow-cpu', 'tensorflow'],
  ['keras', 'keras'],
  ['jax', 'jax'],
  ['jaxlib', 'jaxlib'],
  // conda-forge's xgboost Python package is `py-xgboost` (`xgboost` is a metapackage pulling it in).
  ['py-xgboost', 'xgboost'],
  ['py-xgboost-gpu', 'xgboost'],
  ['py-xgboost-cpu', 'xgboost'],
  ['xgboost', 'xgboost'],
  ['lightgbm', 'lightgbm'],
  ['scikit-learn', 'scikit-learn'],
  ['numpy', 'numpy'],
  ['scipy', 'scipy'],
  ['pandas', 'pandas'],
  ['pillow', 'pillow'],
  ['transformers', 'transformers'],
  ['tokenizers', 'tokenizers'],
  ['safetensors', 'safetensors'],
  ['huggingface_hub', 'huggingface-hub'],
  ['datasets', 'datasets'],
  ['accelerate', 'accelerate'],
  ['onnx', 'onnx'],
  ['onnxruntime', 'onnxruntime'],
  ['mlflow', 'mlflow'],
  ['requests', 'requests'],
  ['urllib3', 'urllib3'],
  ['pyyaml', 'pyyaml'],
  ['jinja2', 'jinja2'],
  ['aiohttp', 'aiohttp'],
  ['cryptography', 'cryptography'],
  ['protobuf', 'protobuf'],
  ['setuptools', 'setuptools'],
  ['pip', 'pip'],
  ['wheel', 'wheel'],
]);

/** Longest conda match spec read; real ones are a few dozen characters. */
export const MAX_MATCH_SPEC_CHARS = 4096;

/** conda's default `channel_alias`: a bare channel name `c` is `https://conda.anaconda.org/c`. */
const CHANNEL_ALIAS = 'https://conda.anaconda.org';
const CONDA_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*/;
/** A version conda compares exactly: no operator, wildcard, `,` (and) or `|` (or). */
const EXACT_CONDA_VERSION_RE = /^[A-Za-z0-9_.+!-]+$/;

/** Reads a conda environment.yml; `options` is passed to the requirements reader for the `pip:` list. */
export function readCondaEnvironment(
  file: string,
  text: string,
  options: Pick<RequirementsOptions, 'load' | 'env'> = {},
): DependencyFile {
  const problems: ReadProblem[] = [];
  const packages: DependencyPackage[] = [];
  const includes: string[] = [];
  const problem = (message: string, line?: number): void => {
    problems.push({ file, ...(line !== undefined ? { line } : {}), message });
  };
  const result = (): DependencyFile => ({
    path: file,
    format: 'environment.yml',
    packages: packages.sort(comparePackages),
    problems,
    includes,
  });
  if (text.length > MAX_DEPENDENCY_FILE_BYTES) {
    problem(`file is larger than ${MAX_DEPENDENCY_FILE_BYTES} bytes: not read`);
    return result();
  }
  const lineCounter = new LineCounter();
  const lineOf = (node: Node | null | undefined): number | undefined =>
    node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
  let document: ReturnType<typeof parseDocument>;
  try {
    // YAML 1.2 core schema (no YAML 1.1 sexagesimal or `yes`/`no` surprises); strings stay strings. The
    // document tree is walked without `toJS`, so aliases are never expanded (no billion-laughs blow-up): an
    // alias entry is reported like any other entry that is not a string.
    document = parseDocument(text, { schema: 'core', lineCounter });
  } catch (error) {
    problem(`YAML could not be parsed: ${error instanceof Error ? error.message : String(error)}`);
    return result();
  }
  for (const error of document.errors) {
    problem(`YAML: ${error.message.split('\n')[0]}`, lineCounter.linePos(error.pos[0]).line);
  }
  if (document.errors.length > 0) return result();
  const root = document.contents;
  if (!isMap(root)) {
    problem('not an environment file: the top level is not a mapping');
    return result();
  }
  const dependencies = root.get('dependencies', true);
  if (dependencies === undefined || dependencies === null) {
    problem('no "dependencies" list');
    return result();
  }
  if (!isSeq(dependencies)) {
    problem('"dependencies" is not a list', lineOf(dependencies as Node));
    return result();
  }
  for (const item of dependencies.items) {
    const line = lineOf(item as Node);
    if (packages.length >= MAX_PACKAGES_PER_FILE) {
      problem(`more than ${MAX_PACKAGES_PER_FILE} packages: the rest is not read`, line);
      break;
    }
    if (isScalar(item) && typeof item.value === 'string') {
      const draft = readMatchSpec(item.value, file, line, (message) => problem(message, line));
      if (draft !== undefined) packages.push(toPackage(draft));
    } else if (isMap(item) && item.has('pip')) {
      const pip = readPipList(file, item.get('pip', true) as Node | undefined, lineOf, options, problem);
      packages.push(...pip.packages);
      problems.push(...pip.problems);
      for (const include of pip.includes) if (!includes.includes(include)) includes.push(include);
    } else {
      problem('dependency entry is neither a match spec string nor a "pip:" list: skipped', line);
    }
  }
  return result();
}

/** The `pip:` list, read as the requirements file conda writes from it (one entry per line). */
function readPipList(
  file: string,
  node: Node | undefined,
  lineOf: (node: Node | null | undefined) => number | undefined,
  options: Pick<RequirementsOptions, 'load' | 'env'>,
  problem: (message: string, line?: number) => void,
): DependencyFile {
  const empty: DependencyFile = {
    path: file,
    format: 'environment.yml',
    packages: [],
    problems: [],
    includes: [],
  };
  if (!isSeq(node)) {
    problem('"pip:" is not a list', lineOf(node));
    return empty;
  }
  const lines: string[] = [];
  const yamlLines: (number | undefined)[] = [];
  for (const entry of node.items) {
    const line = lineOf(entry as Node);
    if (!isScalar(entry) || typeof entry.value !== 'string') {
      problem('"pip:" entry is not a string: skipped', line);
      continue;
    }
    if (/[\r\n\v\f\u2028\u2029\x85\x1c-\x1e]/.test(entry.value)) {
      problem('"pip:" entry spans several lines: skipped', line);
      continue;
    }
    lines.push(entry.value);
    yamlLines.push(line);
  }
  return readRequirements(file, lines.join('\n'), {
    ...options,
    format: 'environment.yml',
    mapRootLine: (line) => yamlLines[line - 1],
  });
}

/** One conda match spec (see the module comment for the forms). */
function readMatchSpec(
  written: string,
  file: string,
  line: number | undefined,
  report: (message: string) => void,
): DraftPackage | undefined {
  const spec = written.trim();
  if (spec.length === 0 || spec.length > MAX_MATCH_SPEC_CHARS) {
    report(`match spec ${quote(spec)} is empty or longer than ${MAX_MATCH_SPEC_CHARS} characters: skipped`);
    return undefined;
  }
  const channelEnd = spec.lastIndexOf('::');
  const channel = channelEnd === -1 ? undefined : spec.slice(0, channelEnd);
  const rest = channelEnd === -1 ? spec : spec.slice(channelEnd + 2);
  const nameMatch = CONDA_NAME_RE.exec(rest);
  if (!nameMatch) {
    report(`match spec ${quote(spec)} does not start with a package name: skipped`);
    return undefined;
  }
  const name = nameMatch[0];
  const constraint = rest.slice(name.length).trim();
  const { version, requirement } = condaVersion(constraint);
  const pypiName = CONDA_TO_PYPI.get(name.toLowerCase());
  const asPypi = pypiName !== undefined && (version === undefined || parseVersion(version) !== undefined);
  if (pypiName !== undefined && !asPypi) {
    report(
      `${name} ${version} is not a PEP 440 version: kept as a conda package, not matched as ${pypiName}`,
    );
  }
  const url = channelUrl(channel);
  const draft: DraftPackage = {
    ecosystem: asPypi ? 'PyPI' : 'conda',
    name,
    normalizedName: asPypi ? normalisePypiName(pypiName) : normaliseName('conda', name),
    source: { kind: 'registry', ...(url !== undefined ? { url } : {}) },
    hashes: [],
    extras: [],
    groups: asPypi ? ['conda'] : [],
    dependencies: new Set(),
    declaredAt: { file, ...(line !== undefined ? { line } : {}) },
  };
  if (version !== undefined) draft.version = version;
  else draft.requirement = requirement;
  return draft;
}

/** The exact version a conda version constraint names, or the constraint as written. */
function condaVersion(constraint: string): { version?: string; requirement: string } {
  if (constraint.length === 0) return { requirement: '*' };
  if (constraint.startsWith('[')) return { requirement: constraint };
  if (constraint.startsWith('==')) {
    const version = constraint.slice(2).trim();
    return EXACT_CONDA_VERSION_RE.test(version)
      ? { version, requirement: constraint }
      : { requirement: constraint };
  }
  if (constraint.startsWith('=')) {
    // `=1.2` is fuzzy (`1.2.*`); `=1.2=build` is exact.
    const parts = constraint.slice(1).split('=');
    if (parts.length === 2 && EXACT_CONDA_VERSION_RE.test(parts[0]!) && parts[1]!.length > 0) {
      return { version: parts[0]!, requirement: constraint };
    }
    return { requirement: constraint };
  }
  if (/^[<>!~]/.test(constraint)) return { requirement: constraint };
  // Space form: `1.2`, `1.2 build`; a bare version is an exact match in conda.
  const [version] = constraint.split(/\s+/);
  if (version !== undefined && EXACT_CONDA_VERSION_RE.test(version))
    return { version, requirement: constraint };
  return { requirement: constraint };
}

/** The URL of a `channel::` prefix under conda's default channel alias; none for `defaults` / `pkgs/*`. */
function channelUrl(channel: string | undefined): string | undefined {
  if (channel === undefined || channel.length === 0) return undefined;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(channel)) return redactUrl(channel);
  // `defaults` and `pkgs/main` live on repo.anaconda.com through `default_channels`, which a user configures.
  if (channel === 'defaults' || channel.startsWith('pkgs/')) return undefined;
  return `${CHANNEL_ALIAS}/${channel}`;
}
