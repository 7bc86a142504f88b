/**
 * A configuration file found inside a scanned path is controlled by whoever controls that path: the
 * repository being vetted. It is applied, but never silently: its threshold may only make the scan stricter,
 * and a SCAN-CONFIG finding lists everything it changed, including every file its excludes left out.
 */
import picomatch from 'picomatch';
import { type Finding, type Severity, severityRank } from '../core/finding.js';
import { SCAN_RULES } from '../scan/rules.js';

export type FailOn = Severity | 'none';

/** The exit-code threshold when neither the command line nor a trusted configuration sets one. */
export const DEFAULT_FAIL_ON: Severity = 'high';

/** Paths, globs and allow entries listed in a SCAN-CONFIG finding's evidence before it says "and N more". */
export const MAX_LISTED = 50;
/** Paths named in the message itself (the evidence lists more). */
const MAX_IN_MESSAGE = 5;
/** Longest config string quoted: a glob is a few characters; a huge one is clipped. */
const MAX_QUOTED_CHARS = 200;

/** What became of the `failOn` of a configuration file found in a scanned path. */
export type FoundFailOnOutcome =
  /** Stricter than the threshold otherwise used, and no --fail-on given: applied. */
  | 'honoured'
  /** The same as the threshold otherwise used. */
  | 'unchanged'
  /** Looser than the default (or than --fail-on): ignored, so a repository cannot pass itself. */
  | 'ignored-looser'
  /** Stricter than --fail-on, which wins over any file. */
  | 'overridden';

export interface FailOnDecision {
  /** The threshold the exit code uses. */
  readonly failOn: FailOn;
  /** Set when a configuration file found in a scanned path asked for a threshold. */
  readonly found?: {
    readonly requested: FailOn;
    readonly outcome: FoundFailOnOutcome;
    /** The threshold used instead (equal to `requested` when honoured). */
    readonly used: FailOn;
  };
}

/** Higher is looser: `info` fails on everything, `none` on nothing. */
function looseness(value: FailOn): number {
  return value === 'none' ? 5 : severityRank(value);
}

/**
 * The exit-code threshold. `--fail-on` always wins. A file given with --config is trusted: its `failOn`
 * applies as written. A file found in a scanned path may only raise strictness above the default; a looser
 * value is ignored (and reported by SCAN-CONFIG).
 */
export function resolveFailOn(
  commandLine: FailOn | undefined,
  config: FailOn | undefined,
  foundInScannedPath: boolean,
): FailOnDecision {
  if (!foundInScannedPath || config === undefined) {
    return { failOn: commandLine ?? config ?? DEFAULT_FAIL_ON };
  }
  const baseline = commandLine ?? DEFAULT_FAIL_ON;
  const outcome: FoundFailOnOutcome =
    looseness(config) > looseness(baseline)
      ? 'ignored-looser'
      : config === baseline
        ? 'unchanged'
        : commandLine !== undefined
          ? 'overridden'
          : 'honoured';
  const used = outcome === 'honoured' ? config : baseline;
  return { failOn: used, found: { requested: config, outcome, used } };
}

/** A configuration file found inside a scanned path, as handed to scanPaths. */
export interface FoundConfig {
  /** The file as shown in the report: relative to the scanned directory, e.g. `pedigree.yaml`. */
  readonly path: string;
  readonly exclude: readonly string[];
  /** `pickle.allow` entries. */
  readonly allow: readonly string[];
  /** What became of its `failOn`, when it has one (decided by the caller with resolveFailOn). */
  readonly failOn?: FailOnDecision['found'];
}

function clip(text: string): string {
  return text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text;
}

