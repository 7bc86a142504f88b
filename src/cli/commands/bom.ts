import { collectInventory } from '../../bom/collect.js';
import { serializeCycloneDx } from '../../bom/cyclonedx.js';
import type { Inventory } from '../../bom/inventory.js';
import { UsageError } from '../../core/errors.js';
import { exitCodeFor } from '../../report/exit-code.js';
import type { CliIo } from '../io.js';
import { deliverReport, severityOption } from '../output.js';

/** The BOM standards and versions `pedigree bom --spec` writes. */
export const BOM_SPECS = ['cyclonedx-1.6', 'cyclonedx-1.7', 'spdx-3.0'] as const;
export type BomSpec = (typeof BOM_SPECS)[number];

export interface BomCommandOptions {
  readonly spec: string;
  readonly output?: string;
  readonly exclude: readonly string[];
  readonly hash: boolean;
  /** `--with-findings`: run the scan, dependency and card audits and include what they find. */
  readonly withFindings: boolean;
  readonly failOn?: string;
  /** `--timestamp [TIME]`: `true` for now (or SOURCE_DATE_EPOCH), a string for that time. */
  readonly timestamp?: string | boolean;
  readonly serialNumber?: string;
  readonly name?: string;
  readonly projectVersion?: string;
  readonly dbDir?: string;
  readonly quiet: boolean;
  readonly config?: string;
  readonly noConfig?: boolean;
}

/** `urn:uuid:` and an RFC 9562 UUID, as CycloneDX's `serialNumber` pattern requires. */
const SERIAL = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function specOf(value: string): BomSpec {
  if ((BOM_SPECS as readonly string[]).includes(value)) return value as BomSpec;
  // `spdx-3.0.1` and `cyclonedx` alone are what people type.
  if (value === 'spdx-3.0.1' || value === 'spdx' || value === 'spdx-3') return 'spdx-3.0';
  if (value === 'cyclonedx' || value === 'cdx') return 'cyclonedx-1.6';
  throw new UsageError('BAD_ARGUMENT', `--spec must be one of ${BOM_SPECS.join(', ')}, got '${value}'`);
}

/**
 * The creation time: `--timestamp TIME` as given (ISO 8601), `--timestamp` alone the current time or
 * SOURCE_DATE_EPOCH when set (https://reproducible-builds.org/specs/source-date-epoch/), none by default.
 */
export function timestampOf(value: string | boolean | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) {
    const epoch = env.SOURCE_DATE_EPOCH;
    if (epoch !== undefined && epoch !== '') {
      if (!/^\d{1,12}$/.test(epoch))
        throw new UsageError('BAD_ARGUMENT', `SOURCE_DATE_EPOCH must be seconds since 1970, got '${epoch}'`);
      return new Date(Number(epoch) * 1000).toISOString().replace(/\.000Z$/, 'Z');
    }
    return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(ms))
    throw new UsageError(
      'BAD_ARGUMENT',
      `--timestamp must be an ISO 8601 date-time (2026-01-31T12:00:00Z), got '${value}'`,
    );
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

function serialOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value === 'random') return `urn:uuid:${crypto.randomUUID()}`;
  const lower = value.toLowerCase();
  if (!SERIAL.test(lower))
    throw new UsageError(
      'BAD_ARGUMENT',
      `--serial-number must be 'random' or urn:uuid:<uuid>, got '${value}'`,
    );
  return lower;
}

function summary(inventory: Inventory): string {
  const local = inventory.models.filter((m) => !m.external).length;
  const external = inventory.models.length - local;
  const parts = [
    `${local} model(s)${external > 0 ? ` (+${external} referenced)` : ''}`,
    `${inventory.datasets.length} dataset(s)`,
    `${inventory.libraries.length} librar${inventory.libraries.length === 1 ? 'y' : 'ies'}`,
    `${inventory.containers.length} container image(s)`,
    `${inventory.files.length} file(s)`,
  ];
  return parts.join(', ');
}

/** `pedigree bom PATH`: writes the BOM; exit 1 only with --with-findings and findings at the threshold. */
export async function runBomCommand(path: string, options: BomCommandOptions, io: CliIo): Promise<number> {
  const spec = specOf(options.spec);
  const timestamp = timestampOf(options.timestamp, process.env);
  const serialNumber = serialOf(options.serialNumber);
  if (serialNumber !== undefined && spec === 'spdx-3.0')
    throw new UsageError('BAD_ARGUMENT', '--serial-number is a CycloneDX field; SPDX documents have none');
  const failOnGiven =
    options.failOn !== undefined ? severityOption(options.failOn, '--fail-on', true) : undefined;
  if (failOnGiven !== undefined && !options.withFindings)
    throw new UsageError('BAD_ARGUMENT', '--fail-on needs --with-findings');

  const { inventory: collected } = await collectInventory(path, {
    tool: { name: 'pedigree', version: io.version },
    exclude: options.exclude,
    hash: options.hash,
    ...(options.name !== undefined ? { projectName: options.name } : {}),
    ...(options.projectVersion !== undefined ? { projectVersion: options.projectVersion } : {}),
    env: Object.fromEntries(
      Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
    ),
  });
  let inventory = collected;
  let code = 0;
  if (options.withFindings) {
    const [{ buildScanReport }, { issuesFromReport }] = await Promise.all([
      import('./scan.js'),
      import('../../bom/findings.js'),
    ]);
    const { report, failOn } = await buildScanReport(
      [path],
      {
        format: 'json',
        exclude: options.exclude,
        quiet: true,
        verbose: false,
        hash: false,
        ...(options.failOn !== undefined ? { failOn: options.failOn } : {}),
        ...(options.config !== undefined ? { config: options.config } : {}),
        ...(options.noConfig ? { noConfig: true } : {}),
        ...(options.dbDir !== undefined ? { dbDir: options.dbDir } : {}),
      },
      io,
    );
    inventory = { ...inventory, issues: issuesFromReport(report, inventory) };
    code = exitCodeFor(report, failOn);
  }

  let rendered: string;
  if (spec === 'spdx-3.0') {
    const { serializeSpdx } = await import('../../bom/spdx.js');
    rendered = serializeSpdx(inventory, timestamp !== undefined ? { timestamp } : {});
  } else {
    rendered = serializeCycloneDx(inventory, {
      version: spec === 'cyclonedx-1.7' ? '1.7' : '1.6',
      ...(timestamp !== undefined ? { timestamp } : {}),
      ...(serialNumber !== undefined ? { serialNumber } : {}),
    });
  }
  await deliverReport(
    rendered,
    { ...(options.output !== undefined ? { output: options.output } : {}), format: 'json' },
    io,
  );
  if (!options.quiet) {
    io.stderr(
      `pedigree bom: ${summary(inventory)}${options.output !== undefined ? ` -> ${options.output}` : ''}\n`,
    );
    for (const p of inventory.problems.slice(0, 20)) io.stderr(`  not fully read: ${p.path}: ${p.message}\n`);
    if (inventory.problems.length > 20)
      io.stderr(`  ... and ${inventory.problems.length - 20} more (listed in the BOM)\n`);
    if (options.withFindings) io.stderr(`  ${inventory.issues.length} finding(s) and advisories included\n`);
  }
  return code;
}
