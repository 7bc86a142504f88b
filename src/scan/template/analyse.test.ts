import { describe, expect, it } from 'vitest';
import { analyseTemplate } from './analyse.js';

const worst = (t: string) => {
  const r = analyseTemplate(t);
  return r.issues.some((i) => i.severity === 'critical') ? 'critical' : r.issues.length > 0 ? 'high' : 'none';
};

describe('chat template analysis', () => {
  it('finds nothing in real chat templates (loops, namespace state, filters, macros)', () => {
    const templates = [
      "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
      "{% set ns = namespace(system='') %}{% for m in messages %}{% if m.role == 'system' %}{% set ns.system = m.content|trim %}{% endif %}{% endfor %}{{ bos_token + ns.system }}",
      '{% macro render(m) %}{{ m.content | tojson }}{% endmacro %}{% for m in messages %}{{ render(m) }}{% endfor %}',
      "{{ raise_exception('Conversation roles must alternate') if messages|length > 10 else '' }}",
    ];
    for (const t of templates) expect(analyseTemplate(t), t).toEqual({ issues: [] });
  });

  it('finds the CVE-2024-34359 payload and its relatives', () => {
    expect(worst("{{ cycler.__init__.__globals__.os.popen('id').read() }}")).toBe('critical');
    expect(worst("{{ ''.__class__.__mro__[1].__subclasses__() }}")).toBe('critical');
    expect(worst('{{ self._TemplateReference__context.joiner.__init__.__globals__.os }}')).toBe('critical');
    expect(worst("{{ lipsum['__glo' ~ 'bals__'] }}")).toBe('critical');
  });

  it('finds dunders hidden behind attr, concatenation and case or order filters', () => {
    expect(worst("{{ x|attr('__class__') }}")).toBe('critical');
    expect(worst('{{ x|attr(name) }}')).toBe('high');
    expect(worst("{{ x[('_' ~ '_class__')] }}")).toBe('critical');
    expect(worst("{% set a = '__CLASS__'|lower %}{{ x|attr(a) }}")).toBe('critical');
    expect(worst("{{ x|attr('__ssalc__'|reverse) }}")).toBe('critical');
  });

  it('falls back to a text search when the parser refuses the template, and says so', () => {
    const r = analyseTemplate('{% raw %}{{ x.__class__ }}{% endraw %}{% with %}');
    expect(r.parseError).toBeDefined();
    expect(r.issues.map((i) => i.construct)).toContain('__class__');
  });
});
