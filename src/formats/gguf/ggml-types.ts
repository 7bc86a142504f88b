/**
 * ggml tensor types as GGUF stores them (`ggml_type`, ggml/include/ggml.h), with the block geometry that
 * gives a tensor's size in bytes: `ggml_nbytes` is (elements / blockSize) × typeSize for a contiguous
 * tensor. Sizes are those of the `block_*` structs in ggml/src/ggml-common.h (each checked there by a
 * static_assert) and the `type_traits` table of ggml/src/ggml.c; gguf-py's GGML_QUANT_SIZES lists the same
 * pairs. A type missing here has no size pedigree can vouch for, so the layout around it is not checked.
 */

export interface GgmlTypeInfo {
  readonly name: string;
  /** Elements per block (1 for plain types). */
  readonly blockSize: number;
  /** Bytes per block. */
  readonly typeSize: number;
  /**
   * Types ggml once wrote to GGUF files and no longer loads from them (ggml.h: "support has been removed
   * from gguf files"; the repacked layouts are now made at load time). Their geometry is that of the type
   * they repacked, so the layout can still be checked, but llama.cpp refuses the file.
   */
  readonly removed?: boolean;
}

const QK_K = 256;

const TYPES: readonly (readonly [number, string, number, number, boolean?])[] = [
  [0, 'F32', 1, 4],
  [1, 'F16', 1, 2],
  [2, 'Q4_0', 32, 2 + 16], // ggml_half d; uint8 qs[16]
  [3, 'Q4_1', 32, 2 + 2 + 16], // d, m; qs[16]
  // 4 (Q4_2) and 5 (Q4_3) were removed before GGUF existed: ggml gives them no size.
  [6, 'Q5_0', 32, 2 + 4 + 16], // d; qh[4]; qs[16]
  [7, 'Q5_1', 32, 2 + 2 + 4 + 16], // d, m; qh[4]; qs[16]
  [8, 'Q8_0', 32, 2 + 32], // d; qs[32]
  [9, 'Q8_1', 32, 2 + 2 + 32], // d, s (halves since 2024; gguf-py still says 4 + 4); qs[32]
  [10, 'Q2_K', QK_K, 2 + 2 + QK_K / 16 + QK_K / 4],
  [11, 'Q3_K', QK_K, 2 + QK_K / 4 + QK_K / 8 + 12],
  [12, 'Q4_K', QK_K, 2 + 2 + 12 + QK_K / 2],
  [13, 'Q5_K', QK_K, 2 + 2 + 12 + QK_K / 2 + QK_K / 8],
  [14, 'Q6_K', QK_K, 2 + QK_K / 2 + QK_K / 4 + QK_K / 16],
  [15, 'Q8_K', QK_K, 4 + QK_K + (QK_K / 16) * 2], // float d; qs[256]; int16 bsums[16]
  [16, 'IQ2_XXS', QK_K, 2 + (QK_K / 8) * 2],
  [17, 'IQ2_XS', QK_K, 2 + (QK_K / 8) * 2 + QK_K / 32],
  [18, 'IQ3_XXS', QK_K, 2 + 3 * (QK_K / 8)],
  [19, 'IQ1_S', QK_K, 2 + QK_K / 8 + QK_K / 16],
  [20, 'IQ4_NL', 32, 2 + 16],
  [21, 'IQ3_S', QK_K, 2 + 13 * (QK_K / 32) + QK_K / 64],
  [22, 'IQ2_S', QK_K, 2 + QK_K / 4 + QK_K / 16],
  [23, 'IQ4_XS', QK_K, 2 + 2 + QK_K / 64 + QK_K / 2],
  [24, 'I8', 1, 1],
  [25, 'I16', 1, 2],
  [26, 'I32', 1, 4],
  [27, 'I64', 1, 8],
  [28, 'F64', 1, 8],
  [29, 'IQ1_M', QK_K, QK_K / 8 + QK_K / 16 + QK_K / 32],
  [30, 'BF16', 1, 2],
  // Interleaved Q4_0 / IQ4_NL layouts (block_q4_0 / block_iq4_nl geometry), removed from GGUF files.
  [31, 'Q4_0_4_4', 32, 18, true],
  [32, 'Q4_0_4_8', 32, 18, true],
  [33, 'Q4_0_8_8', 32, 18, true],
  [34, 'TQ1_0', QK_K, (QK_K - (4 * QK_K) / 64) / 5 + QK_K / 64 + 2],
  [35, 'TQ2_0', QK_K, QK_K / 4 + 2],
  [36, 'IQ4_NL_4_4', 32, 18, true],
  [37, 'IQ4_NL_4_8', 32, 18, true],
  [38, 'IQ4_NL_8_8', 32, 18, true],
  [39, 'MXFP4', 32, 1 + 16], // uint8 e (E8M0); qs[16]
  [40, 'NVFP4', 64, 64 / 16 + 64 / 2], // uint8 d[4] (UE4M3); qs[32]
  [41, 'Q1_0', 128, 2 + 128 / 8], // d; qs[16]
];

export const GGML_TYPES: ReadonlyMap<number, GgmlTypeInfo> = new Map(
  TYPES.map(([id, name, blockSize, typeSize, removed]) => [
    id,
    removed ? { name, blockSize, typeSize, removed } : { name, blockSize, typeSize },
  ]),
);

/** The type's name as ggml spells it, or `type <id>` for ids pedigree does not know. */
export function ggmlTypeName(id: number): string {
  return GGML_TYPES.get(id)?.name ?? `type ${id}`;
}
