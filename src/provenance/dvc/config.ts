import { ParseError } from '../../core/errors.js';
import { MAX_DVC_CONFIG_BYTES } from './limits.js';
import type { DvcProblem } from './model.js';

/**
 * `.dvc/config` and `.dvc/config.local`, in the INI dialect of ConfigObj that DVC reads them with
 * (dvc/config.py `load_file`): `[section]` and `['remote "name"']` headers, `key = value` lines, `#`
 * comments, values optionally quoted. Keys and section names are lower-cased as DVC does (`_lower_keys`).
 * Only what verification needs is interpreted: `cache.dir`.
 */

export interface DvcConfig {
  /** Section name → key → value, as written (unquoted). */
  readonly sections: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** `[cache] dir`, as written: DVC resolves a relative one against the config file's folder (`.dvc/`). */
  readonly cacheDir?: string;
  readonly problems: readonly DvcProblem[];
}

const SECTION = /^\[\s*(?:'([^']*)'|"([^"]*)"|([^\]]*?))\s*\]\s*(?:#.*)?$/;
const KEY_VALUE = /^([^=]+?)\s*=\s*(.*)$/;

function unquote(raw: string): string {
  const value = raw.trim();
  const quoted = /^(['"])(.*)\1\s*(?:#.*)?$/.exec(value);
  if (quoted) return quoted[2] as string;
  const hash = value.indexOf(' #');
  return (hash >= 0 ? value.slice(0, hash) : value).trim();
}

/** Parses a DVC config file. Throws {@link ParseError} only when it is too large to read. */
export function parseDvcConfig(
  text: string,
  options: { readonly file: string; readonly maxBytes?: number },
): DvcConfig {
  const { file } = options;
  const maxBytes = options.maxBytes ?? MAX_DVC_CONFIG_BYTES;
  if (Buffer.byteLength(text) > maxBytes)
    throw new ParseError('LIMIT_EXCEEDED', `${file}: larger than ${maxBytes} bytes`);
  const sections = new Map<string, Map<string, string>>();
  const problems: DvcProblem[] = [];
  let current: Map<string, string> | undefined;
  for (const [i, rawLine] of text.split(/\r?\n/).entries()) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const section = SECTION.exec(line);
    if (section) {
      const name = (section[1] ?? section[2] ?? section[3] ?? '').toLowerCase();
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      continue;
    }
    const kv = KEY_VALUE.exec(line);
    if (!kv || current === undefined) {
      problems.push({
        file,
        field: `line ${i + 1}`,
        code: 'bad-value',
        message: 'is not a section or key = value',
      });
      continue;
    }
    current.set((kv[1] as string).trim().toLowerCase(), unquote(kv[2] as string));
  }
  const cacheDir = sections.get('cache')?.get('dir');
  return { sections, ...(cacheDir !== undefined && cacheDir !== '' ? { cacheDir } : {}), problems };
}
