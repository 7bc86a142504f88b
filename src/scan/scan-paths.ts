import { readDockerfileFindings } from '../bom/containers/scan-findings.js';
import { describeError } from '../core/errors.js';
import { openFileSource } from '../core/file-source.js';
import {
  type Artifact,
  compareFindings,
  compareStrings,
  countBySeverity,
  type Finding,
  REPORT_SCHEMA_VERSION,
  type ScanReport,
} from '../core/finding.js';
import { sha256File } from '../core/hash.js';
import { walkPaths } from '../discover/walk.js';
import { type FoundConfig, foundConfigFinding } from '../policy/found-config.js';
import { DEFAULT_ANALYSERS } from './analysers/index.js';
import type { ScanLimits } from './context.js';
import { analyseSource } from './engine.js';
import { createScannedFileReader, withLayoutFindings } from './hf/layout.js';
import { externalDataOnDisk } from './onnx/external-data.js';
import { createImportPolicy } from './pickle/policy.js';
import { SCAN_RULES } from './rules.js';

export interface ScanOptions {
  /** Globs of paths to leave out. */
  readonly exclude?: readonly string[];
  /** Extra pickle globals to allow (`module.Name` or `module.*`), from pedigree.yaml. */
  readonly allowGlobals?: readonly string[];
  /**
   * A configuration file found inside a scanned path rather than chosen by the user: its excludes and allow
   * entries are applied on top of `exclude` and `allowGlobals`, and a SCAN-CONFIG finding lists what they
   * changed. The files its excludes leave out are listed there and counted in `summary.notAnalysed`.
   */
  readonly foundConfig?: FoundConfig;
  readonly limits?: Partial<ScanLimits>;
  /** Compute SHA-256 of every file (default true). Off, only the pickles are read from large checkpoints. */
  readonly hash?: boolean;
  /** Name and version written into the report. */
  readonly tool: { readonly name: string; readonly version: string };
  /** Shown as the report's root; defaults to the single path scanned, or `.`. */
  readonly root?: string;
  /** Called after each file, for progress display. */
  readonly onFile?: (done: number, total: number, path: string) => void;
}

/**
 * Scans files, directories and archives for model-file threats and returns the report (the JSON contract).
 * Never throws for bad content: what could not be analysed is a finding. Throws UsageError for paths that
 * do not exist.
 */
export async function scanPaths(paths: readonly string[], options: ScanOptions): Promise<ScanReport> {
  const found = options.foundConfig;
  const userExclude = options.exclude ?? [];
  const walk = await walkPaths(paths, { exclude: [...userExclude, ...(found?.exclude ?? [])] });
  const policy = createImportPolicy({ allow: [...(options.allowGlobals ?? []), ...(found?.allow ?? [])] });
  const findings: Finding[] = [];
  const artifacts: Artifact[] = [];
  let notAnalysed = 0;

  // What a found configuration's excludes hide: walk again without them and compare. Files whose content
  // was not scanned at all are listed in its finding; links out of the folder and unreadable entries under
  // the excluded paths are reported as if nothing were excluded.
  const problems = [...walk.problems];
  const excludedByConfig: string[] = [];
  if (found && found.exclude.length > 0) {
    const everything = await walkPaths(paths, { exclude: userExclude });
    const scanned = new Set(walk.files.map((f) => f.absolutePath));
    for (const file of everything.files) {
      if (!scanned.has(file.absolutePath)) excludedByConfig.push(file.displayPath);
    }
    const reported = new Set(walk.problems.map((p) => `${p.kind}\0${p.displayPath}`));
    for (const problem of everything.problems) {
      if (problem.kind !== 'limit' && !reported.has(`${problem.kind}\0${problem.displayPath}`)) {
        problems.push(problem);
      }
    }
  }
  if (found) {
    findings.push(foundConfigFinding(found, excludedByConfig));
    notAnalysed += excludedByConfig.length;
  }

  for (const problem of problems) {
    if (problem.kind === 'symlink-outside-root') {
      findings.push({
        ruleId: SCAN_RULES.symlinkOutside.id,
        severity: 'medium',
        title: SCAN_RULES.symlinkOutside.title,
        message: `${problem.displayPath} is a symbolic link to ${problem.detail}, outside the scanned folder; it was not followed.`,
        location: { path: problem.displayPath },
        evidence: `-> ${problem.detail}`,
        remediation: SCAN_RULES.symlinkOutside.help,
        references: [],
      });
    } else {
      notAnalysed++;
      findings.push({
        ruleId: SCAN_RULES.unreadable.id,
        severity: 'medium',
        title: SCAN_RULES.unreadable.title,
        message: `${problem.displayPath} was not scanned: ${problem.detail}.`,
        location: { path: problem.displayPath },
        evidence: problem.detail,
        remediation: SCAN_RULES.unreadable.help,
        references: [],
      });
    }
  }

  let done = 0;
  for (const file of walk.files) {
    let format = 'unknown';
    let kind: Artifact['kind'] = 'other';
    let source: ReturnType<typeof openFileSource> | undefined;
    try {
      source = openFileSource(file.absolutePath);
      const analysis = await analyseSource(source, file.displayPath, {
        analysers: DEFAULT_ANALYSERS,
        policy,
        ...(options.limits ? { limits: options.limits } : {}),
      });
      format = analysis.format;
      kind = analysis.kind;
      findings.push(...analysis.findings);
      notAnalysed += analysis.notAnalysed;
      // Only here is the model a file in a folder: where its external data leads on disk.
      if (format === 'onnx')
        findings.push(...externalDataOnDisk(source, file.absolutePath, file.displayPath));
    } catch (error) {
      notAnalysed++;
      findings.push({
        ruleId: SCAN_RULES.unreadable.id,
        severity: 'medium',
        title: SCAN_RULES.unreadable.title,
        message: `${file.displayPath} could not be read: ${describeError(error)}.`,
        location: { path: file.displayPath },
        evidence: describeError(error),
        remediation: SCAN_RULES.unreadable.help,
        references: [],
      });
    } finally {
      source?.close();
    }
    let sha256 = '';
    if (options.hash !== false) {
      try {
        sha256 = await sha256File(file.absolutePath);
      } catch {
        // already reported as unreadable above if it could not be read
      }
    }
    artifacts.push({ path: file.displayPath, kind, format, size: file.size, sha256 });
    options.onFile?.(++done, walk.files.length, file.displayPath);
  }

  // Dockerfiles: the container images a build pulls, and whether digests pin them (issue 6).
  const dockerfiles = readDockerfileFindings(walk.files);
  findings.push(...dockerfiles.findings);
  notAnalysed += dockerfiles.notAnalysed;

  artifacts.sort((a, b) => compareStrings(a.path, b.path));
  findings.splice(
    0,
    findings.length,
    ...withLayoutFindings(findings, artifacts, createScannedFileReader(walk.files)),
  );
  findings.sort(compareFindings);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: options.tool.name, version: options.tool.version },
    root: options.root ?? (paths.length === 1 ? (paths[0] as string) : '.'),
    summary: { files: artifacts.length, findings: countBySeverity(findings), notAnalysed },
    artifacts,
    findings,
  };
}
