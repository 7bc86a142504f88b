import { parse, tokenize } from '@huggingface/jinja';
import { describe, expect, it } from 'vitest';
import {
  type Environment,
  Evaluator,
  formatFields,
  isInternalName,
  join,
  MAX_CANDIDATES,
  percentFormat,
  strings,
  type Val,
} from './evaluate.js';

/** Evaluates the expression of `{{ expression }}` with the given variables and no macros. */
function evaluate(expression: string, vars: Record<string, Val> = {}): Val {
  const env: Environment = {
    vars: new Map(Object.entries(vars)),
    macroResult: () => undefined,
    callerResult: () => strings(''),
  };
  const program = parse(tokenize(`{{ ${expression} }}`)) as unknown as { body: unknown[] };
  return new Evaluator(env).eval(program.body[0]);
}

describe('isInternalName', () => {
  it.each([
    '__class__',
    '__globals__',
    'x.__init__',
    '0.__class__',
    '_TemplateReference__context',
    'mro',
    'f_globals',
    'gi_frame',
  ])('is true for %s', (name) => {
    expect(isInternalName(name)).toBe(true);
  });

  it.each(['content', 'role', '_private', '__', '_'.repeat(40), 'tool_calls', 'is_first'])(
    'is false for %s',
    (name) => {
      expect(isInternalName(name)).toBe(false);
    },
  );
});

describe('percentFormat', () => {
  it('builds characters from numbers with %c, as payloads hiding names do', () => {
    expect(percentFormat('%c%cclass%c%c', [95, 95, 95, 95])).toBe('__class__');
    expect(percentFormat('%c', ['_'])).toBe('_');
  });

  it('formats strings, integers and widths', () => {
    expect(percentFormat('%s-%d-%x-%X-%o-%3s%%', ['a', 7.9, 255, 255, 8, 'b'])).toBe('a-7-ff-FF-10-  b%');
    expect(percentFormat('%r', ['a'])).toBe("'a'");
  });

  it('gives up when unsure rather than guessing', () => {
    expect(percentFormat('%s %s', ['a'])).toBeUndefined();
    expect(percentFormat('%s', ['a', 'b'])).toBeUndefined();
    expect(percentFormat('%(name)s', ['a'])).toBeUndefined();
    expect(percentFormat('%c', [-1])).toBeUndefined();
    expect(percentFormat('%c', ['ab'])).toBeUndefined();
  });
});

describe('formatFields', () => {
  it('lists what each str.format field looks up', () => {
    expect(formatFields('{0.__class__} {x[y]!r:>3} {{literal}} {}')).toEqual(['0.__class__', 'x[y]']);
  });
});

describe('join', () => {
  it('unions the strings two values may be, keeping suspicious ones when capped', () => {
    expect(join(strings('a'), strings('b'))).toEqual({ strs: ['a', 'b'] });
    const many = Array.from({ length: MAX_CANDIDATES + 5 }, (_, i) => `s${i}`);
    const joined = join(strings(...many), strings('__class__'));
    expect(joined.built).toBe(true);
    expect(joined.strs).toContain('__class__');
  });

  it('keeps a list literal as it is when joined with data, so its items can still be indexed', () => {
    const list: Val = { items: [strings('a'), strings('__class__')] };
    expect(join(list, {})).toBe(list);
  });
});

describe('Evaluator', () => {
  it.each([
    ["'__cla' ~ 'ss__'", '__class__'],
    ["'__cla' + 'ss__'", '__class__'],
    ["'%c%cclass%c%c' % (95, 95, 95, 95)", '__class__'],
    ["'%c%c'|format(95, 95) ~ 'class__'", '__class__'],
    ["'{0:c}{0:c}class{0:c}{0:c}'.format(95)", '__class__'],
    ["'__{}__'.format('class')", '__class__'],
    ["['__', 'class', '__']|join", '__class__'],
    ["'_'.join(['_', 'class', '_'])", '__class__'],
    ["'__ssalc__'|reverse", '__class__'],
    ["'__ssalc__'[::-1]", '__class__'],
    ["'__CLASS__'|lower", '__class__'],
    ["'__class__'.upper().lower()", '__class__'],
    ["'XXclassXX'|replace('X', '_')", '__class__'],
    ["'_' * 2 ~ 'class' ~ '_' * 2", '__class__'],
    ["'  __class__ '|trim", '__class__'],
    ["{'k': '__class__'}.k", '__class__'],
    ["{'k': '__class__'}['k']", '__class__'],
    ["dict(k='__class__').get('k')", '__class__'],
    ["['a', '__class__'][1]", '__class__'],
    ["'a,__class__'.split(',')[1]", '__class__'],
    ["['__class__']|first", '__class__'],
  ])('folds %s', (expression, value) => {
    expect(evaluate(expression).strs).toEqual([value]);
  });

  it('unions the branches of a condition', () => {
    expect(evaluate("'a' if c else 'b'").strs).toEqual(['a', 'b']);
  });

  it('reads variables from the environment', () => {
    expect(evaluate("a ~ 'ss__'", { a: strings('__cla') }).strs).toEqual(['__class__']);
    expect(evaluate('ns.n', { 'ns.n': strings('__class__') }).strs).toEqual(['__class__']);
  });

  it('knows nothing about data from the chat, however it is formatted', () => {
    expect(evaluate("message.role ~ '_x'")).toEqual({});
    expect(evaluate("'%s' % message.role")).toEqual({});
    expect(evaluate("'{}_x'.format(message.role)")).toEqual({});
    expect(evaluate("message.content.split('</think>')[-1]")).toEqual({});
  });

  it('marks text cut from object representations, special tokens or counters as built at render time', () => {
    expect(evaluate('(lipsum|string)[1:3]').built).toBe(true);
    expect(evaluate('bos_token[0]').built).toBe(true);
    expect(evaluate("'%c' % loop.index").built).toBe(true);
    expect(evaluate("messages|map(attribute='x')|string").built).toBe(true);
  });

  it('treats loop counters and lengths as numbers', () => {
    expect(evaluate('loop.index0')).toEqual({ number: true });
    expect(evaluate('messages|length')).toEqual({ number: true });
    expect(evaluate('1 + 2')).toEqual({ nums: [3] });
  });

  it('gives up on expressions nested deeper than its limit', () => {
    expect(evaluate(`${"'a' ~ ".repeat(150)}'a'`).built).toBe(true);
    expect(evaluate(`${"'a' ~ ".repeat(50)}'a'`).strs).toEqual(['a'.repeat(51)]);
  });
});
