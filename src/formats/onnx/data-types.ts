/**
 * ONNX tensor element types (onnx.proto `TensorProto.DataType`) with what a tensor's size depends on:
 * the bits of one element in `raw_data` (always fixed-width little-endian, 4-bit types packed two to a
 * byte, 2-bit types four to a byte) and the typed field that may hold the elements instead, with how many
 * elements one entry of that field carries (onnx.proto comments on `int32_data`, `float_data`, ...).
 */

export type OnnxTypedField =
  | 'float_data'
  | 'int32_data'
  | 'string_data'
  | 'int64_data'
  | 'double_data'
  | 'uint64_data';

export const ONNX_TYPED_FIELDS: readonly OnnxTypedField[] = [
  'float_data',
  'int32_data',
  'string_data',
  'int64_data',
  'double_data',
  'uint64_data',
];

export interface OnnxDataType {
  readonly name: string;
  /** Bits of one element in `raw_data`; undefined for STRING (no raw form). */
  readonly bits: number | undefined;
  /** The typed field that may hold the elements. */
  readonly field: OnnxTypedField;
  /** Entries of `field` per element (2 for complex numbers), or elements per entry when below 1 (packed 4/2-bit). */
  readonly entriesPerElement: number;
}

const t = (
  name: string,
  bits: number | undefined,
  field: OnnxTypedField,
  entriesPerElement = 1,
): OnnxDataType => ({
  name,
  bits,
  field,
  entriesPerElement,
});

/** By `TensorProto.DataType` value. 0 (UNDEFINED) is not a type. */
export const ONNX_DATA_TYPES: ReadonlyMap<number, OnnxDataType> = new Map([
  [1, t('FLOAT', 32, 'float_data')],
  [2, t('UINT8', 8, 'int32_data')],
  [3, t('INT8', 8, 'int32_data')],
  [4, t('UINT16', 16, 'int32_data')],
  [5, t('INT16', 16, 'int32_data')],
  [6, t('INT32', 32, 'int32_data')],
  [7, t('INT64', 64, 'int64_data')],
  [8, t('STRING', undefined, 'string_data')],
  [9, t('BOOL', 8, 'int32_data')],
  [10, t('FLOAT16', 16, 'int32_data')],
  [11, t('DOUBLE', 64, 'double_data')],
  [12, t('UINT32', 32, 'uint64_data')],
  [13, t('UINT64', 64, 'uint64_data')],
  [14, t('COMPLEX64', 64, 'float_data', 2)],
  [15, t('COMPLEX128', 128, 'double_data', 2)],
  [16, t('BFLOAT16', 16, 'int32_data')],
  [17, t('FLOAT8E4M3FN', 8, 'int32_data')],
  [18, t('FLOAT8E4M3FNUZ', 8, 'int32_data')],
  [19, t('FLOAT8E5M2', 8, 'int32_data')],
  [20, t('FLOAT8E5M2FNUZ', 8, 'int32_data')],
  [21, t('UINT4', 4, 'int32_data', 1 / 2)],
  [22, t('INT4', 4, 'int32_data', 1 / 2)],
  [23, t('FLOAT4E2M1', 4, 'int32_data', 1 / 2)],
  [24, t('FLOAT8E8M0', 8, 'int32_data')],
  [25, t('UINT2', 2, 'int32_data', 1 / 4)],
  [26, t('INT2', 2, 'int32_data', 1 / 4)],
]);

export function onnxDataTypeName(dataType: number | undefined): string {
  if (dataType === undefined) return 'no data_type';
  return ONNX_DATA_TYPES.get(dataType)?.name ?? `data_type ${dataType}`;
}

/** Bytes `elements` elements take in `raw_data` (packed sub-byte types round up to whole bytes). */
export function rawByteLength(type: OnnxDataType, elements: bigint): bigint | undefined {
  if (type.bits === undefined) return undefined;
  return (elements * BigInt(type.bits) + 7n) / 8n;
}

/** Entries of the typed field that hold `elements` elements (packed sub-byte types round up). */
export function typedEntryCount(type: OnnxDataType, elements: bigint): bigint {
  if (type.entriesPerElement >= 1) return elements * BigInt(type.entriesPerElement);
  const perEntry = BigInt(Math.round(1 / type.entriesPerElement));
  return (elements + perEntry - 1n) / perEntry;
}

/** Largest element count of a tensor: onnx and onnxruntime count elements in int64. */
export const MAX_TENSOR_ELEMENTS = 2n ** 63n - 1n;

/**
 * Elements of a tensor of shape `dims` (1 for a scalar); undefined when a dimension is negative or the
 * product leaves int64 (the product stops growing there, so a million huge dimensions cost nothing).
 */
export function elementCount(dims: readonly bigint[]): bigint | undefined {
  if (dims.some((d) => d < 0n)) return undefined;
  if (dims.some((d) => d === 0n)) return 0n;
  let elements = 1n;
  for (const d of dims) {
    elements *= d;
    if (elements > MAX_TENSOR_ELEMENTS) return undefined;
  }
  return elements;
}
