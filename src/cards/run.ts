import { sep } from 'node:path';
import { describeError } from '../core/errors.js';
import {
  type Artifact,
  compareFindings,
  compareStrings,
  countBySeverity,
  type Finding,
  REPORT_SCHEMA_VERSION,
  type ScanReport,
} from '../core/finding.js';
import { sha256Hex } from '../core/hash.js';
import { readFileHead } from '../core/read-head.js';
import { displayDir, displayName } from '../discover/display-path.js';
import { type DiscoveredFile, walkPaths } from '../discover/walk.js';
import { auditCard } from './audit/audit.js';
import { DEFAULT_CARD_AUDIT_SETTINGS } from './audit/context.js';
import type { CardAuditSettings, CardKind, CardRepo, RepoTextFile } from './audit/types.js';
import { MAX_CARD_CHARS } from './limits.js';
import { CARD_FILE_RULES } from './rules/files.js';
import type { ScoreItem } from './score.js';

/**
 * `pedigree card audit`: finds model and dataset cards under the given paths, reads each with its
 * repository's licence files and config.json, audits it and scores it, in the report contract of
 * `pedigree scan` plus a `cards` section. I/O lives here; the audit itself is pure (audit/audit.ts).
 */

/** File names read as cards, lower case: the Hub's README.md and the names model repositories use. */
const CARD_NAMES = new Set([
  'readme.md',
  'model_card.md',
  'modelcard.md',
  'model-card.md',
  'dataset_card.md',
  'datasetcard.md',
  'dataset-card.md',
  'datasheet.md',
]);
/** Names that are cards wherever they are (a README.md in a code folder is usually not). */
const ALWAYS_CARDS = new Set([...CARD_NAMES].filter((n) => n !== 'readme.md'));
/** Weight files by extension: a folder holding one should have a card. */
const WEIGHT_FILE =
  /\.(?:safetensors|bin|pt|pth|ckpt|h5|hdf5|keras|onnx|gguf|ggml|pb|tflite|msgpack|joblib|pkl|pickle|npz|mlmodel|nemo)$/i;
/** Formats models are published in (the Hub's, ONNX, GGUF, Keras): a folder holding one is a model release. */
const PUBLISHED_WEIGHTS = /\.(?:safetensors|gguf|onnx|keras|nemo|mlmodel)$/i;
/** Licence files: LICENSE, LICENCE.md, COPYING, NOTICE, LICENSE_weights, MODEL_LICENSE, LICENSE-APACHE... */
const LICENSE_FILE = /^(?:[\w.-]{0,40}[-_.])?(?:licen[cs]e|copying|notice)(?:[-_.][\w.-]{0,40})?$/i;
/** Bytes read of each licence file: licence texts are tens of KB; the Llama ones about 15 KB. */
export const MAX_LICENSE_BYTES = 256 * 1024;
/** Licence files read per card. */
export const MAX_LICENSE_FILES = 16;
/** Bytes of config.json parsed. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
/** Files of a card's folder listed in its repository facts. */
export const MAX_REPO_FILES = 10_000;
/** Cards audited in one run. */
export const MAX_CARDS = 100_000;

/** `MUSICGEN_MODEL_CARD.md`, `llama2-model-card.md`: model repositories with several cards name them so. */
const PREFIXED_CARD = /^[\w.-]{1,100}[_-](?:model|dataset)[_-]?card\.md$/i;

export function isCardFileName(name: string): boolean {
  return CARD_NAMES.has(name.toLowerCase()) || PREFIXED_CARD.test(name);
}

export function isLicenseFileName(name: string): boolean {
  return LICENSE_FILE.test(name) && !/\.(?:py|js|ts|json|ya?ml|toml|cfg|html?)$/i.test(name);
}

export interface CardEntry {
  readonly path: string;
  readonly kind: CardKind;
  readonly score: number;
  readonly minScore: number;
  readonly belowMinimum: boolean;
  /** Per rubric item: weight, earned, state (README "Card completeness score"). */
  readonly breakdown: readonly ScoreItem[];
  readonly hasMetadata: boolean;
  /** Generators whose fingerprints were found (`trainer`, `hub-model-card-template`...). */
  readonly templates: readonly string[];
  readonly findings: number;
}

