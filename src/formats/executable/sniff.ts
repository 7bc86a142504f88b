/**
 * Native executables, shared libraries and scripts, recognised by their headers: ELF (System V gABI
 * "ELF header"), PE (Microsoft PE/COFF: an MZ stub whose e_lfanew points at "PE\0\0"), Mach-O thin and fat
 * (mach-o/loader.h, mach-o/fat.h), and `#!` scripts. Inside a model folder they run when a loader, a
 * `trust_remote_code` module or a user picks them up; weights never need them.
 */
export type ExecutableKind = 'elf' | 'pe' | 'mach-o' | 'script';

export interface ExecutableInfo {
  readonly kind: ExecutableKind;
  /** What it is, in words: "ELF shared object (x86-64)", "script for /bin/sh", ... */
  readonly description: string;
}

const ELF_TYPES: Readonly<Record<number, string>> = {
  1: 'relocatable object',
  2: 'executable',
  3: 'shared object',
  4: 'core dump',
};
const ELF_MACHINES: Readonly<Record<number, string>> = {
  3: 'x86',
  40: 'ARM',
  62: 'x86-64',
  183: 'AArch64',
  243: 'RISC-V',
};
/** Largest fat Mach-O architecture count accepted; Java class files share the magic but carry a version >= 45 there. */
const MAX_FAT_ARCHS = 30;

function u16(b: Uint8Array, o: number, little: boolean): number {
  return little
    ? (b[o] as number) | ((b[o + 1] as number) << 8)
    : ((b[o] as number) << 8) | (b[o + 1] as number);
}
function u32(b: Uint8Array, o: number, little: boolean): number {
  return little
    ? ((b[o] as number) |
        ((b[o + 1] as number) << 8) |
        ((b[o + 2] as number) << 16) |
        ((b[o + 3] as number) << 24)) >>>
        0
    : (((b[o] as number) << 24) |
        ((b[o + 1] as number) << 16) |
        ((b[o + 2] as number) << 8) |
        (b[o + 3] as number)) >>>
        0;
}

/**
 * What executable `head` starts, or undefined. `readAt` fetches the PE signature, which may lie past the head.
 */
export function sniffExecutable(
  head: Uint8Array,
  readAt: (position: number, length: number) => Uint8Array,
): ExecutableInfo | undefined {
  if (head.length >= 20 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) {
    const cls = head[4];
    const data = head[5];
    if ((cls === 1 || cls === 2) && (data === 1 || data === 2)) {
      const little = data === 1;
      const type = ELF_TYPES[u16(head, 16, little)] ?? 'file';
      const machine = ELF_MACHINES[u16(head, 18, little)];
      return { kind: 'elf', description: `ELF ${type}${machine ? ` (${machine})` : ''}` };
    }
  }
  if (head.length >= 0x40 && head[0] === 0x4d && head[1] === 0x5a) {
    const lfanew = u32(head, 0x3c, true);
    const sig = readAt(lfanew, 6);
    if (sig.length >= 6 && sig[0] === 0x50 && sig[1] === 0x45 && sig[2] === 0 && sig[3] === 0) {
      const machine = u16(sig, 4, true);
      const arch =
        machine === 0x8664
          ? ' (x86-64)'
          : machine === 0x14c
            ? ' (x86)'
            : machine === 0xaa64
              ? ' (ARM64)'
              : '';
      return { kind: 'pe', description: `Windows PE executable or DLL${arch}` };
    }
  }
  if (head.length >= 8) {
    const be = u32(head, 0, false);
    if (be === 0xfeedface || be === 0xfeedfacf || be === 0xcefaedfe || be === 0xcffaedfe) {
      return {
        kind: 'mach-o',
        description: `Mach-O ${be === 0xfeedfacf || be === 0xcffaedfe ? '64-bit' : '32-bit'} binary`,
      };
    }
    if (
      (be === 0xcafebabe || be === 0xcafebabf) &&
      u32(head, 4, false) > 0 &&
      u32(head, 4, false) <= MAX_FAT_ARCHS
    ) {
      return { kind: 'mach-o', description: 'Mach-O universal (fat) binary' };
    }
  }
  if (head.length >= 3 && head[0] === 0x23 && head[1] === 0x21) {
    // `#!/path` or `#! /path`: the kernel runs the named interpreter.
    const line =
      Buffer.from(head.subarray(2, Math.min(head.length, 130)))
        .toString('latin1')
        .split('\n')[0] ?? '';
    const interpreter = line.trim().split(/\s+/).slice(0, 2).join(' ');
    if (interpreter.startsWith('/')) return { kind: 'script', description: `script for ${interpreter}` };
  }
  return undefined;
}
