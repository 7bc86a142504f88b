// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile text spells its own ${VAR} substitutions.
import { describe, expect, it } from 'vitest';
import { expandWord, type ShellWordOptions, type ShellWordResult, type VariableValue } from './shell-word.js';

const BUILDER: VariableValue = { known: false, because: [{ name: 'TARGETARCH', reason: 'builder' }] };

function options(values: Record<string, string | VariableValue>, extra: Partial<ShellWordOptions> = {}) {
  const env = new Map<string, VariableValue>(
    Object.entries(values).map(([k, v]) => [k, typeof v === 'string' ? { known: true, value: v } : v]),
  );
  return {
    escapeToken: '\\',
    lookup: (name: string) => env.get(name),
    maxDepth: 32,
    maxChars: 4096,
    ...extra,
  } satisfies ShellWordOptions;
}

/** The expanded value, `?NAME:reason,...` when unresolved, `!message` on error. */
function show(result: ShellWordResult): string {
  switch (result.kind) {
    case 'expanded':
      return result.value;
    case 'unresolved':
      return `?${result.because.map((v) => `${v.name}:${v.reason}`).join(',')}`;
    case 'error':
      return `!${result.message}`;
  }
}

const ENV = { A: 'a1', EMPTY: '', VERSION: 'v3.11.4', FILE: 'model.tar.gz', TARGETARCH: BUILDER };

describe('expandWord', () => {
  describe('substitutes variables as BuildKit does', () => {
    it.each([
      ['$A', 'a1'],
      ['${A}', 'a1'],
      ['x${A}y', 'xa1y'],
      ['$A-$A', 'a1-a1'],
      ['${UNSET:-d}', 'd'],
      ['${EMPTY:-d}', 'd'],
      ['${A:-d}', 'a1'],
      ['${UNSET-d}', 'd'],
      ['${EMPTY-d}', ''],
      ['${A:+x}', 'x'],
      ['${EMPTY:+x}', ''],
      ['${UNSET:+x}', ''],
      ['${EMPTY+x}', 'x'],
      ['${UNSET+x}', ''],
      ['${VERSION#v}', '3.11.4'],
      ['${VERSION#*.}', '11.4'],
      ['${VERSION##*.}', '4'],
      ['${VERSION%.*}', 'v3.11'],
      ['${VERSION%%.*}', 'v3'],
      ['${FILE%.tar.gz}', 'model'],
      ['${FILE#nomatch}', 'model.tar.gz'],
      ['${VERSION#\\*}', 'v3.11.4'],
      ['${A:-${UNSET:-inner}}', 'a1'],
      ['${UNSET:-${A}-x}', 'a1-x'],
      ['${UNSET:-${UNSET2:-deep}}', 'deep'],
      ['"quoted $A"', 'quoted a1'],
      ["'single $A'", 'single $A'],
      ['\\$A', '$A'],
      ['"\\$A"', '$A'],
      ['"a\\b"', 'a\\b'],
      ['$', '$'],
      ['${UNSET:-"a}b"}', 'a}b'],
      ['${A?must be set}', 'a1'],
      // A builder variable is set, so `+` does not need its value.
      ['${TARGETARCH+arch}', 'arch'],
    ])('%s → %s', (word, expected) => {
      expect(show(expandWord(word, options(ENV)))).toBe(expected);
    });

    it('reads names with letters of any script, as Go does', () => {
      expect(show(expandWord('$café-x', options({ café: 'ok' })))).toBe('ok-x');
    });

    it('uses the escape character the Dockerfile chose', () => {
      expect(show(expandWord('`$A', options(ENV, { escapeToken: '`' })))).toBe('$A');
      expect(show(expandWord('\\$A', options(ENV, { escapeToken: '`' })))).toBe('\\a1');
    });
  });

  describe('when a value is not known, it says which variable and why instead of guessing', () => {
    it.each([
      ['$UNSET', '?UNSET:no-default'],
      ['python:${TAG}', '?TAG:no-default'],
      ['${TARGETARCH}', '?TARGETARCH:builder'],
      ['${TARGETARCH:-amd64}', '?TARGETARCH:builder'],
      ['${TARGETARCH:+x}', '?TARGETARCH:builder'],
      ['${UNSET?need it}', '?UNSET:required'],
      ['${EMPTY:?need it}', '?EMPTY:required'],
      ['${UNSET#x}', '?UNSET:no-default'],
      ['${A/a/b}', '?A:unsupported'],
      ['${A//a/b}', '?A:unsupported'],
      ['$X-$Y-$X', '?X:no-default,Y:no-default'],
      // Special parameters are never set by a Dockerfile.
      ['$-', '?-:no-default'],
    ])('%s → %s', (word, expected) => {
      expect(show(expandWord(word, options(ENV)))).toBe(expected);
    });
  });

  describe('when BuildKit refuses the word, it is an error', () => {
    it.each([
      ['${}', 'bad substitution'],
      ['${:a}', 'bad substitution'],
      ['${{a}}', 'bad substitution'],
      ['${A', "missing '}'"],
      ['${A:-x', 'looking for matching }'],
      ['${A=b}', 'unsupported modifier (=)'],
      ['${A:=b}', 'unsupported modifier (:=)'],
      ['${A:#b}', 'unsupported modifier (:#)'],
      ['"open', 'matching double-quote'],
      ["'open", 'matching single-quote'],
      ['${VERSION#\\x}', "invalid escape '\\x'"],
    ])('%s', (word, message) => {
      const result = expandWord(word, options(ENV));
      expect(result.kind).toBe('error');
      expect(show(result)).toContain(message);
      expect(result.kind === 'error' && result.limit).toBe(false);
    });
  });

  describe('limits', () => {
    it('stops at the nesting limit', () => {
      const word = `${'${A:-'.repeat(40)}x${'}'.repeat(40)}`;
      const result = expandWord(word, options(ENV, { maxDepth: 32 }));
      expect(result).toMatchObject({ kind: 'error', limit: true });
      expect(show(expandWord(word, options(ENV, { maxDepth: 64 })))).toBe('a1');
    });

    it('stops when the result grows past the length limit', () => {
      const result = expandWord('$A'.repeat(100), options({ A: 'x'.repeat(100) }, { maxChars: 4096 }));
      expect(result).toMatchObject({ kind: 'error', limit: true });
      expect(show(expandWord('$A'.repeat(10), options({ A: 'x'.repeat(100) })))).toHaveLength(1000);
    });

    it('matches long patterns against long values in linear time', () => {
      const value = 'a'.repeat(4000);
      const started = performance.now();
      const result = expandWord(`\${V##${'*a'.repeat(200)}b}`, options({ V: value }));
      expect(show(result)).toBe(value);
      expect(performance.now() - started).toBeLessThan(2000);
    });
  });

  describe('splitting words (ProcessWords)', () => {
    it('splits on unquoted white space and keeps quoted spaces', () => {
      const result = expandWord('a "b c" d\\ e', options({}));
      expect(result.kind === 'expanded' && result.words).toEqual(['a', 'b c', 'd e']);
    });

    it('keeps quotes, escapes and unset variables as written in the raw mode heredocs are found with', () => {
      const result = expandWord('RUN cat << "EOF" $X ${Y:-z} \\x', {
        ...options({}),
        rawQuotes: true,
        rawEscapes: true,
        skipUnsetEnv: true,
      });
      expect(result.kind === 'expanded' && result.words).toEqual([
        'RUN',
        'cat',
        '<< "EOF"',
        '$X',
        '${Y:-z}',
        '\\x',
      ]);
    });
  });
});
