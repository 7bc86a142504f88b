import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { analyseTemplate, type TemplateAnalysis } from './analyse.js';

type Worst = 'critical' | 'high' | 'none';

const worstOf = (r: TemplateAnalysis): Worst =>
  r.issues.some((i) => i.severity === 'critical') ? 'critical' : r.issues.length > 0 ? 'high' : 'none';
const worst = (t: string): Worst => worstOf(analyseTemplate(t));

/**
 * Every technique the module comment of analyse.ts claims, with the severity the README documents for
 * TEMPLATE-INJECTION: critical when a lookup reaches Python internals (however the name is spelled or
 * built), high for the weaker signs (a computed `attr` name, a gadget or web global, a name built at render
 * time from text pedigree cannot fold, a template load).
 */
const EVASIONS: readonly (readonly [string, string, Worst])[] = [
  // Direct access (CVE-2024-34359).
  ['a dunder attribute', '{{ x.__class__ }}', 'critical'],
  ['the CVE-2024-34359 payload', "{{ cycler.__init__.__globals__.os.popen('id').read() }}", 'critical'],
  [
    'a subclasses walk',
    "{{ ''.__class__.__mro__[1].__subclasses__()[40]('/etc/passwd').read() }}",
    'critical',
  ],
  ['a name-mangled private', '{{ self._TemplateReference__context }}', 'critical'],
  ['a frame attribute', "{{ x['f_globals'] }}", 'critical'],
  ['mro', '{{ x.mro }}', 'critical'],
  ['a private attribute', '{{ x._private }}', 'high'],
  ['a method that runs commands', "{{ x.popen('id') }}", 'high'],
  // Escapes in string literals.
  ['\\x escapes', "{{ x|attr('\\x5f\\x5fclass\\x5f\\x5f') }}", 'critical'],
  ['octal escapes', "{{ x['\\137\\137class\\137\\137'] }}", 'critical'],
  ['\\u escapes', "{{ x['\\u005f\\u005fclass\\u005f\\u005f'] }}", 'critical'],
  ['\\U escapes', "{{ x['\\U0000005f\\U0000005fclass\\U0000005f\\U0000005f'] }}", 'critical'],
  ['\\N escapes', "{{ x['\\N{LOW LINE}\\N{low line}class\\N{LOW LINE}\\N{LOW LINE}'] }}", 'critical'],
  ['an \\N name pedigree cannot decode', "{{ x['\\N{FULLWIDTH LOW LINE}'] }}", 'high'],
  // Concatenation and formatting.
  ['~ concatenation', "{{ x['__cla' ~ 'ss__'] }}", 'critical'],
  ['+ concatenation', "{{ x['__cla' + 'ss__'] }}", 'critical'],
  ['implicit concatenation', "{{ x['__cla' 'ss__'] }}", 'critical'],
  ['string repetition', "{{ x['_' * 2 ~ 'class' ~ '_' * 2] }}", 'critical'],
  ['% formatting', "{{ x['__%s__' % 'class'] }}", 'critical'],
  ['%c formatting', "{{ x['%c%cclass%c%c' % (95, 95, 95, 95)] }}", 'critical'],
  ['%c with hex and octal numbers', "{{ x|attr('%c%c' % (0x5f, 0o137) ~ 'class__') }}", 'critical'],
  ['%c repeated then formatted', "{{ x|attr('%c' * 2 % (95, 95) ~ 'class__') }}", 'critical'],
  ['the format filter with %c', "{{ x|attr('%c%cclass%c%c'|format(95, 95, 95, 95)) }}", 'critical'],
  ['the format filter with %s', "{{ x|attr('__%s__'|format('class')) }}", 'critical'],
  ['str.format', "{{ x['__{}__'.format('class')] }}", 'critical'],
  ['str.format with :c', "{{ x|attr('{0:c}{0:c}class{0:c}{0:c}'.format(95)) }}", 'critical'],
  ['a str.format field', "{{ '{0.__class__}'.format(x) }}", 'critical'],
  ['a str.format field built from pieces', "{{ ('{0.' ~ '__class__}').format(x) }}", 'critical'],
  ['str.format on a string not known in advance', '{{ messages[0].content.format(x) }}', 'high'],
  // Joins, reversal, case and replacement.
  ['the join filter', "{{ x|attr(['_', '_', 'class', '_', '_']|join) }}", 'critical'],
  ['str.join', "{{ x|attr(''.join(['__', 'class__'])) }}", 'critical'],
  ['the reverse filter', "{{ x|attr('__ssalc__'|reverse) }}", 'critical'],
  ['a reversing slice', "{{ x|attr('__ssalc__'[::-1]) }}", 'critical'],
  ['list, reverse and join', "{{ x|attr('__ssalc__'|list|reverse|join) }}", 'critical'],
  ['the lower filter', "{{ x|attr('__CLASS__'|lower) }}", 'critical'],
  ['upper and lower methods', "{% set n = '__class__'.upper().lower() %}{{ x[n] }}", 'critical'],
  ['the replace filter', "{{ x|attr('XXclassXX'|replace('X', '_')) }}", 'critical'],
  ['str.replace', "{{ x['XXclassXX'.replace('X', '_')] }}", 'critical'],
  ['center and replace', "{{ x|attr('class'|center(9)|replace(' ', '_')) }}", 'critical'],
  ['trim', "{{ x|attr('  __class__ '|trim) }}", 'critical'],
  ['a default value', "{{ x|attr(y|default('__class__')) }}", 'critical'],
  // Variables.
  ['set variables', "{% set a = '__cla' %}{% set b = a ~ 'ss__' %}{{ x[b] }}", 'critical'],
  ['a set block', '{% set a %}__class__{% endset %}{{ x|attr(a) }}', 'critical'],
  ['a set block of outputs', "{% set a %}{{ '__cl' }}{{ 'ass__' }}{% endset %}{{ y|attr(a) }}", 'critical'],
  [
    'a filter block in a set block',
    '{% set a %}{% filter lower %}__CLASS__{% endfilter %}{% endset %}{{ x|attr(a) }}',
    'critical',
  ],
  ['with', "{% with a = '__class__' %}{{ x|attr(a) }}{% endwith %}", 'critical'],
  [
    'namespace attributes',
    "{% set ns = namespace(n='__cla') %}{% set ns.n = ns.n ~ 'ss__' %}{{ x|attr(ns.n) }}",
    'critical',
  ],
  ['a loop variable', "{% for n in ['__class__'] %}{{ x|attr(n) }}{% endfor %}", 'critical'],
  [
    'loop variables over a string',
    "{% for ch in '_' %}{{ x|attr(ch ~ ch ~ 'class' ~ ch ~ ch) }}{% endfor %}",
    'critical',
  ],
  ['tuple unpacking', "{% set a, b = '__class__', 'y' %}{{ x[a] }}", 'critical'],
  ['dict items', "{% for k, v in {'a': '__class__'}.items() %}{{ x[v] }}{% endfor %}", 'critical'],
  ['a dict literal', "{% set d = {'k': '__class__'} %}{{ x[d.k] }}", 'critical'],
  ['dict() and get', "{% set d = dict(a='__class__') %}{{ x[d.get('a')] }}", 'critical'],
  ['a list item', "{% set l = ['a', '__class__'] %}{{ x[l[1]] }}", 'critical'],
  ['a constant split', "{% set l = 'a,__class__'.split(',') %}{{ x[l[1]] }}", 'critical'],
  ['a conditional', "{{ x['__class__' if true else 'a'] }}", 'critical'],
  [
    'an accumulator of %c characters',
    "{% set ns = namespace(s='') %}{% for c in [95, 95, 99] %}{% set ns.s = ns.s ~ '%c'|format(c) %}{% endfor %}{{ x|attr(ns.s) }}",
    'high',
  ],
  // Macros and call blocks.
  ['a macro output', '{% macro n() %}__class__{% endmacro %}{{ x|attr(n()) }}', 'critical'],
  [
    'nested macros',
    '{% macro a() %}__cla{% endmacro %}{% macro b() %}{{ a() }}ss__{% endmacro %}{{ x|attr(b()) }}',
    'critical',
  ],
  ['a macro argument', "{% macro g(o, n) %}{{ o|attr(n) }}{% endmacro %}{{ g(x, '__class__') }}", 'critical'],
  [
    'a macro keyword argument',
    "{% macro g(o, n) %}{{ o|attr(n) }}{% endmacro %}{{ g(x, n='__class__') }}",
    'critical',
  ],
  ['a macro default', "{% macro g(o, n='__class__') %}{{ o|attr(n) }}{% endmacro %}{{ g(x) }}", 'critical'],
  [
    'a call block body',
    '{% macro g(o) %}{{ o|attr(caller()) }}{% endmacro %}{% call g(x) %}__class__{% endcall %}',
    'critical',
  ],
  [
    'a caller argument',
    "{% macro g() %}{{ caller('__class__') }}{% endmacro %}{% call(n) g() %}{{ x|attr(n) }}{% endcall %}",
    'critical',
  ],
  // Statements the parser lacks, rewritten for analysis.
  ['a block tag', '{% block b %}{{ x.__class__ }}{% endblock %}', 'critical'],
  ['a do statement', '{% do x.__class__ %}', 'critical'],
  ['an autoescape block', '{% autoescape false %}{{ x.__class__ }}{% endautoescape %}', 'critical'],
  ['a filter block', "{% filter attr('__class__') %}x{% endfilter %}", 'critical'],
  ['a recursive loop', '{% for m in messages recursive %}{{ x.__class__ }}{% endfor %}', 'critical'],
  ['whitespace control', "{%- set a = '__class__' -%}{{- x[a] -}}", 'critical'],
  ['+ whitespace control', "{%+ set a = '__class__' +%}{{ x[a] }}", 'critical'],
  ['an end delimiter inside a string', "{{ x['%}__class__'] }}", 'critical'],
  // Lookups by name.
  ['the attr filter', "{{ x|attr('__class__') }}", 'critical'],
  ['chained attr filters', "{{ ()|attr('__class__')|attr('__base__') }}", 'critical'],
  ['the attr filter with a name from data', '{{ x|attr(messages[0].content) }}', 'high'],
  ['map(attribute=…)', "{{ messages|map(attribute='__class__')|list }}", 'critical'],
  ["map('attr', …)", "{{ messages|map('attr', '__class__')|list }}", 'critical'],
  ["map('attr', …) with a name from data", "{{ messages|map('attr', messages[0].content)|list }}", 'high'],
  ['selectattr', "{{ messages|selectattr('__class__')|list }}", 'critical'],
  ['sort(attribute=…)', "{{ messages|sort(attribute='__class__') }}", 'critical'],
  ['groupby', "{{ messages|groupby('__class__') }}", 'critical'],
  ['join(attribute=…)', "{{ messages|join(',', attribute='__class__') }}", 'critical'],
  ['a dotted attribute path', "{{ messages|map(attribute='0.__class__')|list }}", 'critical'],
  ['a subscript', "{{ x['__class__'] }}", 'critical'],
  ['getattr, where builtins are exposed', "{{ getattr(getattr('', '__class__'), '__mro__') }}", 'critical'],
  ['a Python builtin', "{{ eval('1 + 1') }}{{ open('/etc/passwd').read() }}", 'high'],
  // Gadgets and globals.
  ['cycler', '{{ cycler }}', 'high'],
  ['joiner', '{{ joiner() }}', 'high'],
  ['lipsum', '{{ lipsum }}', 'high'],
  ['self', '{{ self }}', 'high'],
  ['request', '{{ request.application }}', 'high'],
  ['config', '{{ config.items() }}', 'high'],
  ['a name cut from an object representation', '{% set s = (lipsum|string)[1:3] %}{{ x|attr(s) }}', 'high'],
  ['a name cut from special-token text', "{{ x[bos_token[0:2] ~ 'class' ~ bos_token[0:2]] }}", 'high'],
  ['a name cut from a generator representation', "{{ x[(messages|map('string')|string)[1]] }}", 'high'],
  // Loads.
  ['include', "{% include 'x.html' %}", 'high'],
  ['include of a list, ignoring missing', "{% include ['a', 'b'] ignore missing %}", 'high'],
  ['import', "{% import 'm.html' as m %}{{ m.f() }}", 'high'],
  ['from import', "{% from 'm.html' import f as g with context %}", 'high'],
  ['extends', "{% extends 'base.html' %}", 'high'],
];

