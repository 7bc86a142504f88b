/** Protobuf wire bytes built by hand, for malformed-input tests. */

/** Protobuf wire bytes by hand: a tag, then a varint. */
export function tag(field: number, wireType: number): number[] {
  return varint(field * 8 + wireType);
}

export function varint(value: number | bigint): number[] {
  let v = BigInt(value);
  const out: number[] = [];
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? byte | 0x80 : byte);
  } while (v > 0n);
  return out;
}

/** A LEN field of `field` holding `payload`. */
export function len(field: number, payload: readonly number[] | Uint8Array): number[] {
  return [...tag(field, 2), ...varint(payload.length), ...payload];
}
