import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ScanReport, Severity } from '../../core/finding.js';
import { dependencyFileKind } from '../../deps/file-kinds.js';
import { readConfig } from '../../policy/config.js';
import type { PedigreeConfig } from '../../policy/config-schema.js';
import { type FoundConfig, resolveFailOn } from '../../policy/found-config.js';
import { exitCodeFor } from '../../report/exit-code.js';
import { renderReport } from '../../report/index.js';
import { createProgress } from '../../report/progress.js';
import { scanPaths } from '../../scan/scan-paths.js';
import type { CliIo } from '../io.js';
import { deliverReport, reportFormat, severityOption, shownConfigPath } from '../output.js';

export interface ScanCommandOptions {
  readonly format: string;
  readonly output?: string;
  readonly failOn?: string;
  readonly config?: string;
  /** --no-config: read no configuration file, neither one found in the scanned folder nor --config. */
  readonly noConfig?: boolean;
  readonly exclude: readonly string[];
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly hash: boolean;
  /** Also audit the manifests and lockfiles found (default true; `--no-deps`). */
  readonly deps?: boolean;
  /** OSV store directory for the dependency audit. */
  readonly dbDir?: string;
  /** Also audit the model and dataset cards found (default true; `--no-cards`). */
  readonly cards?: boolean;
}

/** A card file name (see cards/run.ts `isCardFileName`). */
const CARD_FILE = /(?:^|[\\/])(?:readme|[\w.-]{0,100}(?:model|dataset)[_-]?card|datasheet)\.md$/i;
/** Card-named files and weight files: only then are the card modules loaded. */
const CARD_OR_WEIGHTS =
  /(?:^|\/)(?:readme|[\w.-]{0,100}(?:model|dataset)[_-]?card|datasheet)\.md$|\.(?:safetensors|bin|pt|pth|ckpt|h5|keras|onnx|gguf|pb|tflite|joblib|pkl)$/i;

/**
 * The scan report with the card audit of the folders among `paths` merged in: cards found (README.md where
 * it is a card) are audited and scored, folders of weights without a card reported (CARD-MISSING).
 */
async function withCards(
  paths: readonly string[],
  scanned: ScanReport,
  config: PedigreeConfig,
  configFile: { readonly path: string; readonly found: boolean } | undefined,
  options: ScanCommandOptions,
  io: CliIo,
): Promise<ScanReport> {
  if (!scanned.artifacts.some((a) => CARD_OR_WEIGHTS.test(a.path))) return scanned;
  // Folders, and cards given by name: a model file given alone is not asked for a card (CARD-MISSING is
  // about folders), and the card modules are not loaded for it.
  const cardPaths = paths.filter(
    (p) => statSync(p, { throwIfNoEntry: false })?.isDirectory() || CARD_FILE.test(p),
  );
  if (cardPaths.length === 0) return scanned;
  const [{ auditCardPaths }, { mergeCardReport }, { resolveCardSettings, cardConfigFinding }] =
    await Promise.all([
      import('../../cards/run.js'),
      import('../../cards/merge.js'),
      import('../../cards/settings.js'),
    ]);
  const found = configFile?.found === true;
  const { settings, notes } = resolveCardSettings({
    ...(config.cards !== undefined ? { policy: config.cards } : {}),
    ...(configFile !== undefined ? { file: configFile.path } : {}),
    found,
  });
  const cards = await auditCardPaths(cardPaths, {
    tool: { name: 'pedigree', version: io.version },
    settings,
    exclude: found ? [...options.exclude] : [...(config.exclude ?? []), ...options.exclude],
    selection: 'scan',
    ...(found && configFile !== undefined && config.cards !== undefined
      ? { extraFindings: [cardConfigFinding(configFile.path, notes)] }
      : {}),
  });
  return mergeCardReport(scanned, cards);
}

/**
 * The scan report with the dependency audit of the manifests and lockfiles among `paths` merged in; the
 * scan report unchanged when there are none.
 */
