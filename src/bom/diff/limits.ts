/**
 * Limits on reading a BOM for `pedigree bom diff`. A BOM handed to the diff is untrusted input (a pull
 * request can carry any file), so each limit stops one way of making the reader or the report unbounded;
 * every one can be overridden through the `limits` option of `parseBom`/`readBom`.
 */
export interface BomLimits {
  /** Largest file read. */
  readonly maxBytes: number;
  /** Components (nested ones and SPDX files included) read from one BOM. */
  readonly maxComponents: number;
  /** How deep CycloneDX `components` may nest. */
  readonly maxDepth: number;
  /** Elements of an SPDX 3 `@graph` or entries of an SPDX 2 `relationships` list. */
  readonly maxElements: number;
  /** Hashes listed for one component. */
  readonly maxHashes: number;
  /** Licences listed for one component. */
  readonly maxLicenses: number;
}

/**
 * Largest BOM file read: 256 MiB. Stops a multi-gigabyte file from exhausting memory before a single byte is
 * parsed; a CycloneDX SBOM of a large container image (50,000 components with hashes and licences) is
 * about 60 MB.
 */
export const MAX_BOM_BYTES = 256 * 1024 * 1024;

/**
 * Components read from one BOM: 250,000. Stops a document of millions of tiny components from making the
 * matching and the report unbounded; real SBOMs of whole operating-system images stay well under it.
 */
export const MAX_BOM_COMPONENTS = 250_000;

/**
 * How deep CycloneDX components nest (`components[].components[]...`): 32. Stops nesting bombs; assemblies
 * in real BOMs nest a handful of levels. The walk is iterative, so this bounds the work, not the stack.
 */
export const MAX_COMPONENT_DEPTH = 32;

/** SPDX 3 `@graph` elements or SPDX 2 relationships: 2,000,000 (relationships outnumber packages). */
export const MAX_SPDX_ELEMENTS = 2_000_000;

/** Hashes of one component: 64 (CycloneDX defines 16 algorithms, SPDX 3 about 20). */
export const MAX_HASHES_PER_COMPONENT = 64;

/** Licences of one component: 1,000. Stops one component from carrying an unbounded licence list. */
export const MAX_LICENSES_PER_COMPONENT = 1_000;

/**
 * Longest licence expression parsed into its canonical form: 1,000 characters. `spdx-expression-parse` is
 * recursive, so a deeply parenthesised expression could exhaust the stack; longer ones are compared as
 * written.
 */
export const MAX_LICENSE_EXPRESSION_CHARS = 1_000;

export const DEFAULT_BOM_LIMITS: BomLimits = {
  maxBytes: MAX_BOM_BYTES,
  maxComponents: MAX_BOM_COMPONENTS,
  maxDepth: MAX_COMPONENT_DEPTH,
  maxElements: MAX_SPDX_ELEMENTS,
  maxHashes: MAX_HASHES_PER_COMPONENT,
  maxLicenses: MAX_LICENSES_PER_COMPONENT,
};