describe('analyseTemplate', () => {
  describe('finds every evasion technique at its documented severity', () => {
    it.each(EVASIONS)('%s', (_name, template, expected) => {
      expect(worst(template)).toBe(expected);
    });
  });

  it('points at the construct in the template', () => {
    const [issue] = analyseTemplate("Hello {{ x|attr('__cla' ~ 'ss__') }} bye").issues;
    expect(issue?.construct).toBe('|attr("__class__")');
    expect(issue?.excerpt).toContain("attr('__cla' ~ 'ss__')");
  });

  it('does not report text, comments or raw blocks, which are not code', () => {
    expect(analyseTemplate('Text about __class__, cycler and lipsum')).toEqual({ issues: [] });
    expect(analyseTemplate('{# {{ x.__class__ }} #}')).toEqual({ issues: [] });
    expect(analyseTemplate('{% raw %}{{ x.__class__ }}{% endraw %}')).toEqual({ issues: [] });
    expect(analyseTemplate('# {{ x }} line statements are not enabled: __class__')).toEqual({ issues: [] });
  });

  it('analyses the rest of a template around a tag the parser refuses, and says so', () => {
    const r = analyseTemplate('{% frobnicate x %}{{ x.__class__ }}');
    expect(r.parseError).toMatch(/1 tag\(s\) the parser does not read were left out.*the rest was analysed/);
    expect(worstOf(r)).toBe('critical');
    expect(r.issues.map((i) => i.construct)).toContain('.__class__');
  });

  it('searches a refused tag itself for markers', () => {
    const r = analyseTemplate("{% frobnicate x['__cla' ~ 'ss__'] %}{{ y }}");
    expect(r.parseError).toBeDefined();
    expect(worstOf(r)).toBe('critical');
  });

  it('finds names split across a refused tag and the rest by joining the string literals', () => {
    const r = analyseTemplate("{% frobnicate a = '__cla' %}{{ x[a ~ 'ss__'] }}");
    expect(r.parseError).toBeDefined();
    expect(r.issues.map((i) => i.what)).toContain(
      'string literals that spell a dunder name when joined, in a template not fully parsed',
    );
  });

  it('falls back to token and text search when Jinja itself would refuse the template', () => {
    const template = "{{ x.__class__ }}{{ x|attr('\\x5f' ~ '_init__') }}{{ unclosed";
    const r = analyseTemplate(template);
    expect(r.parseError).toBe(
      `missing end of variable tag at character ${template.indexOf('{{ unclosed')} (Jinja refuses it too)`,
    );
    expect(worstOf(r)).toBe('critical');
    expect(r.issues.map((i) => i.construct)).toEqual(
      expect.arrayContaining(['__class__', '"__init__"', '|attr(...)']),
    );
  });

  it('searches the text of a template whose lexing fails before the payload', () => {
    const r = analyseTemplate("{{ 'bad \\x5' }}{{ cycler.__init__ }}");
    expect(r.parseError).toContain('invalid escape');
    expect(worstOf(r)).toBe('critical');
  });

  it('reports nothing but the parse error for a benign template Jinja refuses', () => {
    expect(analyseTemplate('{{ unclosed_bracket')).toEqual({
      issues: [],
      parseError: 'missing end of variable tag at character 0 (Jinja refuses it too)',
    });
  });

  it('searches templates over the size limit token by token', () => {
    const r = analyseTemplate(`${'a'.repeat(200)}{{ x['__cla' ~ 'ss__'] }}`, { maxChars: 100 });
    expect(r.parseError).toBe('template longer than 100 characters');
    expect(worstOf(r)).toBe('critical');
  });

  it('searches templates over the node limit token by token', () => {
    const template = `${'{{ a }}'.repeat(50)}{{ x.__class__ }}`;
    expect(analyseTemplate(template).parseError).toBeUndefined();
    const r = analyseTemplate(template, { maxNodes: 20 });
    expect(r.parseError).toBe('template has more than 20 syntax nodes');
    expect(worstOf(r)).toBe('critical');
  });

  it('analyses a template with invalid UTF-8 also as a reader ignoring the errors sees it', () => {
    expect(worst("{{ x['__cla\uFFFDss__'] }}")).toBe('critical');
  });

  it('keeps at most 50 issues', () => {
    const template = Array.from({ length: 80 }, (_, i) => `{{ x.__a${i}__ }}`).join('');
    expect(analyseTemplate(template).issues).toHaveLength(50);
  });
});

