import { OP } from '../opcodes.js';

/** Builds pickle bytes opcode by opcode for tests. Nothing here is ever unpickled by Python. */
export class PickleBuilder {
  private readonly parts: number[] = [];

  op(code: number, ...args: (number[] | Uint8Array)[]): this {
    this.parts.push(code);
    for (const a of args) this.parts.push(...a);
    return this;
  }

  raw(bytes: number[] | Uint8Array | string): this {
    if (typeof bytes === 'string') this.parts.push(...Buffer.from(bytes, 'latin1'));
    else this.parts.push(...bytes);
    return this;
  }

  proto(p: number): this {
    return this.op(OP.PROTO, [p]);
  }

  frame(size: number): this {
    return this.op(OP.FRAME, u64(size));
  }

  global(module: string, name: string): this {
    return this.op(OP.GLOBAL).raw(`${module}\n${name}\n`);
  }

  inst(module: string, name: string): this {
    return this.op(OP.INST).raw(`${module}\n${name}\n`);
  }

  unicode(text: string): this {
    const b = Buffer.from(text, 'utf8');
    return b.length < 256
      ? this.op(OP.SHORT_BINUNICODE, [b.length], b)
      : this.op(OP.BINUNICODE, u32(b.length), b);
  }

  string0(text: string): this {
    return this.op(OP.STRING).raw(`'${text}'\n`);
  }

  bytes(data: Uint8Array | number[]): this {
    const b = Uint8Array.from(data);
    return b.length < 256
      ? this.op(OP.SHORT_BINBYTES, [b.length], b)
      : this.op(OP.BINBYTES, u32(b.length), b);
  }

  int(n: number): this {
    if (n >= 0 && n < 256) return this.op(OP.BININT1, [n]);
    if (n >= 0 && n < 65536) return this.op(OP.BININT2, [n & 0xff, n >> 8]);
    return this.op(OP.BININT, i32(n));
  }

  stackGlobal(module: string, name: string): this {
    return this.unicode(module).unicode(name).op(OP.STACK_GLOBAL);
  }

  /** `callee(*args)` where the callee is already on the stack and args are pushed by `pushArgs`. */
  call(pushArgs: (b: this) => void): this {
    this.op(OP.MARK);
    pushArgs(this);
    return this.op(OP.TUPLE).op(OP.REDUCE);
  }

  binput(i: number): this {
    return this.op(OP.BINPUT, [i]);
  }

  binget(i: number): this {
    return this.op(OP.BINGET, [i]);
  }

  stop(): this {
    return this.op(OP.STOP);
  }

  build(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

export function i32(n: number): number[] {
  return u32(n >>> 0);
}

export function u64(n: number): number[] {
  return [...u32(n % 2 ** 32), ...u32(Math.floor(n / 2 ** 32))];
}

export function pickle(): PickleBuilder {
  return new PickleBuilder();
}