async function withDependencies(
  paths: readonly string[],
  scanned: ScanReport,
  config: PedigreeConfig,
  configFile: { readonly path: string; readonly found: boolean } | undefined,
  options: ScanCommandOptions,
  io: CliIo,
): Promise<ScanReport> {
  // The dependency modules (TOML, YAML, zod, the OSV store) load only when the scan met a manifest.
  if (!scanned.artifacts.some((a) => dependencyFileKind(a.path.split('/').pop() ?? '') !== undefined))
    return scanned;
  const [{ mergeDependencyReport }, { resolveDependencySettings }, audit] = await Promise.all([
    import('../../deps/merge.js'),
    import('../../deps/policy.js'),
    import('../dependency-audit.js'),
  ]);
  // The same `deps:` policy as `pedigree deps`: a file found in the scanned folder is applied but its
  // looser settings are not honoured, and what its ignores hide is reported (DEP-CONFIG).
  const found = configFile?.found === true;
  const policy = audit.compilePolicyOrFail(config.deps, configFile?.path ?? 'pedigree.yaml', found);
  const settings = resolveDependencySettings({
    commandLine: {},
    ...(config.deps !== undefined ? { config: config.deps } : {}),
    found,
  });
  // Model files given by name are not manifests: only folders and manifests go to the audit.
  const depPaths = paths.filter(
    (p) =>
      statSync(p, { throwIfNoEntry: false })?.isDirectory() || dependencyFileKind(basename(p)) !== undefined,
  );
  const deps = audit.auditDependencies(
    depPaths,
    options.dbDir !== undefined ? { storeDir: options.dbDir } : {},
    {
      tool: { name: 'pedigree', version: io.version },
      unknownSeverity: settings.unknownSeverity,
      maxDbAgeDays: settings.maxDbAgeDays,
      ...(policy !== undefined ? { policy } : {}),
      // SCAN-CONFIG already reports a found file; DEP-CONFIG adds what its `deps:` section did.
      ...(configFile !== undefined && config.deps !== undefined
        ? { configFile: { ...configFile, notes: settings.notes } }
        : {}),
      // `${VAR}` in requirements files expands as in `pedigree deps` (it did not here before).
      env: audit.processEnv(),
    },
  );
  return mergeDependencyReport(scanned, deps);
}

/** `pedigree scan PATH...`: returns the exit code (0 clean, 1 findings at or above the threshold). */
export async function runScanCommand(
  paths: readonly string[],
  options: ScanCommandOptions,
  io: CliIo,
): Promise<number> {
  const format = reportFormat(options.format);
  const { report, failOn } = await buildScanReport(paths, options, io);
  const rendered = renderReport(report, format, {
    color: format === 'text' && options.output === undefined && io.stdoutIsTTY && !io.noColor,
    failOn,
    verbose: options.verbose,
  });
  await deliverReport(rendered, { ...options, format }, io);
  const code = exitCodeFor(report, failOn);
  if (options.quiet && format === 'text') {
    // --quiet: only the verdict line, so CI logs stay short.
    const total = report.findings.length;
    io.stderr(
      `${report.summary.files} file(s), ${total} finding(s): ${code === 0 ? 'pass' : 'FAIL'} (threshold ${failOn})\n`,
    );
  }
  return code;
}

/**
 * The report `pedigree scan` writes (model files, dependencies and cards, with the configuration applied)
 * and the threshold it fails at; `pedigree bom --with-findings` carries the same findings into the BOM.
 */
export async function buildScanReport(
  paths: readonly string[],
  options: ScanCommandOptions,
  io: CliIo,
): Promise<{ report: ScanReport; failOn: Severity | 'none' }> {
  let root: string | undefined;
  if (paths.length === 1) {
    const info = await stat(paths[0] as string).catch(() => undefined);
    if (info?.isDirectory()) root = paths[0];
  }
  const loaded = options.noConfig ? undefined : await readConfig(options.config, root);
  const config = loaded?.config ?? {};
  const found = loaded?.discovered === true;
  const decision = resolveFailOn(
    options.failOn !== undefined ? severityOption(options.failOn, '--fail-on', true) : undefined,
    config.failOn,
    found,
  );
  const failOn = decision.failOn;
  if (loaded && options.verbose) {
    const origin = found
      ? ' (found in the scanned folder; reported as SCAN-CONFIG, --no-config ignores it)'
      : '';
    io.stderr(`using configuration ${loaded.file}${origin}\n`);
  }
  // A file found in the scanned folder belongs to whoever controls the folder: scanPaths applies it and
  // reports what it changed. A file given with --config is the user's own and applies silently.
  const foundConfig: FoundConfig | undefined =
    loaded && found && root !== undefined
      ? {
          path: shownConfigPath(loaded.file, true, root),
          exclude: config.exclude ?? [],
          allow: config.pickle?.allow ?? [],
          ...(decision.found ? { failOn: decision.found } : {}),
        }
      : undefined;

  const progress = createProgress({ stream: io.stderrStream, enabled: io.stderrIsTTY && !options.quiet });
  let started = false;
  const scanned = await scanPaths(paths, {
    tool: { name: 'pedigree', version: io.version },
    exclude: foundConfig ? [...options.exclude] : [...(config.exclude ?? []), ...options.exclude],
    allowGlobals: foundConfig ? [] : (config.pickle?.allow ?? []),
    ...(foundConfig ? { foundConfig } : {}),
    hash: options.hash,
    onFile(done, total, path) {
      if (!started) {
        progress.start(total);
        started = true;
      }
      progress.tick(path);
      if (done === total) progress.stop();
    },
  });
  if (started) progress.stop();
  const configFile = loaded ? { path: shownConfigPath(loaded.file, found, root), found } : undefined;
  const withDeps =
    options.deps === false
      ? scanned
      : await withDependencies(paths, scanned, config, configFile, options, io);
  const report =
    options.cards === false ? withDeps : await withCards(paths, withDeps, config, configFile, options, io);
  return { report, failOn };
}
