/**
 * pedigree's public API: what the CLI uses, for programs that embed the scanner. Named exports only;
 * everything not exported here is internal and may change.
 */

export { type CollectOptions, collectInventory } from './bom/collect.js';
export {
  buildCycloneDx,
  type CycloneDxOptions,
  type CycloneDxVersion,
  serializeCycloneDx,
} from './bom/cyclonedx.js';
export {
  type BomDiff,
  type BomDocument,
  diffBoms,
  parseBom,
  readBom,
  renderBomDiff,
  toBomDiffJson,
} from './bom/diff/index.js';
export type { Inventory } from './bom/inventory.js';
export { buildSpdxDocument, serializeSpdx } from './bom/spdx.js';
export { auditCard, type CardAudit, type CardAuditOptions } from './cards/audit/audit.js';
export type { CardAuditSettings, CardKind, CardRepo } from './cards/audit/types.js';
export type { CardDocument } from './cards/card-document.js';
export { initCard } from './cards/init/index.js';
export { checkModelIndex, type ModelIndexCheck } from './cards/model-index.js';
export { readCard } from './cards/read.js';
export { CARD_RULES } from './cards/rules/index.js';
export { auditCardPaths, type CardsReport, type CardsSection } from './cards/run.js';
export { runCli } from './cli/main.js';
export { ParseError, UsageError } from './core/errors.js';
export type {
  Artifact,
  ArtifactKind,
  Finding,
  Location,
  ScanReport,
  ScanSummary,
  Severity,
} from './core/finding.js';
export { REPORT_SCHEMA_VERSION, SEVERITIES, severityRank } from './core/finding.js';
export type { RuleDescriptor } from './core/rules.js';
export { type PickleRun, simulatePickle } from './formats/pickle/simulate.js';
export { type PedigreeConfig, readConfig } from './policy/config.js';
export { parseConfig } from './policy/config-schema.js';
export { type DvcVerifyReport, verifyDvcProject } from './provenance/dvc/index.js';
export {
  buildLineage,
  type LineageGraph,
  lineageToDot,
  lineageToJson,
  lineageToMermaid,
  readLineageSources,
  traceLineage,
} from './provenance/lineage.js';
export { type ProvenanceStatement, parseProvenance } from './provenance/provenance.js';
export { checkParity, reproduceRun } from './provenance/repro.js';
export { type RunOptions, type RunRecord, recordRun } from './provenance/run.js';
export {
  createSnapshot,
  type DatasetSnapshot,
  datasetDigest,
  readSnapshot,
  serializeSnapshot,
  verifySnapshot,
} from './provenance/snapshot.js';
export { exitCodeFor, type ReportFormat, renderReport } from './report/index.js';
export { toJsonReport } from './report/json.js';
export { toSarif } from './report/sarif.js';
export { ALL_RULES, ruleById } from './scan/all-rules.js';
export { createImportPolicy, type ImportPolicy, type ImportVerdict } from './scan/pickle/policy.js';
export { type ScanOptions, scanPaths } from './scan/scan-paths.js';
export {
  type AttestationVerification,
  createAttestation,
  expandSubjects,
  verifyAttestation,
} from './trust/attest.js';
export type { BundleSigner } from './trust/bundle-write.js';
export type { SignatureCheck, VerifyTrust } from './trust/check-signature.js';
export {
  generateKeyPair,
  publicKeyHint,
  readCertificates,
  readPrivateKey,
  readPublicKey,
} from './trust/keys.js';
export { type OmsSignature, parseOmsBundle } from './trust/oms/bundle.js';
export { type SignedModel, type SignModelOptions, signModel } from './trust/oms/sign.js';
export { type ModelVerification, type VerifyModelOptions, verifyModel } from './trust/oms/verify.js';
export { type KeylessPolicy, loadTrustedRoot, type TrustedRoot } from './trust/sigstore.js';
