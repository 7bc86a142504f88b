/**
 * The comparable form of a BOM: what `pedigree bom diff` reads out of a CycloneDX or SPDX document, in one
 * neutral shape, whatever the format. Only what the diff compares is kept (identity, version, package URL,
 * hashes, licences, and for ML models their files and whether they carry a model card); everything else
 * in the document is ignored.
 */

/** The standards a BOM can be written in. */
export type BomFormatName = 'CycloneDX' | 'SPDX';

/**
 * What a component is, for matching across formats: CycloneDX `machine-learning-model` and SPDX
 * `ai_AIPackage` are both `model`; `data` and `dataset_DatasetPackage` are `dataset`; `file` and
 * `software_File` are `file`; every other package or component is `package`.
 */
export type ComponentKind = 'model' | 'dataset' | 'file' | 'package';

/** A digest. The algorithm is spelled as CycloneDX spells it (`SHA-256`, `BLAKE2b-256`), or upper case. */
export interface BomHash {
  readonly algorithm: string;
  /** Lower case when hexadecimal; otherwise as written. */
  readonly value: string;
}

/** A file of an ML model (a weight shard, a config, a tokenizer), as the BOM lists it under the model. */
export interface BomModelFile {
  /** The file component's name (its path, as the BOM writes it). */
  readonly name: string;
  readonly ref: string;
  /** Sorted by algorithm, one value per algorithm. */
  readonly hashes: readonly BomHash[];
  /**
   * Whether the file holds weights: said by the BOM (a `pedigree:file:role` property of `weights`, SPDX
   * primary purpose `model`) or, when the BOM says nothing, told by its extension (`.safetensors`, `.gguf`).
   */
  readonly weights: boolean;
}

export interface BomComponent {
  /** `bom-ref`, SPDX id or `SPDXID`; the JSON path when the document gives none. */
  readonly ref: string;
  /** Where in the document (`components[2].components[0]`, `@graph[14]`), for messages and reports. */
  readonly location: string;
  readonly kind: ComponentKind;
  /** In CycloneDX's vocabulary (`library`, `machine-learning-model`); absent when the document does not say. */
  readonly type?: string;
  readonly group?: string;
  readonly name: string;
  readonly version?: string;
  /** The package URL as written. */
  readonly purl?: string;
  /** Sorted by algorithm, one value per algorithm. */
  readonly hashes: readonly BomHash[];
  /** Licence expressions and names, canonical (`Apache-2.0 OR MIT`), sorted and unique. */
  readonly licenses: readonly string[];
  /** For CycloneDX ML models: whether the component carries a `modelCard`. Absent when the format has none. */
  readonly modelCard?: boolean;
  /** For ML models: the files listed under the model (nested components, `contains` relationships), sorted. */
  readonly files: readonly BomModelFile[];
}

/** A BOM read for comparison. Components are in document order (nested components after their parent). */
export interface BomDocument {
  readonly format: BomFormatName;
  /** `1.6` for CycloneDX, `3.0.1` or `2.3` for SPDX. */
  readonly specVersion: string;
  readonly components: readonly BomComponent[];
}
