/**
 * The inventory of a model project: what `pedigree bom` found, in one neutral shape that every output
 * (CycloneDX 1.6/1.7, SPDX 3.0.1) is written from. Collecting (collect.ts) decides *what is there*;
 * the writers (cyclonedx.ts, spdx.ts) only decide *how each standard says it*. Every value here comes from
 * a file in the project (a card, a config, a lockfile, a Dockerfile, the bytes of a weight file); nothing
 * is guessed, and each entry names the files it came from so a reviewer can check it.
 *
 * All lists are sorted and every `ref` is stable (derived from paths, names and package URLs, never from
 * counters or time), so the same project gives the same inventory and the same bytes.
 */

/** A digest of a file's content. Algorithms are spelled as CycloneDX spells them. */
export interface InventoryHash {
  readonly algorithm: 'SHA-256' | 'SHA-512' | 'SHA-384' | 'SHA-1' | 'MD5' | 'BLAKE2b-256' | 'BLAKE3';
  /** Lower-case hex. */
  readonly value: string;
}

/** What a file is to the project; decides which files are "of interest" and how they are labelled. */
export type FileRole =
  | 'weights'
  | 'model-config'
  | 'tokenizer'
  | 'card'
  | 'license'
  | 'lockfile'
  | 'manifest'
  | 'dockerfile'
  | 'data'
  | 'dvc'
  | 'code'
  | 'other';

export interface InventoryFile {
  /** Stable reference, `file:<path>`. */
  readonly ref: string;
  /** POSIX path relative to the inventoried root. */
  readonly path: string;
  readonly role: FileRole;
  readonly size: number;
  /** Present when hashing was on and the file could be read. */
  readonly hashes: readonly InventoryHash[];
  /** Serialisation format told apart by content (`safetensors`, `pytorch-zip`, `gguf`, ...), for weights. */
  readonly format?: string;
  /** MIME type where one is registered or customary (`application/json`, `text/markdown`). */
  readonly mediaType?: string;
}

/** A licence as a file or card states it. */
export interface InventoryLicense {
  /** A valid SPDX expression (`Apache-2.0`, `MIT OR Apache-2.0`). */
  readonly expression?: string;
  /** A licence that is not an SPDX id (`llama3.1`, `other`), by name. */
  readonly name?: string;
  /** Where it was stated: `README.md (front matter license)`, `poetry.lock`, `LICENSE`. */
  readonly source: string;
}

/** A person or organisation named as author, developer, owner or curator. */
export interface InventoryParty {
  readonly name: string;
  readonly kind: 'organization' | 'person' | 'unknown';
  readonly url?: string;
}

export interface ExternalLink {
  readonly type: 'website' | 'vcs' | 'distribution' | 'documentation' | 'model-card' | 'license' | 'other';
  readonly url: string;
  readonly comment?: string;
}

/** A metric of a model, from the card's `model-index` (or a results file the card names). */
export interface PerformanceMetric {
  /** Metric type as written (`accuracy`, `f1`, `exact_match`). */
  readonly type: string;
  /** The value as written (string, to keep `92.1` and `0.921` exactly). */
  readonly value: string;
  /** What it was measured on: task, dataset (config, split) and metric name where given. */
  readonly slice?: string;
  /** Hub id of the dataset it was measured on, when given. */
  readonly datasetId?: string;
  readonly verified?: boolean;
  /** `README.md /model-index/0/results/1/metrics/0`. */
  readonly source: string;
}

/** A text a card gives for one consideration, kept short and pointing at where it came from. */
export interface CardText {
  readonly text: string;
  /** `README.md:42` (the section's heading line). */
  readonly source: string;
}

export interface ModelConsiderations {
  readonly users: readonly CardText[];
  readonly useCases: readonly CardText[];
  readonly outOfScope: readonly CardText[];
  readonly technicalLimitations: readonly CardText[];
  readonly ethicalConsiderations: readonly CardText[];
  readonly fairness: readonly CardText[];
  readonly environmental: readonly CardText[];
}