/**
 * Published chat templates (tokenizer_config.json `chat_template` of the models named, as released), which
 * use loops, namespace state, macros, tojson, slicing and string methods: none may be reported.
 */
const REAL_TEMPLATES: readonly (readonly [string, string])[] = [
  [
    'Llama 3',
    `{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>

'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>

' }}{% endif %}`,
  ],
  [
    'Llama 3.1 (tools, tojson)',
    String.raw`{{- bos_token }}
{%- if custom_tools is defined %}
    {%- set tools = custom_tools %}
{%- endif %}
{%- if not tools_in_user_message is defined %}
    {%- set tools_in_user_message = true %}
{%- endif %}
{%- if not date_string is defined %}
    {%- set date_string = "26 Jul 2024" %}
{%- endif %}
{%- if not tools is defined %}
    {%- set tools = none %}
{%- endif %}

{#- This block extracts the system message, so we can slot it into the right place. #}
{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content']|trim %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set system_message = "" %}
{%- endif %}

{#- System message + builtin tools #}
{{- "<|start_header_id|>system<|end_header_id|>\n\n" }}
{%- if builtin_tools is defined or tools is not none %}
    {{- "Environment: ipython\n" }}
{%- endif %}
{%- if builtin_tools is defined %}
    {{- "Tools: " + builtin_tools | reject('equalto', 'code_interpreter') | join(", ") + "\n\n"}}
{%- endif %}
{{- "Cutting Knowledge Date: December 2023\n" }}
{{- "Today Date: " + date_string + "\n\n" }}
{%- if tools is not none and not tools_in_user_message %}
    {{- "You have access to the following functions. To call a function, please respond with JSON for a function call." }}
    {{- 'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.' }}
    {{- "Do not use variables.\n\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\n\n" }}
    {%- endfor %}
{%- endif %}
{{- system_message }}
{{- "<|eot_id|>" }}

{#- Custom tools are passed in a user message with some extra guidance #}
{%- if tools_in_user_message and not tools is none %}
    {#- Extract the first user message so we can plug it in here #}
    {%- if messages | length != 0 %}
        {%- set first_user_message = messages[0]['content']|trim %}
        {%- set messages = messages[1:] %}
    {%- else %}
        {{- raise_exception("Cannot put tools in the first user message when there's no first user message!") }}
{%- endif %}
    {{- '<|start_header_id|>user<|end_header_id|>\n\n' -}}
    {{- "Given the following functions, please respond with a JSON for a function call " }}
    {{- "with its proper arguments that best answers the given prompt.\n\n" }}
    {{- 'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.' }}
    {{- "Do not use variables.\n\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\n\n" }}
    {%- endfor %}
    {{- first_user_message + "<|eot_id|>"}}
{%- endif %}

{%- for message in messages %}
    {%- if not (message.role == 'ipython' or message.role == 'tool' or 'tool_calls' in message) %}
        {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' }}
    {%- elif 'tool_calls' in message %}
        {%- if not message.tool_calls|length == 1 %}
            {{- raise_exception("This model only supports single tool-calls at once!") }}
        {%- endif %}
        {%- set tool_call = message.tool_calls[0].function %}
        {%- if builtin_tools is defined and tool_call.name in builtin_tools %}
            {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' -}}
            {{- "<|python_tag|>" + tool_call.name + ".call(" }}
            {%- for arg_name, arg_val in tool_call.arguments | items %}
                {{- arg_name + '="' + arg_val + '"' }}
                {%- if not loop.last %}
                    {{- ", " }}
                {%- endif %}
                {%- endfor %}
            {{- ")" }}
        {%- else  %}
            {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' -}}
            {{- '{"name": "' + tool_call.name + '", ' }}
            {{- '"parameters": ' }}
            {{- tool_call.arguments | tojson }}
            {{- "}" }}
        {%- endif %}
        {%- if builtin_tools is defined %}
            {#- This means we're in ipython mode #}
            {{- "<|eom_id|>" }}
        {%- else %}
            {{- "<|eot_id|>" }}
        {%- endif %}
    {%- elif message.role == "tool" or message.role == "ipython" %}
        {{- "<|start_header_id|>ipython<|end_header_id|>\n\n" }}
        {%- if message.content is mapping or message.content is iterable %}
            {{- message.content | tojson }}
        {%- else %}
            {{- message.content }}
        {%- endif %}
        {{- "<|eot_id|>" }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
{%- endif %}`,
  ],
  [
    'Llama 3.2 (strftime_now)',
    String.raw`{{- bos_token }}
{%- if not date_string is defined %}
    {%- if strftime_now is defined %}
        {%- set date_string = strftime_now("%d %b %Y") %}
    {%- else %}
        {%- set date_string = "26 Jul 2024" %}
    {%- endif %}
{%- endif %}
{{- "Today Date: " + date_string + "\n\n" }}`,
  ],
  [
    'Llama 2',
    String.raw`{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\n' + system_message + '\n<</SYS>>\n\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}`,
  ],
  [
    'Mistral 7B Instruct',
    `{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}`,
  ],
  [
    'Mistral Nemo (tools, namespace counter)',
    String.raw`{%- if messages[0]["role"] == "system" %}
    {%- set system_message = messages[0]["content"] %}
    {%- set loop_messages = messages[1:] %}
{%- else %}
    {%- set loop_messages = messages %}
{%- endif %}
{%- if not tools is defined %}
    {%- set tools = none %}
{%- endif %}
{%- set user_messages = loop_messages | selectattr("role", "equalto", "user") | list %}

{#- This block checks for alternating user/assistant messages, skipping tool calling messages #}
{%- set ns = namespace() %}
{%- set ns.index = 0 %}
{%- for message in loop_messages %}
    {%- if not (message.role == "tool" or message.role == "tool_results" or (message.tool_calls is defined and message.tool_calls is not none)) %}
        {%- if (message["role"] == "user") != (ns.index % 2 == 0) %}
            {{- raise_exception("After the optional system message, conversation roles must alternate user/assistant/user/assistant/...") }}
        {%- endif %}
        {%- set ns.index = ns.index + 1 %}
    {%- endif %}
{%- endfor %}

{{- bos_token }}
{%- for message in loop_messages %}
    {%- if message["role"] == "user" %}
        {%- if tools is not none and (message == user_messages[-1]) %}
            {{- "[AVAILABLE_TOOLS][" }}
            {%- for tool in tools %}
                {%- set tool = tool.function %}
                {{- '{"type": "function", "function": {' }}
                {%- for key, val in tool.items() if key != "return" %}
                    {%- if val is string %}
                        {{- '"' + key + '": "' + val + '"' }}
                    {%- else %}
                        {{- '"' + key + '": ' + val|tojson }}
                    {%- endif %}
                    {%- if not loop.last %}
                        {{- ", " }}
                    {%- endif %}
                {%- endfor %}
                {{- "}}" }}
                {%- if not loop.last %}
                    {{- ", " }}
                {%- else %}
                    {{- "]" }}
                {%- endif %}
            {%- endfor %}
            {{- "[/AVAILABLE_TOOLS]" }}
            {%- endif %}
        {%- if loop.last and system_message is defined %}
            {{- "[INST]" + system_message + "\n\n" + message["content"] + "[/INST]" }}
        {%- else %}
            {{- "[INST]" + message["content"] + "[/INST]" }}
        {%- endif %}
    {%- elif (message.tool_calls is defined and message.tool_calls is not none) %}
        {{- "[TOOL_CALLS][" }}
        {%- for tool_call in message.tool_calls %}
            {%- set out = tool_call.function|tojson %}
            {{- out[:-1] }}
            {%- if not tool_call.id is defined or tool_call.id|length != 9 %}
                {{- raise_exception("Tool call IDs should be alphanumeric strings with length 9!") }}
            {%- endif %}
            {{- ', "id": "' + tool_call.id + '"}' }}
            {%- if not loop.last %}
                {{- ", " }}
            {%- else %}
                {{- "]" + eos_token }}
            {%- endif %}
        {%- endfor %}
    {%- elif message["role"] == "assistant" %}
        {{- message["content"] + eos_token}}
    {%- elif message["role"] == "tool_results" or message["role"] == "tool" %}
        {%- if message.content is defined and message.content.content is defined %}
            {%- set content = message.content.content %}
        {%- else %}
            {%- set content = message.content %}
        {%- endif %}
        {{- '[TOOL_RESULTS]{"content": ' + content|string + ", " }}
        {%- if not message.tool_call_id is defined or message.tool_call_id|length != 9 %}
            {{- raise_exception("Tool call IDs should be alphanumeric strings with length 9!") }}
        {%- endif %}
        {{- '"call_id": "' + message.tool_call_id + '"}[/TOOL_RESULTS]' }}
    {%- else %}
        {{- raise_exception("Only user and assistant roles are supported, with the exception of an initial optional system message!") }}
    {%- endif %}
{%- endfor %}`,
  ],
  [
    'Qwen2',
    `{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system
You are a helpful assistant.<|im_end|>
' }}{% endif %}{{'<|im_start|>' + message['role'] + '
' + message['content'] + '<|im_end|>' + '
'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant
' }}{% endif %}`,
  ],
  [
    'Qwen2.5 (tools)',
    String.raw`{%- if tools %}
    {{- '<|im_start|>system\n' }}
    {%- if messages[0]['role'] == 'system' %}
        {{- messages[0]['content'] }}
    {%- else %}
        {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}
    {%- endif %}
    {{- "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>" }}
    {%- for tool in tools %}
        {{- "\n" }}
        {{- tool | tojson }}
    {%- endfor %}
    {{- "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" }}
{%- else %}
    {%- if messages[0]['role'] == 'system' %}
        {{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}
    {%- else %}
        {{- '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' }}
    {%- endif %}
{%- endif %}
{%- for message in messages %}
    {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}
        {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n' }}
    {%- elif message.role == "assistant" %}
        {{- '<|im_start|>' + message.role }}
        {%- if message.content %}
            {{- '\n' + message.content }}
        {%- endif %}
        {%- for tool_call in message.tool_calls %}
            {%- if tool_call.function is defined %}
                {%- set tool_call = tool_call.function %}
            {%- endif %}
            {{- '\n<tool_call>\n{"name": "' }}
            {{- tool_call.name }}
            {{- '", "arguments": ' }}
            {{- tool_call.arguments | tojson }}
            {{- '}\n</tool_call>' }}
        {%- endfor %}
        {{- '<|im_end|>\n' }}
    {%- elif message.role == "tool" %}
        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\n<tool_response>\n' }}
        {{- message.content }}
        {{- '\n</tool_response>' }}
        {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
            {{- '<|im_end|>\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}
{%- endif %}`,
  ],
  [
    'Qwen3 (namespace, reversed loop, split)',
    String.raw`{%- if tools %}
    {{- '<|im_start|>system\n' }}
    {%- if messages[0].role == 'system' %}
        {{- messages[0].content + '\n\n' }}
    {%- endif %}
    {{- "# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>" }}
    {%- for tool in tools %}
        {{- "\n" }}
        {{- tool | tojson }}
    {%- endfor %}
    {{- "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" }}
{%- else %}
    {%- if messages[0].role == 'system' %}
        {{- '<|im_start|>system\n' + messages[0].content + '<|im_end|>\n' }}
    {%- endif %}
{%- endif %}
{%- set ns = namespace(multi_step_tool=true, last_query_index=messages|length - 1) %}
{%- for message in messages[::-1] %}
    {%- set index = (messages|length - 1) - loop.index0 %}
    {%- if ns.multi_step_tool and message.role == "user" and message.content is string and not(message.content.startswith('<tool_response>') and message.content.endswith('</tool_response>')) %}
        {%- set ns.multi_step_tool = false %}
        {%- set ns.last_query_index = index %}
    {%- endif %}
{%- endfor %}
{%- for message in messages %}
    {%- if message.content is string %}
        {%- set content = message.content %}
    {%- else %}
        {%- set content = '' %}
    {%- endif %}
    {%- if (message.role == "user") or (message.role == "system" and not loop.first) %}
        {{- '<|im_start|>' + message.role + '\n' + content + '<|im_end|>' + '\n' }}
    {%- elif message.role == "assistant" %}
        {%- set reasoning_content = '' %}
        {%- if message.reasoning_content is string %}
            {%- set reasoning_content = message.reasoning_content %}
        {%- else %}
            {%- if '</think>' in content %}
                {%- set reasoning_content = content.split('</think>')[0].rstrip('\n').split('<think>')[-1].lstrip('\n') %}
                {%- set content = content.split('</think>')[-1].lstrip('\n') %}
            {%- endif %}
        {%- endif %}
        {%- if loop.index0 > ns.last_query_index %}
            {%- if loop.last or (not loop.last and reasoning_content) %}
                {{- '<|im_start|>' + message.role + '\n<think>\n' + reasoning_content.strip('\n') + '\n</think>\n\n' + content.lstrip('\n') }}
            {%- else %}
                {{- '<|im_start|>' + message.role + '\n' + content }}
            {%- endif %}
        {%- else %}
            {{- '<|im_start|>' + message.role + '\n' + content }}
        {%- endif %}
        {%- if message.tool_calls %}
            {%- for tool_call in message.tool_calls %}
                {%- if (loop.first and content) or (not loop.first) %}
                    {{- '\n' }}
                {%- endif %}
                {%- if tool_call.function %}
                    {%- set tool_call = tool_call.function %}
                {%- endif %}
                {{- '<tool_call>\n{"name": "' }}
                {{- tool_call.name }}
                {{- '", "arguments": ' }}
                {%- if tool_call.arguments is string %}
                    {{- tool_call.arguments }}
                {%- else %}
                    {{- tool_call.arguments | tojson }}
                {%- endif %}
                {{- '}\n</tool_call>' }}
            {%- endfor %}
        {%- endif %}
        {{- '<|im_end|>\n' }}
    {%- elif message.role == "tool" %}
        {%- if loop.first or (messages[loop.index0 - 1].role != "tool") %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\n<tool_response>\n' }}
        {{- content }}
        {{- '\n</tool_response>' }}
        {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
            {{- '<|im_end|>\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}
    {%- if enable_thinking is defined and enable_thinking is false %}
        {{- '<think>\n\n</think>\n\n' }}
    {%- endif %}
{%- endif %}`,
  ],
  [
    'Gemma',
    `{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '
' + message['content'] | trim + '<end_of_turn>
' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model
'}}{% endif %}`,
  ],
  [
    'Gemma 3',
    `{{ bos_token }}
{%- if messages[0]['role'] == 'system' -%}
    {%- if messages[0]['content'] is string -%}
        {%- set first_user_prefix = messages[0]['content'] + '

' -%}
    {%- else -%}
        {%- set first_user_prefix = messages[0]['content'][0]['text'] + '

' -%}
    {%- endif -%}
    {%- set loop_messages = messages[1:] -%}
{%- else -%}
    {%- set first_user_prefix = "" -%}
    {%- set loop_messages = messages -%}
{%- endif -%}
{%- for message in loop_messages -%}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
        {{ raise_exception("Conversation roles must alternate user/assistant/user/assistant/...") }}
    {%- endif -%}
    {%- if (message['role'] == 'assistant') -%}
        {%- set role = "model" -%}
    {%- else -%}
        {%- set role = message['role'] -%}
    {%- endif -%}
    {{ '<start_of_turn>' + role + '
' + (first_user_prefix if loop.first else "") }}
    {%- if message['content'] is string -%}
        {{ message['content'] | trim }}
    {%- elif message['content'] is iterable -%}
        {%- for item in message['content'] -%}
            {%- if item['type'] == 'image' -%}
                {{ '<start_of_image>' }}
            {%- elif item['type'] == 'text' -%}
                {{ item['text'] | trim }}
            {%- endif -%}
        {%- endfor -%}
    {%- else -%}
        {{ raise_exception("Invalid content type") }}
    {%- endif -%}
    {{ '<end_of_turn>
' }}
{%- endfor -%}
{%- if add_generation_prompt -%}
    {{'<start_of_turn>model
'}}
{%- endif -%}`,
  ],
  [
    'Phi-3',
    `{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>
' + message['content'] + '<|end|>
'}}{% elif message['role'] == 'user' %}{{'<|user|>
' + message['content'] + '<|end|>
'}}{% elif message['role'] == 'assistant' %}{{'<|assistant|>
' + message['content'] + '<|end|>
'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>
' }}{% else %}{{ eos_token }}{% endif %}`,
  ],
  [
    'Zephyr',
    `{% for message in messages %}
{% if message['role'] == 'user' %}
{{ '<|user|>
' + message['content'] + eos_token }}
{% elif message['role'] == 'system' %}
{{ '<|system|>
' + message['content'] + eos_token }}
{% elif message['role'] == 'assistant' %}
{{ '<|assistant|>
'  + message['content'] + eos_token }}
{% endif %}
{% if loop.last and add_generation_prompt %}
{{ '<|assistant|>' }}
{% endif %}
{% endfor %}`,
  ],
  [
    'DeepSeek-R1 (namespace, tool calls)',
    String.raw`{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}{% set ns = namespace(is_first=false, is_tool=false, is_output_first=true, system_prompt='') %}{%- for message in messages %}{%- if message['role'] == 'system' %}{% set ns.system_prompt = message['content'] %}{%- endif %}{%- endfor %}{{bos_token}}{{ns.system_prompt}}{%- for message in messages %}{%- if message['role'] == 'user' %}{%- set ns.is_tool = false -%}{{'<｜User｜>' + message['content']}}{%- endif %}{%- if message['role'] == 'assistant' and message['content'] is none %}{%- set ns.is_tool = false -%}{%- for tool in message['tool_calls']%}{%- if not ns.is_first %}{{'<｜Assistant｜><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>' + tool['type'] + '<｜tool▁sep｜>' + tool['function']['name'] + '\n' + '${'`'}${'`'}${'`'}json' + '\n' + tool['function']['arguments'] + '\n' + '${'`'}${'`'}${'`'}' + '<｜tool▁call▁end｜>'}}{%- set ns.is_first = true -%}{%- else %}{{'\n' + '<｜tool▁call▁begin｜>' + tool['type'] + '<｜tool▁sep｜>' + tool['function']['name'] + '\n' + '${'`'}${'`'}${'`'}json' + '\n' + tool['function']['arguments'] + '\n' + '${'`'}${'`'}${'`'}' + '<｜tool▁call▁end｜>'}}{{'<｜tool▁calls▁end｜><｜end▁of▁sentence｜>'}}{%- endif %}{%- endfor %}{%- endif %}{%- if message['role'] == 'assistant' and message['content'] is not none %}{%- if ns.is_tool %}{{'<｜tool▁outputs▁end｜>' + message['content'] + '<｜end▁of▁sentence｜>'}}{%- set ns.is_tool = false -%}{%- else %}{% set content = message['content'] %}{% if '</think>' in content %}{% set content = content.split('</think>')[-1] %}{% endif %}{{'<｜Assistant｜>' + content + '<｜end▁of▁sentence｜>'}}{%- endif %}{%- endif %}{%- if message['role'] == 'tool' %}{%- set ns.is_tool = true -%}{%- if ns.is_output_first %}{{'<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>' + message['content'] + '<｜tool▁output▁end｜>'}}{%- set ns.is_output_first = false %}{%- else %}{{'\n<｜tool▁output▁begin｜>' + message['content'] + '<｜tool▁output▁end｜>'}}{%- endif %}{%- endif %}{%- endfor -%}{% if ns.is_tool %}{{'<｜tool▁outputs▁end｜>'}}{% endif %}{% if add_generation_prompt and not ns.is_tool %}{{'<｜Assistant｜><think>\n'}}{% endif %}`,
  ],
  [
    'Hermes 2 Pro (recursive macro, tools)',
    String.raw`{%- macro json_to_python_type(json_spec) %}
{%- set basic_type_map = {
    "string": "str",
    "number": "float",
    "integer": "int",
    "boolean": "bool"
} %}

{%- if basic_type_map[json_spec.type] is defined %}
    {{- basic_type_map[json_spec.type] }}
{%- elif json_spec.type == "array" %}
    {{- "list[" +  json_to_python_type(json_spec|items) + "]"}}
{%- elif json_spec.type == "object" %}
    {%- if json_spec.additionalProperties is defined %}
        {{- "dict[str, " + json_to_python_type(json_spec.additionalProperties) + ']'}}
    {%- else %}
        {{- "dict" }}
    {%- endif %}
{%- elif json_spec.type is iterable %}
    {{- "Union[" }}
    {%- for t in json_spec.type %}
      {{- json_to_python_type({"type": t}) }}
      {%- if not loop.last %}
        {{- "," }} 
    {%- endif %}
    {%- endfor %}
    {{- "]" }}
{%- else %}
    {{- "Any" }}
{%- endif %}
{%- endmacro %}


{{- bos_token }}
{{- '<|im_start|>system\n' }}
{{- "You are a function calling AI model. You are provided with function signatures within <tools></tools> XML tags. You may call one or more functions to assist with the user query. Don't make assumptions about what values to plug into functions. Here are the available tools: <tools> " }}
{%- for tool in tools %}
    {%- if tool.function is defined %}
        {%- set tool = tool.function %}
    {%- endif %}
    {{- '{"type": "function", "function": ' }}
    {{- '{"name": "' + tool.name + '", ' }}
    {{- '"description": "' + tool.name + '(' }}
    {%- for param_name, param_fields in tool.parameters.properties|items %}
        {{- param_name + ": " + json_to_python_type(param_fields) }}
        {%- if not loop.last %}
            {{- ", " }}
        {%- endif %}
    {%- endfor %}
    {{- ")" }}
    {%- if tool.return is defined %}
        {{- " -> " + json_to_python_type(tool.return) }}
    {%- endif %}
    {{- " - " + tool.description + "\n\n" }}
    {%- for param_name, param_fields in tool.parameters.properties|items %}
        {%- if loop.first %}
            {{- "    Args:\n" }}
        {%- endif %}
        {{- "        " + param_name + "(" + json_to_python_type(param_fields) + "): " + param_fields.description|trim }}
    {%- endfor %}
    {%- if tool.return is defined and tool.return.description is defined %}
        {{- "\n    Returns:\n        " + tool.return.description }}
    {%- endif %}
    {{- '"' }}
    {{- ', "parameters": ' }}
    {%- if tool.parameters.properties | length == 0 %}
        {{- "{}" }}
    {%- else %}
        {{- tool.parameters|tojson }}
    {%- endif %}
    {{- "}" }}
    {%- if not loop.last %}
        {{- "\n" }}
    {%- endif %}
{%- endfor %}
{{- " </tools>" }}
{{- 'Use the following pydantic model json schema for each tool call you will make: {"properties": {"name": {"title": "Name", "type": "string"}, "arguments": {"title": "Arguments", "type": "object"}}, "required": ["name", "arguments"], "title": "FunctionCall", "type": "object"}
' }}
{{- "For each function call return a json object with function name and arguments within <tool_call></tool_call> XML tags as follows:
" }}
{{- "<tool_call>
" }}
{{- '{"name": <function-name>, "arguments": <args-dict>}
' }}
{{- '</tool_call><|im_end|>
' }}
{%- for message in messages %}
    {%- if message.role == "user" or message.role == "system" or (message.role == "assistant" and message.tool_calls is not defined) %}
        {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n' }}
    {%- elif message.role == "assistant" %}
        {{- '<|im_start|>' + message.role }}
    {%- for tool_call in message.tool_calls %}
       {{- '\n<tool_call>\n' }}           {%- if tool_call.function is defined %}
                {%- set tool_call = tool_call.function %}
            {%- endif %}
            {{- '{' }}
            {{- '"name": "' }}
            {{- tool_call.name }}
            {{- '"' }}
            {{- ', '}}
            {%- if tool_call.arguments is defined %}
                {{- '"arguments": ' }}
                {%- if tool_call.arguments is string %}
                    {{- tool_call.arguments }}
                {%- else %}
                    {{- tool_call.arguments|tojson }}
                {%- endif %}
            {%- endif %}
            {{- '}' }}
            {{- '\n</tool_call>' }}
    {%- endfor %}
        {{- '<|im_end|>\n' }}
    {%- elif message.role == "tool" %}
        {%- if loop.previtem and loop.previtem.role != "tool" %}
            {{- '<|im_start|>tool\n' }}
        {%- endif %}
        {{- '<tool_response>\n' }}
        {{- message.content }}
        {%- if not loop.last %}
            {{- '\n</tool_response>\n' }}
        {%- else %}
            {{- '\n</tool_response>' }}
        {%- endif %}
        {%- if not loop.last and loop.nextitem.role != "tool" %}
            {{- '<|im_end|>' }}
        {%- elif loop.last %}
            {{- '<|im_end|>' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}
{%- endif %}`,
  ],
];

