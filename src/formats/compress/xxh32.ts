/**
 * XXH32, incremental: the checksum of LZ4 frame headers, blocks and content (lz4_Frame_format.md).
 * Algorithm and constants from the xxHash specification (https://github.com/Cyan4973/xxHash/blob/dev/doc/
 * xxhash_spec.md, "XXH32 Algorithm Description"). 32-bit products use Math.imul; sums are reduced with >>> 0.
 */
const PRIME32_1 = 0x9e3779b1;
const PRIME32_2 = 0x85ebca77;
const PRIME32_3 = 0xc2b2ae3d;
const PRIME32_4 = 0x27d4eb2f;
const PRIME32_5 = 0x165667b1;
const STRIPE_BYTES = 16;

const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;

const round = (acc: number, lane: number) =>
  Math.imul(rotl((acc + Math.imul(lane, PRIME32_2)) >>> 0, 13), PRIME32_1);

const u32 = (b: Uint8Array, i: number) =>
  (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;

export class Xxh32 {
  private v1: number;
  private v2: number;
  private v3: number;
  private v4: number;
  private readonly seed: number;
  private total = 0;
  /** Bytes of an incomplete stripe, carried to the next update. */
  private readonly pending = new Uint8Array(STRIPE_BYTES);
  private pendingLength = 0;

  constructor(seed = 0) {
    this.seed = seed >>> 0;
    this.v1 = (this.seed + PRIME32_1 + PRIME32_2) >>> 0;
    this.v2 = (this.seed + PRIME32_2) >>> 0;
    this.v3 = this.seed;
    this.v4 = (this.seed - PRIME32_1) >>> 0;
  }

  private stripe(b: Uint8Array, i: number): void {
    this.v1 = round(this.v1, u32(b, i));
    this.v2 = round(this.v2, u32(b, i + 4));
    this.v3 = round(this.v3, u32(b, i + 8));
    this.v4 = round(this.v4, u32(b, i + 12));
  }

  update(data: Uint8Array): this {
    this.total += data.length;
    let i = 0;
    if (this.pendingLength > 0) {
      const take = Math.min(STRIPE_BYTES - this.pendingLength, data.length);
      this.pending.set(data.subarray(0, take), this.pendingLength);
      this.pendingLength += take;
      i = take;
      if (this.pendingLength < STRIPE_BYTES) return this;
      this.stripe(this.pending, 0);
      this.pendingLength = 0;
    }
    for (; i + STRIPE_BYTES <= data.length; i += STRIPE_BYTES) this.stripe(data, i);
    this.pending.set(data.subarray(i), 0);
    this.pendingLength = data.length - i;
    return this;
  }

  digest(): number {
    let acc: number;
    if (this.total >= STRIPE_BYTES) {
      acc =
        (rotl(this.v1 >>> 0, 1) +
          rotl(this.v2 >>> 0, 7) +
          rotl(this.v3 >>> 0, 12) +
          rotl(this.v4 >>> 0, 18)) >>>
        0;
    } else {
      acc = (this.seed + PRIME32_5) >>> 0;
    }
    acc = (acc + this.total) >>> 0;
    const b = this.pending;
    let i = 0;
    for (; i + 4 <= this.pendingLength; i += 4) {
      acc = Math.imul(rotl((acc + Math.imul(u32(b, i), PRIME32_3)) >>> 0, 17), PRIME32_4) >>> 0;
    }
    for (; i < this.pendingLength; i++) {
      acc = Math.imul(rotl((acc + Math.imul(b[i]!, PRIME32_5)) >>> 0, 11), PRIME32_1) >>> 0;
    }
    acc ^= acc >>> 15;
    acc = Math.imul(acc, PRIME32_2) >>> 0;
    acc ^= acc >>> 13;
    acc = Math.imul(acc, PRIME32_3) >>> 0;
    acc ^= acc >>> 16;
    return acc >>> 0;
  }
}

/** XXH32 of one buffer. */
export function xxh32(data: Uint8Array, seed = 0): number {
  return new Xxh32(seed).update(data).digest();
}