/** A model whose card says nothing on any consideration (or that has no card). */
export const EMPTY_CONSIDERATIONS: ModelConsiderations = {
  users: [],
  useCases: [],
  outOfScope: [],
  technicalLimitations: [],
  ethicalConsiderations: [],
  fairness: [],
  environmental: [],
};

export interface ModelParameters {
  /** CycloneDX approach: only when the card says so (a pipeline tag or explicit training method). */
  readonly approach?:
    | 'supervised'
    | 'unsupervised'
    | 'reinforcement-learning'
    | 'semi-supervised'
    | 'self-supervised';
  /** Hub pipeline tag or task (`text-classification`). */
  readonly task?: string;
  /** `model_type` of config.json or the GGUF architecture (`llama`, `bert`). */
  readonly architectureFamily?: string;
  /** `architectures[0]` of config.json (`LlamaForCausalLM`). */
  readonly architecture?: string;
  /** Sum of tensor shapes read from the weight headers, when every header was read. */
  readonly parameterCount?: string;
  /** Modalities of the inputs and outputs the task implies (`text`, `image`, `audio`). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

export interface InventoryModel {
  /** `model:<folder or file path>`, stable. */
  readonly ref: string;
  readonly name: string;
  readonly version?: string;
  /** `pkg:huggingface/<org>/<name>@<revision>` when the origin is known (a Hub cache or download record). */
  readonly purl?: string;
  /** Hub repository id when known (`org/name`). */
  readonly hubId?: string;
  /** The folder (or single file) of the model, relative to the root. */
  readonly path: string;
  readonly description?: string;
  /** Serialisation formats of its weight files, sorted (`safetensors`, `pytorch-zip`). */
  readonly formats: readonly string[];
  /** Weight files (refs into `Inventory.files`). */
  readonly weightFiles: readonly string[];
  /** When there is exactly one weight file, its hashes (so the model component itself carries them). */
  readonly hashes: readonly InventoryHash[];
  readonly licenses: readonly InventoryLicense[];
  readonly authors: readonly InventoryParty[];
  readonly parameters: ModelParameters;
  readonly metrics: readonly PerformanceMetric[];
  readonly considerations: ModelConsiderations;
  /** Refs of datasets it was trained on / evaluated on (into `Inventory.datasets`). */
  readonly trainedOn: readonly string[];
  readonly testedOn: readonly string[];
  /** Refs of models it was derived from (fine-tuned, quantised, merged, adapter of). */
  readonly derivedFrom: readonly string[];
  /** The card file, when there is one (path). */
  readonly cardPath?: string;
  readonly links: readonly ExternalLink[];
  /** Files that said something about this model: card, config.json, shard index, weights. */
  readonly sources: readonly string[];
  /** `true` for a model only referenced (a base model named by a card), not present in the project. */
  readonly external: boolean;
}

export interface InventoryDataset {
  /** `dataset:<hub id or path>`, stable. */
  readonly ref: string;
  readonly name: string;
  /** Hub dataset id (`org/name`), when it is one. */
  readonly hubId?: string;
  /** Folder in the project, when the dataset is present. */
  readonly path?: string;
  readonly description?: string;
  readonly licenses: readonly InventoryLicense[];
  /** Where the data can be had (Hub URL, DVC remote path) or its card says it came from. */
  readonly contentsUrl?: string;
  /** Files of the dataset in the project (refs into `Inventory.files`), sorted. */
  readonly files: readonly string[];
  /** One digest over the dataset's files when its files were hashed (or DVC's recorded `.dir` MD5). */
  readonly hashes: readonly InventoryHash[];
  /** The card's answer on personal or sensitive information, when it gives one. */
  readonly sensitiveData: readonly CardText[];
  /** `public`, `confidential`, ... only when a card says so. */
  readonly classification?: string;
  readonly owners: readonly InventoryParty[];
  readonly custodians: readonly InventoryParty[];
  readonly cardPath?: string;
  readonly links: readonly ExternalLink[];
  readonly sources: readonly string[];
  /** `true` when only referenced (by a model card's `datasets:`), not present in the project. */
  readonly external: boolean;
}

