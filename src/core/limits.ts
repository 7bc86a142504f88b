/**
 * Limits shared across analysers. Each stops a specific attack on the scanner itself; every one can be
 * overridden through the options object of the function that uses it.
 */

/** Nested containers (zip in tar in gzip ...) deeper than this are reported, not opened: stops recursion bombs. */
export const MAX_NESTING_DEPTH = 4;

/** Largest member we decompress into memory to analyse; bigger ones are reported as not analysed. */
export const MAX_MEMBER_BYTES = 512 * 1024 * 1024;

/** Total bytes we decompress from one top-level file across all members: stops decompression bombs. */
export const MAX_TOTAL_DECOMPRESSED_BYTES = 2 * 1024 * 1024 * 1024;

/** A member whose uncompressed/compressed ratio exceeds this is flagged as a likely decompression bomb. */
export const MAX_COMPRESSION_RATIO = 200;

/** Members counted in one archive: stops archives with millions of empty entries. */
export const MAX_ARCHIVE_MEMBERS = 100_000;

/** Bytes read from the start of a file or member to classify it by content. */
export const SNIFF_BYTES = 4096;
