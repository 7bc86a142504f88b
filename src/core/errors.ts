/**
 * Few error classes, each with a literal `code` union and a `cause` (STYLE.md §7).
 * "Invalid" input found by an analyser is data (a Finding); these are for input we refuse outright
 * or for environments that fail.
 */

abstract class PedigreeError<Code extends string> extends Error {
  readonly code: Code;
  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export type ParseErrorCode =
  | 'TRUNCATED'
  | 'BAD_MAGIC'
  | 'BAD_VALUE'
  | 'LIMIT_EXCEEDED'
  | 'UNSUPPORTED'
  | 'TRAILING_DATA'
  | 'BAD_STRUCTURE';

/** Bytes that do not parse. `offset` is where the problem was seen, relative to the parsed input. */
export class ParseError extends PedigreeError<ParseErrorCode> {
  readonly offset: number | undefined;
  constructor(code: ParseErrorCode, message: string, offset?: number, options?: { cause?: unknown }) {
    super(code, offset === undefined ? message : `${message} (at offset ${offset})`, options);
    this.offset = offset;
  }
}

export type UsageErrorCode =
  | 'BAD_ARGUMENT'
  | 'PATH_NOT_FOUND'
  | 'PATH_UNREADABLE'
  | 'BAD_CONFIG'
  | 'DATABASE';

/** The user asked for something we cannot do; the message says what to do instead. */
export class UsageError extends PedigreeError<UsageErrorCode> {}

export type PolicyErrorCode = 'INVALID_POLICY';
export class PolicyError extends PedigreeError<PolicyErrorCode> {}

export type VerificationErrorCode = 'SIGNATURE_INVALID' | 'DIGEST_MISMATCH';
export class VerificationError extends PedigreeError<VerificationErrorCode> {}

export type InternalErrorCode = 'UNEXPECTED' | 'IO';
export class InternalError extends PedigreeError<InternalErrorCode> {}

/** Exhaustiveness check for discriminated unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new InternalError('UNEXPECTED', `unexpected ${what}: ${JSON.stringify(value)}`);
}

/** A short, printable rendering of an unknown thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