export interface CardsSection {
  readonly cards: readonly CardEntry[];
  readonly summary: {
    readonly cards: number;
    readonly models: number;
    readonly datasets: number;
    readonly belowMinimum: number;
    /** Mean score, rounded; absent when no card was read. */
    readonly averageScore?: number;
  };
}

export type CardsReport = ScanReport & { readonly cards: CardsSection };

export interface CardAuditRunOptions {
  readonly tool: { readonly name: string; readonly version: string };
  readonly settings?: CardAuditSettings;
  readonly exclude?: readonly string[];
  /**
   * `all`: every card-named file (what `card audit` does with the paths it is given). `scan`: README.md only
   * where it looks like a card (front matter, or next to weights, or at the top of the scanned folder);
   * the other card names always.
   */
  readonly selection?: 'all' | 'scan';
  /** Report CARD-MISSING for folders with weights and no card (default true). */
  readonly reportMissing?: boolean;
  /** Findings to add (a CARD-CONFIG about a found configuration). */
  readonly extraFindings?: readonly Finding[];
  /** Shown as the report root. */
  readonly root?: string;
}

/** Decodes card text: UTF-8 (invalid sequences become U+FFFD, which the reader counts as binary). */
function decode(bytes: Buffer): string {
  return new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes);
}

/** The repository facts of the card at `cardPath`: files of its folder, licence files, config.json. */
async function gatherRepo(
  cardPath: string,
  byDir: ReadonlyMap<string, readonly DiscoveredFile[]>,
  sortedPaths: readonly string[],
): Promise<CardRepo> {
  const dir = displayDir(cardPath);
  const prefix = dir === '' ? '' : `${dir}/`;
  const files: string[] = [];
  // The folder's files are one run of the sorted paths: found by binary search, not by scanning every
  // walked file for every card (10,000 cards × 13,000 files).
  let lo = 0;
  let hi = sortedPaths.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sortedPaths[mid] as string) < prefix) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < sortedPaths.length && files.length < MAX_REPO_FILES; i++) {
    const path = sortedPaths[i] as string;
    if (!path.startsWith(prefix)) break;
    if (path !== cardPath) files.push(path.slice(prefix.length));
  }
  const licenseFiles: RepoTextFile[] = [];
  // Licence files of the folder itself and of a LICENSES/ folder (REUSE layout).
  const candidates = [
    ...(byDir.get(dir) ?? []),
    ...(byDir.get(`${prefix}LICENSES`) ?? []),
    ...(byDir.get(`${prefix}licenses`) ?? []),
  ].filter(
    (f) =>
      isLicenseFileName(displayName(f.displayPath)) ||
      displayDir(f.displayPath) === `${prefix}LICENSES` ||
      displayDir(f.displayPath) === `${prefix}licenses`,
  );
  for (const f of candidates.slice(0, MAX_LICENSE_FILES)) {
    try {
      const { bytes, truncated } = readFileHead(f.absolutePath, MAX_LICENSE_BYTES);
      licenseFiles.push({ path: f.displayPath.slice(prefix.length), text: decode(bytes), truncated });
    } catch {
      // An unreadable licence file is simply not compared; the card is still audited.
    }
  }
  let config: Record<string, unknown> | undefined;
  const configFile = (byDir.get(dir) ?? []).find((f) => displayName(f.displayPath) === 'config.json');
  if (configFile !== undefined && configFile.size <= MAX_CONFIG_BYTES) {
    try {
      const { bytes } = readFileHead(configFile.absolutePath, MAX_CONFIG_BYTES);
      const parsed: unknown = JSON.parse(decode(bytes));
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
        config = parsed as Record<string, unknown>;
    } catch {
      // Not JSON: config facts are simply absent (the scan reports broken configs).
    }
  }
  return { files, licenseFiles, ...(config !== undefined ? { config } : {}) };
}