/** Templates shaped like real ones that stress the "built at render time" mark. */
const ORDINARY_TEMPLATES: readonly string[] = [
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
  "{% set ns = namespace(system='') %}{% for m in messages %}{% if m.role == 'system' %}{% set ns.system = m.content|trim %}{% endif %}{% endfor %}{{ bos_token + ns.system }}",
  '{% macro render(m) %}{{ m.content | tojson }}{% endmacro %}{% for m in messages %}{{ render(m) }}{% endfor %}',
  "{{ raise_exception('Conversation roles must alternate') if messages|length > 10 else '' }}",
  // A counter that grows on every fixpoint pass indexes messages: a number, not a built name.
  '{% set ns = namespace(i=0) %}{% for m in messages %}{{ messages[ns.i].content }}{% set ns.i = ns.i + 1 %}{% endfor %}',
  '{% set idx = namespace(n=0) %}{% for m in messages %}{% set idx.n = idx.n + 1 %}{% endfor %}{{ messages[idx.n - 1] }}',
  // Chat data formatted into a key is data, as it is when concatenated.
  "{% for m in messages %}{{ d['%s' % m.role] }}{{ d['{}_x'.format(m.role)] }}{{ d[m.role ~ '_x'] }}{{ ['A', 'B'][loop.index0 % 2] }}{% endfor %}",
  "{% set role_map = {'user': 'User', 'assistant': 'Assistant'} %}{% for m in messages %}{{ role_map[m.role] }}{% endfor %}",
  "{% set roles = 'user,assistant'.split(',') %}{{ prompts[roles[0]] }}",
  "{% set k = 'system' if loop.first else 'user' %}{{ prompts[k] }}",
  '{% generation %}{{ m.content }}{% endgeneration %}',
  "{{ (messages|selectattr('role', 'equalto', 'system')|list|first).content }}",
  "{{ messages | map(attribute='content') | join('\\n') }}{{ '\\n'.join(messages|map(attribute='content')) }}",
  "{% for c in message['content'] | selectattr('type', 'equalto', 'image') %}<image>{% endfor %}",
  '{% for request in requests %}{{ request.text }}{% endfor %}{{ tool.config }}{{ f(config=1) }}{{ ns.self }}',
  "{% set ns = namespace(indent='') %}{% for m in messages %}{% set ns.indent = ns.indent ~ '  ' %}{{ ns.indent }}{{ m.content }}{% endfor %}",
  "{% set parts = message.content.split('\\n') %}{% for p in parts %}{{ p|trim }}{% endfor %}{{ parts[0] }}{{ parts[-1] }}",
  '{% set key = message.role|lower %}{{ templates[key] }}{{ message.content[:100] }}{{ tool_call.arguments[key] }}',
  "{% for key, value in tool.parameters.properties.items() %}{{ key }}: {{ value['type'] }}{{ value[key] }}{% endfor %}",
  "{% set date = strftime_now('%d %B %Y') %}{{ date }}{{ '%d items' % (messages|length) }}",
  "{% set ns = namespace(parts=[]) %}{% for m in messages %}{% set ns.parts = ns.parts + [m.content] %}{% endfor %}{{ ns.parts|join('\\n') }}{{ ns.parts[0] }}",
  "{% for m in messages %}{% set content = m.content %}{% if '</think>' in content %}{% set content = content.split('</think>')[-1].lstrip('\\n') %}{% endif %}{{ lookup[content] }}{% endfor %}",
  '{% macro render_content(content) %}{% if content is string %}{{ content }}{% else %}{% for c in content %}{{ c.text }}{% endfor %}{% endif %}{% endmacro %}{{ render_content(messages[0].content) }}',
];

