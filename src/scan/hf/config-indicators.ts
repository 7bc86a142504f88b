import { truncateText } from '../../core/byte-reader.js';
import { compareStrings } from '../../core/finding.js';
import type { AnalysisContext } from '../context.js';
import { findMetadataIndicator, MAX_METADATA_SCAN_CHARS, METADATA_CONTENT_PATTERNS } from '../indicators.js';
import { HF_RULES } from './rules.js';

/** Values visited in one configuration (tokenizer.json-sized documents hold a few hundred thousand). */
export const MAX_CONFIG_VALUES = 2_000_000;
/** Nesting followed in one configuration: stops stack exhaustion on hostile nesting. */
export const MAX_CONFIG_DEPTH = 200;
/** Findings of one kind reported one by one per file; the rest are counted in the last one. */
const MAX_FINDINGS_PER_KIND = 10;

/**
 * Credential formats with a fixed shape (each vendor's documented token prefix), found whatever the key.
 * A leaked credential in a published configuration is a finding on its own, and an exfiltration target or
 * a planted key in a malicious one.
 */
const SECRET_VALUES: readonly { readonly pattern: RegExp; readonly what: string }[] = [
  { pattern: /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----/, what: 'a private key' },
  { pattern: /(?<![A-Za-z0-9])hf_[A-Za-z0-9]{30,}/, what: 'a Hugging Face access token' },
  {
    pattern: /(?<![A-Za-z0-9])sk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}/,
    what: 'an OpenAI/Anthropic-style API key',
  },
  { pattern: /(?<![A-Z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Z0-9])/, what: 'an AWS access key id' },
  { pattern: /(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{36,}/, what: 'a GitHub token' },
  { pattern: /(?<![A-Za-z0-9])github_pat_[A-Za-z0-9_]{40,}/, what: 'a GitHub token' },
  { pattern: /(?<![A-Za-z0-9])xox[abprs]-[A-Za-z0-9-]{10,}/, what: 'a Slack token' },
  { pattern: /(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}/, what: 'a Google API key' },
];

/** Keys whose value is a credential by name (not `pad_token`, `bos_token`, ...: tokenizer special tokens). */
const SECRET_KEY =
  /^(?:.*[_-])?(?:api[_-]?key|apikey|secret(?:[_-]?key)?|password|passwd|access[_-]?token|auth[_-]?token|api[_-]?token|hf[_-]?token|bearer[_-]?token|private[_-]?key|client[_-]?secret|access[_-]?key)$|^(?:token|secret)$/i;
/** Values that stand for a credential without being one. */
const PLACEHOLDER =
  /^(?:<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}|%[^%]*%|x+|\*+|\.+|your[\s_-].*|changeme|none|null|true|false|todo|redacted|placeholder|example.*)$/i;
/** A generic credential needs this many bits of entropy per character (random keys have ~4 and more). */
const MIN_SECRET_ENTROPY = 3;
const MIN_SECRET_LENGTH = 8;

/**
 * Hosts a model configuration normally points at: the hub itself, code hosting and paper archives. URLs
 * elsewhere are what a planted callback or exfiltration endpoint looks like.
 */
