// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile text spells its own ${VAR} substitutions.
/**
 * Hostile Dockerfiles: binary content, huge files and lines, deep nesting, exponential ARG chains,
 * unterminated constructs and floods. The reader must never throw or hang, must stay within its limits and
 * must say (as problems, `complete: false`) when it did not read everything.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_DOCKERFILE_IMAGES,
  MAX_DOCKERFILE_PROBLEMS,
  MAX_EXPANSION_DEPTH,
  MAX_LINE_BYTES,
  parseDockerfile,
  readDockerfile,
} from './dockerfile.js';

function timed<T>(run: () => T): { result: T; ms: number } {
  const started = performance.now();
  const result = run();
  return { result, ms: performance.now() - started };
}

describe('malformed Dockerfiles', () => {
  it('refuses a file over the size limit without reading it (a 10 MB single line)', () => {
    const { result, ms } = timed(() => parseDockerfile(`FROM ${'a'.repeat(10 * 1024 * 1024)}`));
    expect(result.images).toEqual([]);
    expect(result.complete).toBe(false);
    expect(result.problems).toEqual([
      { line: 1, message: `the file is larger than ${4 * 1024 * 1024} characters; it was not read` },
    ]);
    expect(ms).toBeLessThan(1000);
  });

  it('skips a line longer than BuildKit reads, and says so', () => {
    const text = ['FROM alpine', `RUN echo ${'x'.repeat(MAX_LINE_BYTES)}`, 'FROM busybox'].join('\n');
    const result = parseDockerfile(text);
    expect(result.images.map((i) => i.written)).toEqual(['alpine', 'busybox']);
    expect(result.problems).toEqual([
      {
        line: 2,
        message: `line longer than ${MAX_LINE_BYTES} bytes: BuildKit refuses the file, and pedigree skipped the line`,
      },
    ]);
    expect(result.complete).toBe(false);
  });

  it('counts the limit in UTF-8 bytes, as BuildKit does', () => {
    const wide = '€'.repeat(Math.ceil(MAX_LINE_BYTES / 3) + 1);
    expect(parseDockerfile(`FROM alpine\nLABEL x=${wide}`).complete).toBe(false);
    expect(parseDockerfile(`FROM alpine\nLABEL x=${'€'.repeat(1000)}`).complete).toBe(true);
  });

  it('reads 100,000 lines in linear time and caps the images it lists', () => {
    const text = Array.from({ length: 100_000 }, (_, i) => `FROM img${i}:1`).join('\n');
    const { result, ms } = timed(() => parseDockerfile(text));
    expect(result.images).toHaveLength(MAX_DOCKERFILE_IMAGES);
    expect(result.stages).toHaveLength(100_000);
    expect(result.complete).toBe(false);
    expect(result.problems).toEqual([
      {
        line: MAX_DOCKERFILE_IMAGES + 1,
        message: `more than ${MAX_DOCKERFILE_IMAGES} images; the rest were not read`,
      },
    ]);
    expect(ms).toBeLessThan(10_000);
  });

  it('reads 100,000 continuation lines as one instruction', () => {
    const text = `FROM alpine\nRUN echo \\\n${'  a \\\n'.repeat(100_000)}  end\nFROM busybox`;
    const { result, ms } = timed(() => parseDockerfile(text));
    expect(result.images.map((i) => `${i.line} ${i.written}`)).toEqual(['1 alpine', '100004 busybox']);
    expect(ms).toBeLessThan(10_000);
  });

  it('caps the problems it lists and counts the rest', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `NOPE${i} x`).join('\n');
    const result = parseDockerfile(text);
    expect(result.problems).toHaveLength(MAX_DOCKERFILE_PROBLEMS + 1);
    expect(result.problems.at(-1)?.message).toBe(
      `${5000 - MAX_DOCKERFILE_PROBLEMS + 1} more problem(s) not listed (limit ${MAX_DOCKERFILE_PROBLEMS})`,
    );
  });

  it('stops deep ${a:-${b:-...}} nesting in FROM at the depth limit', () => {
    const depth = 8000;
    const text = `FROM ${'${A:-'.repeat(depth)}x${'}'.repeat(depth)}`;
    const result = parseDockerfile(text);
    expect(result.images).toHaveLength(1);
    expect(result.images[0]).toMatchObject({ state: 'invalid' });
    expect(result.images[0]?.state === 'invalid' && result.images[0].problem).toContain(
      `nested deeper than ${MAX_EXPANSION_DEPTH}`,
    );
  });

  it('does not look past a heredoc-capable line it could not lex within the limits', () => {
    const depth = 8000;
    const text = `FROM alpine\nRUN cat <<EOF ${'${A:-'.repeat(depth)}x${'}'.repeat(depth)}\nFROM hidden\nEOF`;
    const result = parseDockerfile(text);
    expect(result.complete).toBe(false);
    expect(result.problems[0]?.message).toContain('could not look for heredocs');
  });

  it('stops ARG defaults that double in length at the expansion limit', () => {
    const args = ['ARG A0=xxxxxxxxxxxxxxxx'];
    for (let i = 1; i <= 40; i++) args.push(`ARG A${i}=\${A${i - 1}}\${A${i - 1}}`);
    const { result, ms } = timed(() => parseDockerfile([...args, 'FROM python:${A40}'].join('\n')));
    expect(ms).toBeLessThan(2000);
    expect(result.problems[0]?.message).toMatch(/^ARG A\d+: expands to more than 4096 characters$/);
    expect(result.images[0]).toMatchObject({ state: 'unresolved' });
    expect(result.images[0]?.state === 'unresolved' && result.images[0].unresolved[0]?.reason).toBe(
      'invalid-default',
    );
  });

  it('reads binary content as text without throwing', () => {
    const bytes = new Uint8Array(64 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    const result = readDockerfile('Dockerfile', bytes);
    expect(result.problems.length).toBeGreaterThan(0);
    expect(result.problems.length).toBeLessThanOrEqual(MAX_DOCKERFILE_PROBLEMS + 1);
  });

  it('never throws, and keeps every line and count within bounds, on arbitrary Dockerfile-like text', () => {
    const token = fc.constantFrom(
      'FROM ',
      'from ',
      'ARG ',
      'COPY --from=',
      'RUN --mount=from=',
      'RUN <<EOF',
      'EOF',
      '<<-',
      ' AS ',
      'python:3',
      '@sha256:',
      'a'.repeat(64),
      '${',
      '}',
      ':-',
      '$A',
      'A=',
      '"',
      "'",
      '\\',
      '`',
      '# escape=`',
      '# syntax=',
      '\n',
      '\r\n',
      ' ',
      '\t',
      '#',
      '--platform=',
      'linux/amd64',
      '\uFEFF',
      '\u0000',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 200 }), (tokens) => {
        const text = tokens.join('');
        const lines = text.split('\n').length;
        const result = parseDockerfile(text);
        for (const image of result.images) {
          expect(image.line).toBeGreaterThanOrEqual(1);
          expect(image.line).toBeLessThanOrEqual(lines);
        }
        for (const problem of result.problems) {
          expect(problem.line).toBeGreaterThanOrEqual(1);
          expect(problem.line).toBeLessThanOrEqual(lines);
        }
        expect(result.problems.length).toBeLessThanOrEqual(MAX_DOCKERFILE_PROBLEMS + 1);
      }),
      { numRuns: 500 },
    );
  });
});
