import { execFileSync } from 'node:child_process';
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ParseError, UsageError } from '../core/errors.js';
import { writeFileNoFollow } from '../core/write-file.js';
import { readBoundedFile } from './files.js';
import { readCertificates, writeNewFiles } from './keys.js';

const work = mkdtempSync(join(tmpdir(), 'pedigree-files-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;
function dir(): string {
  const d = join(work, `${counter++}`);
  mkdirSync(d);
  return d;
}

describe('readBoundedFile', () => {
  it('reads a regular file up to the limit and refuses one larger, as ParseError when asked', () => {
    const d = dir();
    writeFileSync(join(d, 'f'), 'hello');
    expect(readBoundedFile(join(d, 'f'), { max: 5, what: 'x' }).toString()).toBe('hello');
    expect(() => readBoundedFile(join(d, 'f'), { max: 4, what: 'x' })).toThrow(UsageError);
    expect(() => readBoundedFile(join(d, 'f'), { max: 4, what: 'x', tooLargeIsParseError: true })).toThrow(
      ParseError,
    );
  });

  it('refuses a FIFO without waiting for a writer when only regular files are read', () => {
    const d = dir();
    execFileSync('mkfifo', [join(d, 'fifo')]);
    const started = Date.now();
    expect(() => readBoundedFile(join(d, 'fifo'), { max: 10, what: 'signature', regularOnly: true })).toThrow(
      /signature .*fifo is not a regular file/,
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reads a device that never ends only up to the limit', () => {
    if (!existsSync('/dev/zero')) return;
    expect(() => readBoundedFile('/dev/zero', { max: 1000, what: 'key' })).toThrow(/larger than 1000 bytes/);
    expect(() => readBoundedFile('/dev/zero', { max: 1000, what: 'key', regularOnly: true })).toThrow(
      /not a regular file/,
    );
  });

  it('names a missing file and a folder', () => {
    const d = dir();
    expect(() => readBoundedFile(join(d, 'none'), { max: 10, what: 'key' })).toThrow(
      /key .*none cannot be read/,
    );
    expect(() => readBoundedFile(d, { max: 10, what: 'key' })).toThrow(/is a folder/);
  });
});

describe('writeFileNoFollow', () => {
  it('never writes through a symbolic link or into a FIFO found where the file goes', () => {
    const d = dir();
    writeFileSync(join(d, 'victim'), 'keep');
    symlinkSync(join(d, 'victim'), join(d, 'out'));
    expect(() => writeFileNoFollow(join(d, 'out'), 'x', 'signature')).toThrow(/is a symbolic link/);
    expect(readFileSync(join(d, 'victim'), 'utf8')).toBe('keep');
    execFileSync('mkfifo', [join(d, 'fifo')]);
    expect(() => writeFileNoFollow(join(d, 'fifo'), 'x')).toThrow(/not a regular file/);
    writeFileNoFollow(join(d, 'new'), 'content');
    writeFileNoFollow(join(d, 'new'), 'other');
    expect(readFileSync(join(d, 'new'), 'utf8')).toBe('other');
  });
});

describe('writeNewFiles (keygen)', () => {
  const files = (d: string, a = 'k.pem', b = 'k.pub.pem') => [
    { path: join(d, a), content: 'PRIVATE', mode: 0o600 },
    { path: join(d, b), content: 'PUBLIC', mode: 0o644 },
  ];

  it('writes nothing when one of the files exists, and leaves no private key behind', () => {
    const d = dir();
    writeFileSync(join(d, 'k.pub.pem'), '');
    expect(() => writeNewFiles(files(d))).toThrow(/k\.pub\.pem already exists/);
    expect(existsSync(join(d, 'k.pem'))).toBe(false);
  });

  it('refuses two spellings of one file, with or without --force, before writing anything', () => {
    const d = dir();
    mkdirSync(join(d, 'sub'));
    symlinkSync(join(d, 'sub'), join(d, 'alias'));
    for (const overwrite of [false, true]) {
      expect(() => writeNewFiles(files(d, 'k.pem', './k.pem'), overwrite)).toThrow(/are the same file/);
      expect(() => writeNewFiles(files(d, 'sub/k.pem', 'alias/k.pem'), overwrite)).toThrow(
        /are the same file/,
      );
    }
    expect(readdirSync(d).sort()).toEqual(['alias', 'sub']);
  });

  it('with overwrite, replaces a symbolic link, a hard link or a 0644 file without writing through it', () => {
    const d = dir();
    writeFileSync(join(d, 'victim'), 'keep');
    symlinkSync(join(d, 'victim'), join(d, 'k.pem'));
    writeFileSync(join(d, 'shared'), 'keep');
    linkSync(join(d, 'shared'), join(d, 'k.pub.pem'));
    writeNewFiles(files(d), true);
    expect(readFileSync(join(d, 'victim'), 'utf8')).toBe('keep');
    expect(readFileSync(join(d, 'shared'), 'utf8')).toBe('keep');
    expect(lstatSync(join(d, 'k.pem')).isFile()).toBe(true);
    expect(statSync(join(d, 'k.pem')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(d, 'k.pem'), 'utf8')).toBe('PRIVATE');
    writeFileSync(join(d, 'plain.pem'), 'old', { mode: 0o644 });
    writeNewFiles([{ path: join(d, 'plain.pem'), content: 'PRIVATE', mode: 0o600 }], true);
    expect(statSync(join(d, 'plain.pem')).mode & 0o777).toBe(0o600);
    expect(readdirSync(d).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('names a folder that does not exist', () => {
    const d = dir();
    expect(() => writeNewFiles(files(join(d, 'missing')))).toThrow(/cannot be written/);
  });
});

describe('readCertificates > when the PEM file is hostile', () => {
  it('scans a megabyte of BEGIN lines without an END in linear time', () => {
    const d = dir();
    writeFileSync(join(d, 'begins.pem'), '-----BEGIN CERTIFICATE-----\n'.repeat(37_000));
    const started = Date.now();
    expect(() => readCertificates(join(d, 'begins.pem'))).toThrow(/no PEM certificate/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
