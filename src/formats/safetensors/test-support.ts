/** Builds safetensors files for tests (u64 LE header length, JSON header, byte buffer). */
export function safetensors(
  header: Record<string, unknown> | string,
  buffer: Uint8Array = new Uint8Array(),
  options: { pad?: number } = {},
): Uint8Array {
  const json = typeof header === 'string' ? header : JSON.stringify(header);
  const text = Buffer.from(json + ' '.repeat(options.pad ?? 0), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(text.length));
  return new Uint8Array(Buffer.concat([length, text, buffer]));
}

/** A valid two-tensor file: an F32[2] and a U8[3]. */
export function validFile(extra: Record<string, unknown> = {}): Uint8Array {
  return safetensors(
    {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'U8', shape: [3], data_offsets: [8, 11] },
      ...extra,
    },
    new Uint8Array(11),
  );
}

/** A file of zero-filled F32 tensors of the given shapes, laid out one after another. */
export function f32Tensors(shapes: Record<string, readonly number[]>): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, shape] of Object.entries(shapes)) {
    const bytes = shape.reduce((a, d) => a * d, 1) * 4;
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  return safetensors(header, new Uint8Array(offset));
}
