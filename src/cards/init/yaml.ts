/**
 * A small YAML writer for card front matter: mappings in the order given, lists, strings and numbers, and a
 * comment after a scalar. The Hub reads front matter with PyYAML (YAML 1.1), so scalars are written so that
 * YAML 1.1 reads them back as the same value: strings that could read as something else (`yes`, `1.0`,
 * `a: b`) are double-quoted with every non-printable-ASCII character escaped, and floats carry a `.` (PyYAML's
 * float resolver needs one: `1e-05` would read as a string).
 */

export type YamlScalar = string | number;
export type YamlValue = YamlScalar | YamlMap | readonly YamlValue[];

export interface YamlEntry {
  readonly key: string;
  readonly value: YamlValue;
  /** Written after a scalar value as `# comment`. */
  readonly comment?: string;
}

export interface YamlMap {
  readonly entries: readonly YamlEntry[];
}

export function yamlMap(entries: readonly (YamlEntry | undefined)[]): YamlMap {
  return { entries: entries.filter((e): e is YamlEntry => e !== undefined) };
}

function isMap(value: YamlValue): value is YamlMap {
  return typeof value === 'object' && !Array.isArray(value);
}

/** Plain scalars YAML 1.1 (and PyYAML) would read as booleans or null. */
const YAML11_SPECIAL = /^(?:y|n|yes|no|true|false|on|off|null|~)$/i;
/** A plain scalar that reads back as the same string: starts with a letter, no `: `, `#`, quotes or flow marks. */
const SAFE_PLAIN = /^[A-Za-z][A-Za-z0-9._/+-]*$/;

/** A string scalar: plain when that is unambiguous, else double-quoted with escapes. */
export function yamlString(value: string): string {
  if (SAFE_PLAIN.test(value) && !YAML11_SPECIAL.test(value)) return value;
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0) as number;
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (code >= 0x20 && code < 0x7f) out += char;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** A number as YAML 1.1 reads it back: integers as is, floats with a `.` before any exponent. */
export function yamlNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot write ${value} as a YAML number`);
  const text = String(value);
  if (Number.isInteger(value) && !/e/i.test(text)) return text;
  const [mantissa = text, exponent] = text.split('e');
  const withDot = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return exponent === undefined
    ? withDot
    : `${withDot}e${/^[+-]/.test(exponent) ? exponent : `+${exponent}`}`;
}

function scalar(value: YamlScalar): string {
  return typeof value === 'number' ? yamlNumber(value) : yamlString(value);
}

/** A comment kept on one line, printable. */
function comment(text: string | undefined): string {
  if (text === undefined) return '';
  return `  # ${text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')}`;
}

function key(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) ? name : yamlString(name);
}

function writeMap(map: YamlMap, indent: string, out: string[], firstPrefix?: string): void {
  map.entries.forEach((entry, i) => {
    const lead = i === 0 && firstPrefix !== undefined ? firstPrefix : indent;
    const value = entry.value;
    if (Array.isArray(value)) {
      out.push(`${lead}${key(entry.key)}:${comment(entry.comment)}`);
      writeList(value, indent, out);
    } else if (isMap(value as YamlValue)) {
      out.push(`${lead}${key(entry.key)}:${comment(entry.comment)}`);
      writeMap(value as YamlMap, `${indent}  `, out);
    } else out.push(`${lead}${key(entry.key)}: ${scalar(value as YamlScalar)}${comment(entry.comment)}`);
  });
}

/** Lists at the key's indentation (`tags:\n- a`), the Hub's own style. */
function writeList(items: readonly YamlValue[], indent: string, out: string[]): void {
  for (const item of items) {
    if (Array.isArray(item)) throw new RangeError('nested lists are not written');
    if (isMap(item as YamlValue)) writeMap(item as YamlMap, `${indent}  `, out, `${indent}- `);
    else out.push(`${indent}- ${scalar(item as YamlScalar)}`);
  }
}

/** The YAML lines of a mapping (without `---` delimiters). */
export function toYamlLines(map: YamlMap): string[] {
  const out: string[] = [];
  writeMap(map, '', out);
  return out;
}
