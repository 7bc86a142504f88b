/**
 * Text-format SavedModels and GraphDefs (`saved_model.pbtxt`, which the loader reads when there is no
 * saved_model.pb, and `graph.pbtxt`) are scanned for their ops, not parsed: every `op: "..."` field with
 * the name of the node it is in. String values are unescaped as protobuf's text format does (C escapes,
 * octal and hex, adjacent strings concatenated), so `op: "\120yFunc"` is `PyFunc`. Constant paths and the
 * saver are not resolved, which the analyser reports.
 */

/** Characters of text scanned; larger files are scanned up to it and reported as not fully analysed. */
export const MAX_TEXT_SCAN_CHARS = 64 * 1024 * 1024;
/** Characters searched back from an op for its node's name. */
const NAME_LOOKBACK_CHARS = 1024;

export interface TextOp {
  readonly op: string;
  /** The `name` of the enclosing node, if found just before the op. */
  readonly node: string;
  /** Character offset of the `op` field. */
  readonly offset: number;
}

const QUOTED = String.raw`(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')`;
/** Every quoted string (matchAll clones a global pattern, so one instance serves every call). */
const QUOTED_ALL = new RegExp(QUOTED, 'g');
const OP_FIELD = new RegExp(String.raw`(?:^|[\s{;,])op\s*:?\s*((?:${QUOTED}\s*)+)`, 'g');
const NAME_FIELD = new RegExp(String.raw`(?:^|[\s{;,])name\s*:?\s*((?:${QUOTED}\s*)+)`, 'g');

/** Whether text looks like a text-format SavedModel or GraphDef. */
export function isGraphText(text: string): boolean {
  return /(?:^|\n)\s*(?:saved_model_schema_version\s*:|meta_graphs\s*[{<]|node\s*[{<]|library\s*[{<])/.test(
    text,
  );
}

/**
 * The text with its `#` comments blanked (outside quoted strings), the same length so offsets hold: the
 * text format allows a comment between a field name and its value (`op: # note` then `"PyFunc"`), which
 * would otherwise hide the op from the field pattern.
 */
export function blankComments(text: string): string {
  if (!text.includes('#')) return text;
  const out: string[] = [];
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote !== '') {
      if (ch === '\\') {
        out.push(ch, text[i + 1] ?? '');
        i++;
      } else {
        if (ch === quote || ch === '\n') quote = '';
        out.push(ch);
      }
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      out.push(ch);
    } else if (ch === '#') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      out.push(' '.repeat(stop - i));
      i = stop - 1;
    } else out.push(ch);
  }
  return out.join('');
}

/** Every `op` field in the text, in order (comments ignored). */
export function findTextOps(source: string): TextOp[] {
  const text = blankComments(source);
  const out: TextOp[] = [];
  for (const match of text.matchAll(OP_FIELD)) {
    const offset = match.index ?? 0;
    const before = text.slice(Math.max(0, offset - NAME_LOOKBACK_CHARS), offset);
    let node = '';
    for (const name of before.matchAll(NAME_FIELD)) node = unquote(name[1] ?? '');
    out.push({ op: unquote(match[1] ?? ''), node, offset });
  }
  return out;
}

/** The value of adjacent quoted strings, with text-format escapes decoded (as Latin-1 bytes). */
export function unquote(quoted: string): string {
  let out = '';
  for (const part of quoted.matchAll(QUOTED_ALL)) {
    const body = part[0].slice(1, -1);
    out += body.replace(/\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))/g, (_, oct, hex, ch) => {
      if (oct !== undefined) return String.fromCharCode(Number.parseInt(oct, 8) & 0xff);
      if (hex !== undefined) return String.fromCharCode(Number.parseInt(hex, 16));
      return (
        ({ n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v' } as Record<string, string>)[ch] ??
        ch
      );
    });
  }
  return out;
}
