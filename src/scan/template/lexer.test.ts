import { describe, expect, it } from 'vitest';
import { decodeJinjaString, type JinjaToken, lexJinja, toParserSource } from './lexer.js';

/** The tokens of the only tag of a template. */
function tokensOf(template: string): readonly JinjaToken[] {
  const lexed = lexJinja(template);
  expect(lexed.error, template).toBeUndefined();
  const tags = lexed.segments.filter((s) => s.kind === 'block' || s.kind === 'variable');
  expect(tags).toHaveLength(1);
  const tag = tags[0];
  if (tag === undefined || (tag.kind !== 'block' && tag.kind !== 'variable')) throw new Error('no tag');
  return tag.tokens;
}

const stringsOf = (template: string) =>
  tokensOf(template)
    .filter((t) => t.kind === 'string')
    .map((t) => t.value);

describe('decodeJinjaString', () => {
  // Jinja decodes string literals with Python's unicode-escape codec (jinja2/lexer.py); every spelling of
  // `_` below is one CVE-2024-34359 style payloads use to hide `__class__` from text searches.
  it.each([
    ['\\x5f', '_'],
    ['\\x5F', '_'],
    ['\\137', '_'],
    ['\\u005f', '_'],
    ['\\U0000005f', '_'],
    ['\\N{LOW LINE}', '_'],
    ['\\N{low line}', '_'],
    ['\\N{LATIN SMALL LETTER C}\\N{DIGIT ONE}', 'c1'],
    ['\\0', '\u0000'],
    ['\\n\\t\\\\\\\'\\"', '\n\t\\\'"'],
  ])('decodes %s as Python does', (body, value) => {
    expect(decodeJinjaString(body)).toEqual({ value, unknownNames: [] });
  });

  it('keeps an unknown escape as written, as Python does', () => {
    expect(decodeJinjaString('\\q')?.value).toBe('\\q');
  });

  it('removes a backslash-newline and normalises newlines', () => {
    expect(decodeJinjaString('a\\\nb')?.value).toBe('ab');
    expect(decodeJinjaString('a\r\nb')?.value).toBe('a\nb');
  });

  it('escapes non-ASCII characters before decoding, so a backslash before one stays a backslash', () => {
    expect(decodeJinjaString('é')?.value).toBe('é');
    expect(decodeJinjaString('\\é')?.value).toBe('\\xe9');
  });

  it('lists \\N{…} names it cannot decode instead of guessing', () => {
    expect(decodeJinjaString('a\\N{SNOWMAN}')).toEqual({ value: 'a\uFFFD', unknownNames: ['SNOWMAN'] });
  });

  it.each(['\\x5', '\\u05', '\\U0011000', '\\U00110000', '\\', '\\N{LOW LINE'])(
    'refuses %s, which Python cannot decode',
    (body) => {
      expect(decodeJinjaString(body)).toBeUndefined();
    },
  );
});

