/**
 * DVC interop: readers for `.dvc`, `dvc.yaml`, `dvc.lock` and `.dvc/config`, DVC's hashing rules for
 * files and directories, and verification of a project's data against what DVC recorded.
 */

export { cacheObjectPath, DVC_DIR, resolveCacheDir } from './cache.js';
export { type DvcConfig, parseDvcConfig } from './config.js';
export { type DvcFile, type ParseDvcFileOptions, parseDvcFile } from './dvc-file.js';
export {
  type DvcLock,
  type DvcLockParams,
  type DvcLockStage,
  type ParseDvcLockOptions,
  parseDvcLock,
} from './dvc-lock.js';
export {
  DEFAULT_PARAMS_FILE,
  type DvcParamsRef,
  type DvcPipeline,
  type DvcPipelineOut,
  type DvcPipelineStage,
  type ParseDvcYamlOptions,
  parseDvcYaml,
} from './dvc-yaml.js';
export {
  DVC_HASH_CHUNK_BYTES,
  DVC_TEXT_BLOCK_BYTES,
  type DvcDigest,
  type DvcFileHashName,
  DvcHasher,
  dos2unix,
  dvcHashBytes,
  dvcHashFile,
  isTextBlock,
} from './hash.js';
export { compileGitWildMatch, DEFAULT_IGNORE_PATTERNS, DvcIgnore } from './ignore.js';
export { DEFAULT_DVC_LIMITS, type DvcLimits, resolveDvcLimits } from './limits.js';
export type {
  DvcDataEntry,
  DvcDirEntry,
  DvcExternalKind,
  DvcHashName,
  DvcProblem,
  DvcProblemCode,
} from './model.js';
export { formatDvcProblem } from './model.js';
export {
  compareCodePoints,
  digestDvcTree,
  parseDvcTree,
  pythonJsonString,
  serializeDvcTree,
} from './tree.js';
export {
  type DvcDirectoryDrift,
  type DvcFileRead,
  type DvcOutResult,
  type DvcOutStatus,
  type DvcPathList,
  type DvcVerifyReport,
  type DvcVerifySource,
  type VerifyDvcOptions,
  verifyDvcProject,
} from './verify.js';
