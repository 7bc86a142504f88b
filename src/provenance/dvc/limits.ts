/**
 * Bounds on everything a DVC project can make us read, walk or hold. Each stops a hostile project (a
 * repository someone else wrote) from exhausting memory or time; every one can be overridden through the
 * `limits` option of the function that uses it.
 */

/** Largest `.dvc` file read. Real ones are a few hundred bytes; `files:` lists of cloud-versioned outs grow. */
export const MAX_DVC_FILE_BYTES = 1024 * 1024;

/** Largest `dvc.yaml` read: pipelines of hundreds of stages stay far below. */
export const MAX_DVC_YAML_BYTES = 4 * 1024 * 1024;

/** Largest `dvc.lock` read: it repeats every dependency's hash per stage, so it outgrows `dvc.yaml`. */
export const MAX_DVC_LOCK_BYTES = 16 * 1024 * 1024;

/** YAML aliases expanded per document: stops "billion laughs" alias bombs. */
export const MAX_YAML_ALIASES = 100;

/** Entries taken from one `outs`, `deps`, `metrics` or `plots` list; the rest are reported, not read. */
export const MAX_DVC_ENTRIES = 10_000;

/** Stages taken from one `dvc.yaml` or `dvc.lock`. */
export const MAX_DVC_STAGES = 10_000;

/**
 * Files in one directory out: a walk, a `.dir` manifest or a `files:` list with more is refused (a
 * directory of millions of empty files would otherwise hold millions of entries in memory).
 */
export const MAX_DIR_FILES = 1_000_000;

/** Largest `.dir` manifest read from the cache: about 100 bytes an entry at {@link MAX_DIR_FILES}. */
export const MAX_DIR_MANIFEST_BYTES = 128 * 1024 * 1024;

/** Directory nesting followed inside an out or the project: stops walks down pathological trees. */
export const MAX_WALK_DEPTH = 256;

/** Entries visited while looking for `.dvc`, `dvc.yaml` and `dvc.lock` files in a project. */
export const MAX_PROJECT_ENTRIES = 1_000_000;

/** DVC files (`.dvc` and `dvc.lock`) read from one project. */
export const MAX_PROJECT_DVC_FILES = 10_000;

/** Largest `.dvc/config` or `.dvc/config.local` read: real ones are a few lines. */
export const MAX_DVC_CONFIG_BYTES = 256 * 1024;

/** Largest `.dvcignore` read, and most patterns taken from all of them together. */
export const MAX_DVCIGNORE_BYTES = 1024 * 1024;
export const MAX_DVCIGNORE_PATTERNS = 10_000;

/** Paths listed per kind of drift (added, removed, changed, unreadable) in one out's result; counts stay exact. */
export const MAX_DRIFT_PATHS = 1_000;

/** Files hashed at the same time. */
export const HASH_CONCURRENCY = 8;

export interface DvcLimits {
  readonly maxDvcFileBytes: number;
  readonly maxDvcYamlBytes: number;
  readonly maxDvcLockBytes: number;
  readonly maxYamlAliases: number;
  readonly maxEntries: number;
  readonly maxStages: number;
  readonly maxDirFiles: number;
  readonly maxDirManifestBytes: number;
  readonly maxWalkDepth: number;
  readonly maxProjectEntries: number;
  readonly maxProjectDvcFiles: number;
  readonly maxConfigBytes: number;
  readonly maxDvcignoreBytes: number;
  readonly maxDvcignorePatterns: number;
  readonly maxDriftPaths: number;
  readonly hashConcurrency: number;
}

export const DEFAULT_DVC_LIMITS: DvcLimits = {
  maxDvcFileBytes: MAX_DVC_FILE_BYTES,
  maxDvcYamlBytes: MAX_DVC_YAML_BYTES,
  maxDvcLockBytes: MAX_DVC_LOCK_BYTES,
  maxYamlAliases: MAX_YAML_ALIASES,
  maxEntries: MAX_DVC_ENTRIES,
  maxStages: MAX_DVC_STAGES,
  maxDirFiles: MAX_DIR_FILES,
  maxDirManifestBytes: MAX_DIR_MANIFEST_BYTES,
  maxWalkDepth: MAX_WALK_DEPTH,
  maxProjectEntries: MAX_PROJECT_ENTRIES,
  maxProjectDvcFiles: MAX_PROJECT_DVC_FILES,
  maxConfigBytes: MAX_DVC_CONFIG_BYTES,
  maxDvcignoreBytes: MAX_DVCIGNORE_BYTES,
  maxDvcignorePatterns: MAX_DVCIGNORE_PATTERNS,
  maxDriftPaths: MAX_DRIFT_PATHS,
  hashConcurrency: HASH_CONCURRENCY,
};

/** The defaults with the caller's overrides. */
export function resolveDvcLimits(overrides?: Partial<DvcLimits>): DvcLimits {
  return { ...DEFAULT_DVC_LIMITS, ...overrides };
}