describe('lexJinja', () => {
  it('splits data, comments, raw blocks and tags', () => {
    const lexed = lexJinja(
      'a{# {{ x.__class__ }} #}b{% raw %}{{ y }}{% endraw %}{{ z }}{% if w %}c{% endif %}',
    );
    expect(lexed.error).toBeUndefined();
    expect(lexed.segments.map((s) => s.kind)).toEqual([
      'data',
      'comment',
      'data',
      'raw',
      'variable',
      'block',
      'data',
      'block',
    ]);
    expect(lexed.segments[3]).toEqual({ kind: 'raw', text: '{{ y }}', at: 25 });
  });

  it('reads raw blocks with whitespace control', () => {
    const lexed = lexJinja('{%- raw -%}{{ x }}{%- endraw -%}');
    expect(lexed.segments).toEqual([{ kind: 'raw', text: '{{ x }}', at: 0 }]);
  });

  it('reads whitespace control markers as part of the delimiters, not as operators', () => {
    const lexed = lexJinja('a {%- set x = 1 -%} b {%+ if y +%}{{- z -}}');
    expect(lexed.error).toBeUndefined();
    const values = lexed.segments.map((s) =>
      s.kind === 'block' || s.kind === 'variable' ? s.tokens.map((t) => t.value) : s.kind,
    );
    expect(values).toEqual(['data', ['set', 'x', '=', 1], 'data', ['if', 'y'], ['z']]);
  });

  it('does not end a tag at a delimiter inside brackets or strings', () => {
    expect(tokensOf("{{ x['}}'] }}").map((t) => t.value)).toEqual(['x', '[', '}}', ']']);
    expect(tokensOf("{{ {'a': 1} }}").map((t) => t.value)).toEqual(['{', 'a', ':', 1, '}']);
    expect(stringsOf("{% set a = '%}__class__' %}")).toEqual(['%}__class__']);
  });

  it('decodes escapes in string literals of tags', () => {
    expect(stringsOf("{{ x['\\x5f\\x5fclass\\137\\N{LOW LINE}'] }}")).toEqual(['__class__']);
    expect(stringsOf('{{ "\\u005f\\U0000005f" }}')).toEqual(['__']);
  });

  it('reads numbers in every base Jinja accepts', () => {
    expect(
      tokensOf('{{ 0x5f + 0o137 + 0b1011111 + 1_000 + 1.5e3 }}').filter((t) => t.kind !== 'operator'),
    ).toEqual([
      { kind: 'integer', value: 95, at: 3 },
      { kind: 'integer', value: 95, at: 10 },
      { kind: 'integer', value: 95, at: 18 },
      { kind: 'integer', value: 1000, at: 30 },
      { kind: 'float', value: 1500, at: 38 },
    ]);
  });

  it('leaves line statements as text (transformers and llama-cpp-python do not enable them)', () => {
    expect(lexJinja('# for x in y\n{{ a }}\n## c').segments.map((s) => s.kind)).toEqual([
      'data',
      'variable',
      'data',
    ]);
  });

  it.each([
    ["{{ 'abc }}", 'unexpected character', 3],
    ['ok {{ x ', 'missing end of variable tag', 3],
    ['{% if x ', 'missing end of block tag', 0],
    ['{% raw %}{{ x }}', 'missing end of raw directive', 0],
    ['ab{# c', 'missing end of comment tag', 2],
    ['{{ x) }}', 'unbalanced ")"', 4],
    ["{{ 'a\\x5' }}", 'invalid escape', 3],
    ['{{ x § }}', 'unexpected character', 5],
  ])('refuses %s as Jinja does, saying where', (template, message, at) => {
    const lexed = lexJinja(template);
    expect(lexed.error?.message).toContain(message);
    expect(lexed.error?.at).toBe(at);
  });

  it('keeps what was lexed before an error', () => {
    const lexed = lexJinja('{{ a.__class__ }}{{ b');
    expect(lexed.segments).toHaveLength(1);
    expect(lexed.error?.message).toBe('missing end of variable tag');
  });

  it('stops at the token limit', () => {
    const template = `{{ ${'a ~ '.repeat(100)}b }}`;
    expect(lexJinja(template, { maxTokens: 50 }).error?.message).toBe('more than 50 tokens');
    expect(lexJinja(template, { maxTokens: 500 }).error).toBeUndefined();
  });
});

describe('toParserSource', () => {
  const source = (template: string) => toParserSource(lexJinja(template).segments);

  it('drops comments and raw blocks, which are not code', () => {
    expect(source('{# {{ x }} #}a{% raw %}{{ y }}{% endraw %}b').source).toBe('ab');
  });

  it('re-quotes strings with their decoded values', () => {
    expect(source("{{ '\\x5f\\x5f' ~ \"it's\" }}").source).toBe('{{ "__" ~ "it\'s" }}');
  });

  it('rewrites with as sets, do as an output and block or autoescape tags away', () => {
    expect(source("{% with a = 'x', b = 2 %}{{ a }}{% endwith %}").source).toBe(
      '{% set a = "x" %}{% set b = 2 %}{{ a }}',
    );
    expect(source('{% do x.append(1) %}').source).toBe('{{ x . append ( 1 ) }}');
    expect(source('{% block b %}{{ y }}{% endblock %}').source).toBe('{{ y }}');
    expect(source('{% autoescape true %}{{ y }}{% endautoescape %}').source).toBe('{{ true }}{{ y }}');
  });

  it('lists statements that load templates and keeps their names as expressions', () => {
    const result = source("{% include 'a' %}{% import 'b' as c %}{% from 'd' import e %}{% extends 'f' %}");
    expect(result.loads).toEqual([
      '{% include "a" %}',
      '{% import "b" as c %}',
      '{% from "d" import e %}',
      '{% extends "f" %}',
    ]);
    expect(result.source).toBe('{{ "a" }}{% set c = "b" %}{{ "d" }}{{ "f" }}');
  });

  it('writes tuples as lists and drops recursive from for statements', () => {
    expect(source('{{ (1,) }}{{ () }}').source).toBe('{{ [ 1 ] }}{{ [ ] }}');
    expect(source('{% for a in b recursive %}{{ loop(a) }}{% endfor %}').source).toBe(
      '{% for a in b %}{{ loop ( a ) }}{% endfor %}',
    );
  });

  it('replaces a tag the parser refuses with a neutral one and lists it as skipped', () => {
    const segments = lexJinja('{% foo bar %}{% if x %}{{ y }}{% endif %}').segments;
    const result = toParserSource(segments, (s) => !s.includes('foo'));
    expect(result.source).toBe('{% if x %}{{ y }}{% endif %}');
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]?.at).toBe(0);
  });
});