/**
 * Whether a README.md found by a scan is a card: front matter, weights beside it, or the top of a scanned
 * folder (`tops`: the display folders of the paths given, `''` when one path was given).
 */
function looksLikeCard(
  path: string,
  text: string,
  byDir: ReadonlyMap<string, readonly DiscoveredFile[]>,
  tops: ReadonlySet<string>,
): boolean {
  if (ALWAYS_CARDS.has(displayName(path).toLowerCase()) || PREFIXED_CARD.test(displayName(path))) return true;
  if (/^\uFEFF?---[ \t]*\r?\n/.test(text)) return true;
  if (tops.has(displayDir(path))) return true;
  return (byDir.get(displayDir(path)) ?? []).some(
    (f) => WEIGHT_FILE.test(f.displayPath) || displayName(f.displayPath) === 'config.json',
  );
}

function readErrorFinding(path: string, detail: string): Finding {
  const rule = CARD_FILE_RULES.unreadable;
  return {
    ruleId: rule.id,
    severity: rule.defaultSeverity,
    title: rule.title,
    message: `${path} could not be read: ${detail}`,
    location: { path },
    evidence: detail,
    remediation: rule.help,
    references: [],
  };
}

/** Audits the cards under `paths`; never throws for content (unreadable cards are findings). */
export async function auditCardPaths(
  paths: readonly string[],
  options: CardAuditRunOptions,
): Promise<CardsReport> {
  const settings = options.settings ?? DEFAULT_CARD_AUDIT_SETTINGS;
  const walk = await walkPaths(paths, { exclude: options.exclude ?? [] });
  const byDir = new Map<string, DiscoveredFile[]>();
  for (const f of walk.files) {
    const d = displayDir(f.displayPath);
    const list = byDir.get(d) ?? [];
    list.push(f);
    byDir.set(d, list);
  }
  // A file given by name is audited whatever it is called; files found in folders by their names.
  const given = new Set(paths.map((p) => p.split('\\').join('/')));
  // With several paths each folder's files are shown under its name (walkPaths): that is its top.
  const tops = new Set(
    paths.length > 1 ? paths.map((p) => p.split(sep).join('/').replace(/\/+$/, '')) : [''],
  );
  const candidates = walk.files
    .filter((f) => isCardFileName(displayName(f.displayPath)) || given.has(f.displayPath))
    .slice(0, MAX_CARDS);
  const findings: Finding[] = [...(options.extraFindings ?? [])];
  const artifacts: Artifact[] = [];
  const entries: CardEntry[] = [];
  const cardDirs = new Set<string>();
  const sortedPaths = walk.files.map((f) => f.displayPath).sort(compareStrings);
  let notAnalysed = 0;
  // Card-named entries the walk could not take (unreadable, a link out of the folder, over a limit): not
  // audited, so said. `pedigree scan` reports the walk's problems itself.
  if (options.selection !== 'scan') {
    for (const problem of walk.problems) {
      if (!isCardFileName(displayName(problem.displayPath)) && !given.has(problem.displayPath)) continue;
      notAnalysed++;
      cardDirs.add(displayDir(problem.displayPath));
      findings.push(readErrorFinding(problem.displayPath, `${problem.kind}: ${problem.detail}`));
    }
  }
  for (const file of candidates) {
    let text: string;
    let bytes: Buffer;
    try {
      const read = readFileHead(file.absolutePath, MAX_CARD_CHARS * 4);
      bytes = read.bytes;
      text = decode(bytes);
    } catch (error) {
      // A scan reports an unreadable README only where it would have been a card (its text is unknown).
      if (
        options.selection === 'scan' &&
        !given.has(file.displayPath) &&
        !looksLikeCard(file.displayPath, '', byDir, tops)
      )
        continue;
      notAnalysed++;
      // The folder has a card, unread: CARD-MISSING would be wrong.
      cardDirs.add(displayDir(file.displayPath));
      findings.push(readErrorFinding(file.displayPath, describeError(error)));
      continue;
    }
    if (
      options.selection === 'scan' &&
      !given.has(file.displayPath) &&
      !looksLikeCard(file.displayPath, text, byDir, tops)
    )
      continue;
    cardDirs.add(displayDir(file.displayPath));
    const repo = await gatherRepo(file.displayPath, byDir, sortedPaths);
    const audit = auditCard(file.displayPath, text, { repo, settings });
    if (audit.findings.some((f) => f.ruleId === 'CARD-NOT-ANALYSED')) notAnalysed++;
    findings.push(...audit.findings);
    artifacts.push({
      path: file.displayPath,
      kind: 'card',
      format: `${audit.kind}-card`,
      size: file.size,
      sha256: sha256Hex(bytes),
    });
    entries.push({
      path: file.displayPath,
      kind: audit.kind,
      score: audit.score.score,
      minScore: audit.minScore,
      belowMinimum: audit.score.score < audit.minScore,
      breakdown: audit.score.items,
      hasMetadata: audit.context.hasMetadata,
      templates: audit.context.doc.templates,
      findings: audit.findings.length,
    });
  }
  if (options.reportMissing !== false) findings.push(...missingCards(byDir, cardDirs));
  findings.sort(compareFindings);
  entries.sort((a, b) => compareStrings(a.path, b.path));
  artifacts.sort((a, b) => compareStrings(a.path, b.path));
  const scores = entries.map((e) => e.score);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: options.tool,
    root: options.root ?? (paths.length === 1 ? (paths[0] as string) : '.'),
    summary: { files: artifacts.length, findings: countBySeverity(findings), notAnalysed },
    artifacts,
    findings,
    cards: {
      cards: entries,
      summary: {
        cards: entries.length,
        models: entries.filter((e) => e.kind === 'model').length,
        datasets: entries.filter((e) => e.kind === 'dataset').length,
        belowMinimum: entries.filter((e) => e.belowMinimum).length,
        ...(scores.length > 0
          ? { averageScore: Math.round(scores.reduce((a, b) => a + b, 0) / scores.length) }
          : {}),
      },
    },
  };
}