describe('analyseTemplate on real chat templates', () => {
  it.each(REAL_TEMPLATES)('finds nothing in %s', (_name, template) => {
    expect(analyseTemplate(template)).toEqual({ issues: [] });
  });

  it.each(ORDINARY_TEMPLATES)('finds nothing in %s', (template) => {
    expect(analyseTemplate(template)).toEqual({ issues: [] });
  });
});

const SAMPLES = fileURLToPath(
  new URL('../../../../shared/data/model-corpus/modelaudit/tests/assets/samples/jinja2/', import.meta.url),
);

/** The templates of a sample file: a template file's text, or string values under keys naming a template. */
function templatesIn(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  if (!/\.(json|ya?ml)$/.test(path)) return [text];
  const data: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  const found: string[] = [];
  const walk = (value: unknown, key: string) => {
    if (typeof value === 'string' && /template/i.test(key)) found.push(value);
    else if (typeof value === 'object' && value !== null)
      for (const [k, v] of Object.entries(value)) walk(v, Array.isArray(value) ? key : k);
  };
  walk(data, '');
  return found;
}

/** ModelAudit's benign samples (safe in the corpus's expected.csv), with the edge case Jinja refuses. */
const BENIGN_SAMPLES = [
  ...['benign', 'standalone', 'yaml', 'edge_cases', '.'].flatMap((dir) =>
    existsSync(`${SAMPLES}${dir}`)
      ? readdirSync(`${SAMPLES}${dir}`)
          .filter(
            (f) =>
              dir === 'benign' ||
              /^(benign|model_config|empty|malformed|no_template|oversized|suspicious_benign)/.test(f),
          )
          .filter((f) => statSync(`${SAMPLES}${dir}/${f}`).isFile())
          .map((f) => `${dir}/${f}`)
      : [],
  ),
];

describe.skipIf(!existsSync(SAMPLES))('analyseTemplate on the corpus samples', () => {
  it('has the benign samples', () => {
    expect(BENIGN_SAMPLES).toHaveLength(17);
  });

  it.each(BENIGN_SAMPLES)('finds nothing in %s', (file) => {
    for (const template of templatesIn(`${SAMPLES}${file}`)) {
      const r = analyseTemplate(template);
      expect(r.issues).toEqual([]);
      if (file !== 'edge_cases/malformed_template.json') expect(r.parseError).toBeUndefined();
    }
  });

  const malicious = ['malicious', 'obfuscated'].flatMap((dir) =>
    existsSync(`${SAMPLES}${dir}`) ? readdirSync(`${SAMPLES}${dir}`).map((f) => `${dir}/${f}`) : [],
  );
  it.each(malicious)('finds %s critical', (file) => {
    const templates = templatesIn(`${SAMPLES}${file}`);
    expect(templates.length).toBeGreaterThan(0);
    expect(templates.map(worst)).toContain('critical');
  });
});
