import { openSync, readSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sniffExecutable } from './sniff.js';

const sniff = (bytes: Uint8Array) =>
  sniffExecutable(bytes.subarray(0, 4096), (p, n) => bytes.subarray(p, p + n));

function elf(type: number, machine: number): Uint8Array {
  const b = new Uint8Array(64);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  b[16] = type;
  b[18] = machine;
  return b;
}

function pe(machine: number): Uint8Array {
  const b = new Uint8Array(0x100);
  b.set([0x4d, 0x5a]);
  b[0x3c] = 0x80;
  b.set([0x50, 0x45, 0, 0, machine & 0xff, machine >> 8], 0x80);
  return b;
}

describe('sniffExecutable', () => {
  it('recognises ELF objects by type and machine', () => {
    expect(sniff(elf(3, 62))?.description).toBe('ELF shared object (x86-64)');
    expect(sniff(elf(2, 183))?.description).toBe('ELF executable (AArch64)');
  });

  it('recognises PE files only when e_lfanew points at the PE signature', () => {
    expect(sniff(pe(0x8664))?.description).toBe('Windows PE executable or DLL (x86-64)');
    const stub = pe(0x8664);
    stub[0x80] = 0;
    expect(sniff(stub)).toBeUndefined();
  });

  it('recognises Mach-O thin and fat binaries, not Java class files', () => {
    expect(sniff(Uint8Array.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]))?.kind).toBe('mach-o');
    expect(sniff(Uint8Array.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2]))?.description).toContain('universal');
    expect(sniff(Uint8Array.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52]))).toBeUndefined();
  });

  it('recognises #! scripts with an absolute interpreter', () => {
    expect(sniff(Buffer.from('#!/bin/sh\nrm -rf /\n'))?.description).toBe('script for /bin/sh');
    expect(sniff(Buffer.from('#! /usr/bin/env python3\n'))?.description).toBe(
      'script for /usr/bin/env python3',
    );
    expect(sniff(Buffer.from('#!not a path\n'))).toBeUndefined();
  });

  it('leaves other content alone and survives truncation', () => {
    for (const bytes of [elf(3, 62), pe(0x14c), Buffer.from('#!/bin/sh\n')]) {
      for (let n = 0; n < bytes.length; n++) expect(() => sniff(bytes.subarray(0, n))).not.toThrow();
    }
    expect(sniff(Buffer.from('{"a": 1}'))).toBeUndefined();
    expect(sniff(Uint8Array.from([0x80, 2, 0x7d, 0x2e]))).toBeUndefined();
  });

  it.runIf(process.platform === 'linux')('recognises the real Node binary running these tests', () => {
    const head = new Uint8Array(64);
    const fd = openSync(process.execPath, 'r');
    readSync(fd, head, 0, 64, 0);
    expect(sniff(head)?.kind).toBe('elf');
  });
});
