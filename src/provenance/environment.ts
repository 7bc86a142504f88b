import { spawnSync } from 'node:child_process';
import { arch, cpus, type as osType, platform, release, totalmem } from 'node:os';
import { compareStrings } from '../core/finding.js';

/**
 * The environment a run had: operating system, CPU, memory, GPUs when `nvidia-smi` shows them, the Python
 * interpreter and its installed distributions, and an allow-list of environment variables. Secrets are
 * never recorded: a variable whose name looks like a credential is dropped even when allow-listed, and only
 * its name is kept, so a reviewer sees that it was set.
 */

/** Longest an interpreter or `nvidia-smi` query may take. */
export const PROBE_TIMEOUT_MS = 20_000;
/** Largest probe output read. */
export const MAX_PROBE_OUTPUT_BYTES = 16 * 1024 * 1024;
/** Most installed distributions recorded. */
export const MAX_INSTALLED_PACKAGES = 20_000;
/** Longest environment variable value recorded. */
export const MAX_ENV_VALUE_CHARS = 1024;

/**
 * Variables that change what training computes or how reproducible it is (PyTorch, CUDA, BLAS, Python
 * hashing, TensorFlow and JAX determinism, Hugging Face offline modes). `--env NAME` adds more.
 */
export const DEFAULT_ENV_ALLOWLIST = [
  'CUBLAS_WORKSPACE_CONFIG',
  'CUDA_DEVICE_ORDER',
  'CUDA_LAUNCH_BLOCKING',
  'CUDA_VISIBLE_DEVICES',
  'HF_DATASETS_OFFLINE',
  'HF_HUB_OFFLINE',
  'JAX_ENABLE_X64',
  'MKL_NUM_THREADS',
  'NCCL_ALGO',
  'NVIDIA_TF32_OVERRIDE',
  'OMP_NUM_THREADS',
  'OPENBLAS_NUM_THREADS',
  'PEDIGREE_SEED',
  'PYTHONHASHSEED',
  'PYTORCH_CUDA_ALLOC_CONF',
  'TF_CUDNN_DETERMINISTIC',
  'TF_DETERMINISTIC_OPS',
  'TOKENIZERS_PARALLELISM',
  'TRANSFORMERS_OFFLINE',
  'XLA_FLAGS',
] as const;

/** Names that hold credentials, whatever the allow-list says. */
const SECRET_NAME =
  /(?:^|_)(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASS|PASSPHRASE|CREDENTIALS?|AUTH|PRIVATE|SESSION|COOKIE|PAT|JWT|DSN|BEARER)(?:_|$)|API_?KEY|ACCESS_?KEY|_PWD$/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * Values that hold credentials whatever their variable is called: a URL with a password
 * (`postgres://user:pw@host`), a `token=`/`password=`-style assignment inside flags, and the prefixes of
 * well-known tokens (GitHub, GitLab, Hugging Face, OpenAI/Anthropic, Slack, AWS access key ids, JWTs).
 * `--record-env DATABASE_URL` or an allow-listed flag variable carrying a token must not put it in a record
 * that is shared, signed and published.
 */
const SECRET_VALUE = new RegExp(
  [
    '[a-z][a-z0-9+.-]*://[^/\\s:@]*:[^/\\s@]+@',
    '(?:^|[^a-z0-9])(?:token|secret|password|passwd|pwd|api[_-]?key|access[_-]?key|auth|credentials?)\\s*[=:]',
    '\\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}',
    '\\bgithub_pat_[A-Za-z0-9_]{20,}',
    '\\bglpat-[A-Za-z0-9_-]{20,}',
    '\\bhf_[A-Za-z0-9]{20,}',
    '\\bsk-[A-Za-z0-9_-]{20,}',
    '\\bxox[abposr]-[A-Za-z0-9-]{10,}',
    '\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b',
    '\\beyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.',
    '-----BEGIN [A-Z ]*PRIVATE KEY-----',
  ].join('|'),
  'i',
);

export function isSecretValue(value: string): boolean {
  // Only the part that could be recorded is looked at (values are cut at MAX_ENV_VALUE_CHARS): the check
  // stays bounded whatever the size of the variable.
  return SECRET_VALUE.test(value.slice(0, MAX_ENV_VALUE_CHARS + 256));
}

export interface PythonEnvironment {
  readonly executable: string;
  readonly version: string;
  readonly implementation?: string;
  /** Installed distributions, `name` as its metadata spells it, sorted by normalised name. */
  readonly packages: readonly { readonly name: string; readonly version: string }[];
}

export interface RunEnvironment {
  readonly os: {
    readonly platform: string;
    readonly release: string;
    readonly arch: string;
    readonly type: string;
  };
  readonly cpu: { readonly model: string; readonly count: number };
  readonly memoryBytes: number;
  readonly gpus: readonly { readonly name: string; readonly driver?: string; readonly memory?: string }[];
  readonly node: string;
  readonly python?: PythonEnvironment;
  /** Allow-listed variables that were set, with their values. */
  readonly variables: Readonly<Record<string, string>>;
  /** Allow-listed names left out because they, or their values, look like credentials. */
  readonly redacted: readonly string[];
  readonly problems: readonly string[];
}

