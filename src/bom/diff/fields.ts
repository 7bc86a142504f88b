import { ParseError, type ParseErrorCode } from '../../core/errors.js';
import { isRecord } from '../../core/json.js';
import type { BomLimits } from './limits.js';

/** Quotes at most this much of a value in an error message: the file may hold anything. */
const MAX_QUOTED_CHARS = 80;

/** A value quoted for an error message: JSON-escaped (so control characters are inert) and truncated. */
export function quote(text: string): string {
  return JSON.stringify(text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text);
}

/** `a string`, `a number`, `an array`, `null`... for "expected X, got Y". */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** `components[2]` + `name` → `components[2].name`; at the top level the key alone. */
export function fieldPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/**
 * Reading one BOM: the file name and JSON path go into every error, so a person can find the bad field
 * (`b.json: components[3].hashes[0].content: expected a string, got a number`).
 */
export class BomReadContext {
  /** Components read so far, against `limits.maxComponents`. */
  private components = 0;

  constructor(
    readonly file: string,
    readonly limits: BomLimits,
  ) {}

  fail(path: string, reason: string, code: ParseErrorCode = 'BAD_STRUCTURE'): never {
    throw new ParseError(code, `${this.file}: ${path === '' ? '(top level)' : path}: ${reason}`);
  }

  /** Counts one component; past the limit the BOM is refused, naming the limit. */
  countComponent(path: string): void {
    this.components++;
    if (this.components > this.limits.maxComponents)
      this.fail(
        path,
        `more than ${this.limits.maxComponents} components (the limit for one BOM); not read`,
        'LIMIT_EXCEEDED',
      );
  }

  record(value: unknown, path: string): Record<string, unknown> {
    if (!isRecord(value)) this.fail(path, `expected an object, got ${describeJsonType(value)}`);
    return value;
  }

  optionalRecord(
    parent: Record<string, unknown>,
    key: string,
    path: string,
  ): Record<string, unknown> | undefined {
    const value = parent[key];
    return value === undefined ? undefined : this.record(value, fieldPath(path, key));
  }

  optionalString(parent: Record<string, unknown>, key: string, path: string): string | undefined {
    const value = parent[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string')
      this.fail(fieldPath(path, key), `expected a string, got ${describeJsonType(value)}`);
    return value;
  }

  requiredString(parent: Record<string, unknown>, key: string, path: string): string {
    const value = this.optionalString(parent, key, path);
    if (value === undefined) this.fail(fieldPath(path, key), 'missing (required)');
    return value;
  }

  /** An optional array of at most `max` items; `what` names the limit in the message. */
  optionalArray(
    parent: Record<string, unknown>,
    key: string,
    path: string,
    max: number,
    what: string,
  ): readonly unknown[] | undefined {
    const value = parent[key];
    if (value === undefined) return undefined;
    const where = fieldPath(path, key);
    if (!Array.isArray(value)) this.fail(where, `expected an array, got ${describeJsonType(value)}`);
    if (value.length > max)
      this.fail(where, `${value.length} ${what}, more than the limit of ${max}; not read`, 'LIMIT_EXCEEDED');
    return value;
  }
}
