/** `pedigree bom diff`: read two BOMs, compare them, render the comparison. */
export type {
  AlgorithmDelta,
  HashComparison,
  NotComparableReason,
} from './compare-hashes.js';
export { compareHashes } from './compare-hashes.js';
export type {
  BomDiff,
  BomDiffSummary,
  BomSideSummary,
  ChangedField,
  ComponentChange,
  ComponentEntry,
  HashNotComparable,
  LicenseChange,
  MatchedBy,
  ModelWeightsDelta,
  ValueChange,
  WeightFileDelta,
  WeightFileStatus,
} from './diff.js';
export { CHANGED_FIELDS, diffBoms } from './diff.js';
export { identityOf } from './identity.js';
export type { BomLimits } from './limits.js';
export {
  DEFAULT_BOM_LIMITS,
  MAX_BOM_BYTES,
  MAX_BOM_COMPONENTS,
  MAX_COMPONENT_DEPTH,
} from './limits.js';
export type {
  BomComponent,
  BomDocument,
  BomFormatName,
  BomHash,
  BomModelFile,
  ComponentKind,
} from './model.js';
export { parseBom, type ReadBomOptions, readBom } from './read.js';
export {
  BOM_DIFF_FORMATS,
  BOM_DIFF_SCHEMA_VERSION,
  type BomDiffFormat,
  type BomDiffRenderOptions,
  renderBomDiff,
  toBomDiffJson,
} from './render.js';
