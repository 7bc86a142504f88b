/**
 * Text indicators shared by the analysers of free-form metadata (safetensors `__metadata__`, ONNX
 * `metadata_props` and doc strings): strings a model's metadata has no reason to hold, which loaders,
 * hubs or downstream tools may run, fetch or render.
 */

/** Characters of one metadata value searched for code, URLs and paths. */
export const MAX_METADATA_SCAN_CHARS = 64 * 1024;

/** Python source that imports modules or runs commands, as exec-like gadgets are handed. */
export const CODE_PATTERN =
  /__import__\s*\(|\bimport\s+[A-Za-z_]|\bfrom\s+[A-Za-z_][\w.]*\s+import\b|\b(?:os|subprocess|builtins)\s*\.\s*[A-Za-z_]+\s*\(|\b(?:exec|eval|compile)\s*\(/;
/** Shell commands that fetch, delete or run things. */
const SHELL =
  /\b(?:curl|wget)\s+\S|\brm\s+-[a-z]*[rf]|\b(?:ba|z)?sh\s+-c\b|\bchmod\s+[+0-7]|\bnc\s+-|\bpowershell\b|\|\s*(?:ba)?sh\b/i;
/** Markup that runs script where metadata is shown in a web page (model hubs, dashboards). */
const SCRIPT = /<\s*script\b|javascript:|\bon(?:error|load)\s*=/i;
const URL = /\b(?:https?|ftp|file|s3|gs):\/\/[^\s"'<>]+/i;
const PATH =
  /(?:^|[\s"'=])(?:\/(?:etc|home|root|tmp|usr|var|proc|dev)\/[^\s"']*|~\/[^\s"']+|\.\.[\\/][^\s"']*|[A-Za-z]:\\[^\s"']+)/;

export interface MetadataIndicator {
  readonly pattern: RegExp;
  readonly what: string;
  readonly severity: 'high' | 'medium' | 'low';
}

/** Content that runs somewhere (code, commands, script markup), most severe first. */
export const METADATA_CONTENT_PATTERNS: readonly MetadataIndicator[] = [
  { pattern: CODE_PATTERN, what: 'Python code that imports modules or runs commands', severity: 'high' },
  { pattern: SHELL, what: 'a shell command', severity: 'medium' },
  { pattern: SCRIPT, what: 'script markup', severity: 'medium' },
];

/** What metadata values are checked for, most severe first: content, then references (URLs, paths). */
export const METADATA_PATTERNS: readonly MetadataIndicator[] = [
  ...METADATA_CONTENT_PATTERNS,
  { pattern: URL, what: 'a URL', severity: 'medium' },
  { pattern: PATH, what: 'a file path', severity: 'low' },
];

/**
 * The most severe indicator in the first MAX_METADATA_SCAN_CHARS characters of `text`, with the matched
 * text, or undefined.
 */
export function findMetadataIndicator(
  text: string,
  patterns: readonly MetadataIndicator[] = METADATA_PATTERNS,
): { indicator: MetadataIndicator; match: string } | undefined {
  const value = text.slice(0, MAX_METADATA_SCAN_CHARS);
  for (const indicator of patterns) {
    const hit = indicator.pattern.exec(value);
    if (hit !== null) return { indicator, match: hit[0] };
  }
  return undefined;
}