function listed(items: readonly string[], max: number): string {
  const shown = items.slice(0, max).map(clip).join(', ');
  return items.length > max ? `${shown}, … and ${items.length - max} more` : shown;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Number of `excluded` paths each glob matches, itself or through a parent folder (as the walker applies it). */
function countPerGlob(globs: readonly string[], excluded: readonly string[]): number[] {
  return globs.map((glob) => {
    const match = picomatch(glob, { dot: true });
    return excluded.filter((p) => {
      const parts = p.split('/');
      for (let i = 1; i <= parts.length; i++) {
        const prefix = parts.slice(0, i).join('/');
        if (match(prefix) || match(`${prefix}/`)) return true;
      }
      return false;
    }).length;
  });
}

function describeFailOn(found: NonNullable<FoundConfig['failOn']>): { message: string; evidence: string } {
  const { requested, outcome, used } = found;
  switch (outcome) {
    case 'honoured':
      return {
        message: `it raises the threshold to ${requested} (stricter than the default ${DEFAULT_FAIL_ON})`,
        evidence: `failOn: ${requested} (honoured: stricter than the default ${DEFAULT_FAIL_ON})`,
      };
    case 'unchanged':
      return {
        message: `it sets failOn: ${requested}, the threshold already in use`,
        evidence: `failOn: ${requested} (no change)`,
      };
    case 'ignored-looser':
      return {
        message: `it asks for failOn: ${requested}, looser than ${used}, so it was ignored (threshold ${used})`,
        evidence: `failOn: ${requested} (ignored: looser than ${used})`,
      };
    case 'overridden':
      return {
        message: `it sets failOn: ${requested}, overridden by --fail-on ${used}`,
        evidence: `failOn: ${requested} (ignored: --fail-on ${used} given)`,
      };
  }
}

/**
 * The SCAN-CONFIG finding for a configuration file found in a scanned path. `excluded` are the paths its
 * excludes left out of the scan (they are listed, never hidden). Medium when the file hides anything or
 * tried to (excluded files, allowlist entries, a looser threshold); low otherwise.
 */
export function foundConfigFinding(config: FoundConfig, excluded: readonly string[]): Finding {
  const changes: string[] = [];
  const evidence: string[] = [`file: ${config.path}`];
  if (config.failOn) {
    const d = describeFailOn(config.failOn);
    changes.push(d.message);
    evidence.push(d.evidence);
  }
  if (config.exclude.length > 0) {
    const counts = countPerGlob(config.exclude, excluded);
    const globs = config.exclude.map((g, i) => `${clip(g)} (${plural(counts[i] ?? 0, 'path')})`);
    evidence.push(`exclude: ${listed(globs, MAX_LISTED)}`);
    if (excluded.length > 0) {
      changes.push(
        `its exclude globs left ${plural(excluded.length, 'path')} out of the scan, not analysed: ${listed(excluded, MAX_IN_MESSAGE)}`,
      );
      evidence.push(`excluded (${excluded.length}): ${listed(excluded, MAX_LISTED)}`);
    } else {
      changes.push(`its exclude globs (${config.exclude.length}) matched nothing`);
    }
  }
  if (config.allow.length > 0) {
    changes.push(
      `it adds ${plural(config.allow.length, 'pickle global')} to the allowlist, so imports of them are not reported: ${listed(config.allow, MAX_IN_MESSAGE)}`,
    );
    evidence.push(`pickle.allow (${config.allow.length}): ${listed(config.allow, MAX_LISTED)}`);
  }
  // A configuration shipped inside the scanned content that keeps files out of the scan is how a
  // repository would hide its own checkpoint: that fails the default threshold (pass your own file with
  // --config to exclude files without this finding). Allow entries and looser thresholds only weaken.
  const hides = excluded.length > 0;
  const weakens = config.allow.length > 0 || config.failOn?.outcome === 'ignored-looser';
  const severity: Severity = hides ? 'high' : weakens ? 'medium' : 'low';
  return {
    ruleId: SCAN_RULES.foundConfig.id,
    severity,
    title: SCAN_RULES.foundConfig.title,
    message: `${config.path} was found in the scanned folder and applied: ${changes.length > 0 ? changes.join('; ') : 'it changes nothing'}.`,
    location: { path: config.path },
    evidence: evidence.join('; '),
    remediation: SCAN_RULES.foundConfig.help,
    references: [],
  };
}