/** Folders with weight files and no card in them or in a folder above them. */
function missingCards(
  byDir: ReadonlyMap<string, readonly DiscoveredFile[]>,
  cardDirs: ReadonlySet<string>,
): Finding[] {
  const covered = (dir: string): boolean => {
    for (let d: string | undefined = dir; d !== undefined; d = d === '' ? undefined : displayDir(d)) {
      if (cardDirs.has(d)) return true;
    }
    return false;
  };
  const out: Finding[] = [];
  for (const [dir, files] of [...byDir].sort((a, b) => compareStrings(a[0], b[0]))) {
    const weights = files.filter((f) => WEIGHT_FILE.test(f.displayPath));
    // A model repository: weights with the config.json a loader reads beside them, or weights in a
    // published-model format. A lone pickle or checkpoint in a project is a file, not a release.
    const release =
      files.some((f) => displayName(f.displayPath) === 'config.json') ||
      weights.some((f) => PUBLISHED_WEIGHTS.test(f.displayPath));
    if (weights.length === 0 || !release || covered(dir)) continue;
    const rule = CARD_FILE_RULES.missing;
    out.push({
      ruleId: rule.id,
      severity: rule.defaultSeverity,
      title: rule.title,
      message: `${dir === '' ? 'The folder' : `Folder ${dir}`} holds ${weights.length} weight file(s) (${weights
        .slice(0, 3)
        .map((f) => displayName(f.displayPath))
        .join(', ')}${weights.length > 3 ? ', ...' : ''}) and no model card`,
      location: { path: (weights[0] as DiscoveredFile).displayPath },
      evidence: `no README.md, MODEL_CARD.md or model_card.md in ${dir === '' ? 'the folder' : dir} or above it`,
      remediation: rule.help,
      references: rule.references,
    });
  }
  return out;
}