/** The allow-listed variables of `env`, secrets dropped (their names kept in `redacted`). */
export function recordVariables(
  env: Readonly<Record<string, string | undefined>>,
  extra: readonly string[] = [],
): { variables: Record<string, string>; redacted: string[] } {
  const variables: Record<string, string> = {};
  const redacted: string[] = [];
  for (const name of [...new Set([...DEFAULT_ENV_ALLOWLIST, ...extra])].sort(compareStrings)) {
    const value = env[name];
    if (value === undefined) continue;
    if (isSecretName(name) || isSecretValue(value)) {
      redacted.push(name);
      continue;
    }
    variables[name] = value.length > MAX_ENV_VALUE_CHARS ? `${value.slice(0, MAX_ENV_VALUE_CHARS)}…` : value;
  }
  return { variables, redacted };
}

function probe(
  command: string,
  args: readonly string[],
  timeout = PROBE_TIMEOUT_MS,
): { ok: boolean; stdout: string; error?: string } {
  const result = spawnSync(command, [...args], {
    timeout,
    // SIGTERM can be ignored (`trap '' TERM`), and spawnSync then waits for ever: the timeout must kill.
    killSignal: 'SIGKILL',
    maxBuffer: MAX_PROBE_OUTPUT_BYTES,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (result.error) return { ok: false, stdout: '', error: result.error.message };
  if (result.status !== 0)
    return { ok: false, stdout: result.stdout ?? '', error: (result.stderr ?? '').trim().slice(0, 500) };
  return { ok: true, stdout: result.stdout };
}

/**
 * A fixed script given to the user's own interpreter (the one the run uses): it prints the interpreter's
 * version and the installed distributions (importlib.metadata). No model or data is loaded.
 */
const PYTHON_PROBE = [
  'import json, sys, platform',
  'import importlib.metadata as m',
  'seen = {}',
  'for d in m.distributions():',
  '    name = d.metadata.get("Name") or ""',
  '    if name and name.lower() not in seen: seen[name.lower()] = (name, d.version)',
  'print(json.dumps({"executable": sys.executable, "version": platform.python_version(),',
  '  "implementation": platform.python_implementation(), "packages": sorted(seen.values(), key=lambda p: p[0].lower())}))',
].join('\n');

export function probePython(
  python: string,
  timeoutMs = PROBE_TIMEOUT_MS,
): { python?: PythonEnvironment; problem?: string } {
  const result = probe(python, ['-I', '-c', PYTHON_PROBE], timeoutMs);
  if (!result.ok) return { problem: `${python}: ${result.error ?? 'failed'}` };
  try {
    const data = JSON.parse(result.stdout) as {
      executable?: unknown;
      version?: unknown;
      implementation?: unknown;
      packages?: unknown;
    };
    const packages = Array.isArray(data.packages)
      ? data.packages
          .filter(
            (p): p is [string, string] =>
              Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string',
          )
          .slice(0, MAX_INSTALLED_PACKAGES)
          .map(([name, version]) => ({ name, version }))
      : [];
    return {
      python: {
        executable: typeof data.executable === 'string' ? data.executable : python,
        version: typeof data.version === 'string' ? data.version : 'unknown',
        ...(typeof data.implementation === 'string' ? { implementation: data.implementation } : {}),
        packages,
      },
    };
  } catch (error) {
    return { problem: `${python}: unreadable answer (${(error as Error).message})` };
  }
}

/** GPUs as `nvidia-smi` lists them; none when it is missing (no GPU, or not NVIDIA). */
export function probeGpus(): RunEnvironment['gpus'] {
  const result = probe('nvidia-smi', [
    '--query-gpu=name,driver_version,memory.total',
    '--format=csv,noheader',
  ]);
  if (!result.ok) return [];
  return result.stdout
    .split('\n')
    .map((line) => line.split(',').map((p) => p.trim()))
    .filter((parts) => parts[0])
    .map(([name, driver, memory]) => ({
      name: name as string,
      ...(driver ? { driver } : {}),
      ...(memory ? { memory } : {}),
    }));
}

export interface EnvironmentOptions {
  /** The interpreter to ask; `false` to ask none. Default `python3`, when it exists. */
  readonly python?: string | false;
  readonly extraVariables?: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export function readEnvironment(options: EnvironmentOptions = {}): RunEnvironment {
  const problems: string[] = [];
  const cpuList = cpus();
  let python: PythonEnvironment | undefined;
  if (options.python !== false) {
    const found = probePython(options.python ?? 'python3');
    python = found.python;
    // A missing default python3 is not a problem (a Node training script); a named one that fails is.
    if (found.problem && options.python !== undefined) problems.push(found.problem);
  }
  const { variables, redacted } = recordVariables(options.env ?? process.env, options.extraVariables);
  return {
    os: { platform: platform(), release: release(), arch: arch(), type: osType() },
    cpu: { model: cpuList[0]?.model.trim() ?? 'unknown', count: cpuList.length },
    memoryBytes: totalmem(),
    gpus: probeGpus(),
    node: process.version,
    ...(python ? { python } : {}),
    variables,
    redacted,
    problems,
  };
}