const USUAL_HOSTS = [
  'huggingface.co',
  'hf.co',
  'github.com',
  'githubusercontent.com',
  'arxiv.org',
  'doi.org',
  'aclanthology.org',
  'openreview.net',
  'paperswithcode.com',
  'pytorch.org',
  'tensorflow.org',
  'python.org',
  'wikipedia.org',
  'creativecommons.org',
  'opensource.org',
  'apache.org',
  // Sigstore's public-good instance: model signing configurations (OpenSSF model signing) point at it.
  'sigstore.dev',
  // Reserved for documentation (RFC 2606): never anyone's server.
  'example.com',
  'example.org',
  'example.net',
];
const URL_GLOBAL = /\b(?:https?|ftp|file|s3|gs|wss?):\/\/[^\s"'<>]+/gi;

/** Names of JSON files that configure a model, tokenizer or pipeline. */
export function isConfigName(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return (
    /config[^/]*\.json$/i.test(base) || base === 'model_index.json' || base === 'special_tokens_map.json'
  );
}

/** Shannon entropy in bits per character. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** A credential shown without giving it away: its first 4 characters and its length. */
export function maskSecret(secret: string): string {
  return `${secret.slice(0, 4)}… (${secret.length} chars)`;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function usualHost(host: string): boolean {
  return USUAL_HOSTS.some((h) => host === h || host.endsWith(`.${h}`));
}

interface Hit {
  readonly kind: 'secret' | 'indicator';
  readonly key: string;
  readonly what: string;
  /** Shown in the message and evidence: masked for secrets. */
  readonly shown: string;
  /** URLs to the same host are reported once. */
  readonly host?: string;
}

function checkValue(key: string, leaf: string, value: string, hits: Hit[]): void {
  const text = value.slice(0, MAX_METADATA_SCAN_CHARS);
  const secret = SECRET_VALUES.find((s) => s.pattern.test(text));
  if (secret !== undefined) {
    const match = (secret.pattern.exec(text) as RegExpExecArray)[0];
    hits.push({ kind: 'secret', key, what: secret.what, shown: maskSecret(match) });
  } else if (
    SECRET_KEY.test(leaf) &&
    text.length >= MIN_SECRET_LENGTH &&
    !/\s/.test(text) &&
    !PLACEHOLDER.test(text) &&
    entropy(text) >= MIN_SECRET_ENTROPY
  ) {
    hits.push({
      kind: 'secret',
      key,
      what: `a credential (key '${truncateText(leaf, 60)}')`,
      shown: maskSecret(text),
    });
  }
  // Code, shell commands, script markup; URLs are judged by host below.
  const content = findMetadataIndicator(text, METADATA_CONTENT_PATTERNS);
  if (content !== undefined)
    hits.push({
      kind: 'indicator',
      key,
      what: content.indicator.what,
      shown: truncateText(content.match.trim(), 160),
    });
  for (const match of text.matchAll(URL_GLOBAL)) {
    const host = hostOf(match[0]);
    if (host !== undefined && usualHost(host)) continue;
    hits.push({
      kind: 'indicator',
      key,
      what: `a URL to ${host === undefined ? 'an unparsable host' : `'${truncateText(host, 80)}'`}, outside the model hubs`,
      shown: truncateText(match[0], 200),
      host: host ?? match[0],
    });
    break;
  }
}

/**
 * Secrets, URLs to hosts outside the hubs, shell commands and Python code in the string values of a model
 * configuration (config.json, generation_config.json, *config*.json, model_index.json). Template keys are
 * left to the template analysis. Nothing here runs when transformers loads the file; these are indicators of
 * a planted or leaking configuration, reported at medium.
 */
export function reportConfigIndicators(ctx: AnalysisContext, config: Record<string, unknown>): void {
  const hits: Hit[] = [];
  let visited = 0;
  let stopped: string | undefined;
  const visit = (value: unknown, key: string, leaf: string, depth: number): void => {
    if (stopped !== undefined) return;
    if (++visited > MAX_CONFIG_VALUES) stopped = `more than ${MAX_CONFIG_VALUES} values`;
    else if (depth > MAX_CONFIG_DEPTH) stopped = `values nested deeper than ${MAX_CONFIG_DEPTH}`;
    if (stopped !== undefined) return;
    if (typeof value === 'string') checkValue(key, leaf, value, hits);
    else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) visit(v, `${key}[${i}]`, leaf, depth + 1);
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) {
        if (/template/i.test(k)) continue;
        visit(v, key === '' ? k : `${key}.${k}`, k, depth + 1);
      }
    }
  };
  visit(config, '', '', 0);
  if (stopped !== undefined) {
    ctx.notAnalysed({
      ruleId: HF_RULES.configIndicator.id,
      severity: 'medium',
      title: HF_RULES.configIndicator.title,
      message: `The configuration was not fully searched: it has ${stopped}.`,
      evidence: stopped,
      remediation: HF_RULES.configIndicator.help,
    });
  }
  for (const kind of ['secret', 'indicator'] as const) {
    const rule = kind === 'secret' ? HF_RULES.configSecret : HF_RULES.configIndicator;
    const hosts = new Set<string>();
    const list = hits
      .filter((h) => h.kind === kind)
      .sort((a, b) => compareStrings(a.key, b.key))
      .filter((h) => {
        if (h.host === undefined) return true;
        if (hosts.has(h.host)) return false;
        hosts.add(h.host);
        return true;
      });
    for (const [i, hit] of list.entries()) {
      if (i === MAX_FINDINGS_PER_KIND) {
        ctx.report({
          ruleId: rule.id,
          severity: 'medium',
          title: rule.title,
          message: `${list.length - i} more value(s) of this configuration hold the same kind of indicator.`,
          evidence: truncateText(
            list
              .slice(i)
              .map((h) => h.key)
              .join(', '),
            500,
          ),
          remediation: rule.help,
          references: rule.references,
        });
        break;
      }
      ctx.report({
        ruleId: rule.id,
        severity: 'medium',
        title: rule.title,
        message: `The value of '${truncateText(hit.key, 120)}' holds ${hit.what}: ${hit.shown}.`,
        evidence: `${truncateText(hit.key, 120)}: ${hit.shown}`,
        remediation: rule.help,
        references: rule.references,
      });
    }
  }
}