export interface InventoryLibrary {
  /** The package URL with version when resolved (`pkg:pypi/torch@2.3.1`), else `lib:<ecosystem>/<name>`. */
  readonly ref: string;
  readonly ecosystem: 'PyPI' | 'npm' | 'conda';
  readonly name: string;
  readonly version?: string;
  /** Requirement as written when not locked (`>=2,<3`). */
  readonly requirement?: string;
  readonly purl?: string;
  readonly hashes: readonly InventoryHash[];
  readonly licenses: readonly InventoryLicense[];
  /** `true` direct, `false` transitive, `undefined` the file cannot tell. */
  readonly direct?: boolean;
  /** Only in dev/test groups: CycloneDX scope `optional`. */
  readonly optional: boolean;
  /** Refs of the libraries it depends on (as the lockfile records). */
  readonly dependsOn: readonly string[];
  /** Files that declare it (`poetry.lock:120`). */
  readonly declaredIn: readonly string[];
  /** Where it is fetched from when not the default registry (URL, VCS, path). */
  readonly sourceUrl?: string;
}

export interface InventoryContainer {
  /** `container:<image reference as written, resolved>`. */
  readonly ref: string;
  /** Repository with registry (`docker.io/library/python`). */
  readonly name: string;
  readonly tag?: string;
  /** `sha256:...` when pinned by digest. */
  readonly digest?: string;
  /** `pkg:oci/...` or `pkg:docker/...`. */
  readonly purl?: string;
  readonly platform?: string;
  /** `Dockerfile:3`. */
  readonly declaredIn: readonly string[];
}

export type RelationshipKind =
  /** Project or component needs the other to run. */
  | 'dependsOn'
  /** Model trained on dataset. */
  | 'trainedOn'
  /** Model evaluated on dataset. */
  | 'testedOn'
  /** Model derived from a base model (fine-tune, quantisation, adapter, merge). */
  | 'derivedFrom'
  /** Component made of the file. */
  | 'contains';

export interface InventoryRelationship {
  readonly from: string;
  readonly kind: RelationshipKind;
  /** Sorted, unique refs. */
  readonly to: readonly string[];
}

/** Something that could not be read: the inventory is incomplete there, and says so. */
export interface InventoryProblem {
  readonly path: string;
  readonly message: string;
}

export interface InventoryProject {
  /** `project:<name>`. */
  readonly ref: string;
  readonly name: string;
  readonly version?: string;
  readonly description?: string;
  /** What the project's own card (README.md at its root) declares. */
  readonly licenses?: readonly InventoryLicense[];
}

/** A finding to carry into the BOM (`--with-findings`): a vulnerability or a scan/card finding. */
export interface InventoryIssue {
  /** Advisory id (`GHSA-...`, `PYSEC-...`) or pedigree rule id. */
  readonly id: string;
  /** `OSV` for advisories, `pedigree` for scan findings. */
  readonly source: 'OSV' | 'pedigree';
  readonly severity: 'critical' | 'high' | 'medium' | 'low' | 'info';
  readonly title: string;
  readonly detail: string;
  readonly recommendation?: string;
  readonly aliases: readonly string[];
  readonly cwes: readonly number[];
  /** CVSS vectors as OSV gives them. */
  readonly cvss: readonly { readonly vector: string; readonly score?: number; readonly version: string }[];
  readonly references: readonly string[];
  /** Refs of affected components. */
  readonly affects: readonly string[];
  /** Where in the file (scan findings): `model.pkl` or `poetry.lock:12`. */
  readonly location?: string;
  readonly published?: string;
  readonly modified?: string;
}

export interface Inventory {
  /** Root as shown (the path given). */
  readonly root: string;
  readonly project: InventoryProject;
  readonly models: readonly InventoryModel[];
  readonly datasets: readonly InventoryDataset[];
  readonly libraries: readonly InventoryLibrary[];
  readonly containers: readonly InventoryContainer[];
  readonly files: readonly InventoryFile[];
  readonly relationships: readonly InventoryRelationship[];
  readonly issues: readonly InventoryIssue[];
  readonly problems: readonly InventoryProblem[];
  /** The tool that made it (written into the BOM's metadata). */
  readonly tool: { readonly name: string; readonly version: string };
}
