import { UsageError } from '../../core/errors.js';
import { type DatabaseChoice, describeDatabase, openDatabase, resolveStoreDir } from '../../deps/database.js';
import { importOsv, OsvStoreError } from '../../deps/osv/store.js';
import { DEFAULT_ECOSYSTEMS, DEFAULT_OSV_BASE_URL, updateOsv } from '../../deps/osv/update.js';
import type { CliIo } from '../io.js';

/** Turns store failures into operational errors (exit 2) with their message. */
async function guarded<T>(run: () => Promise<T> | T): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof OsvStoreError) throw new UsageError('DATABASE', error.message, { cause: error });
    throw error;
  }
}

/** `pedigree db import PATH`: an OSV all.zip or a directory of OSV JSON/YAML records. */
export async function runDbImport(path: string, choice: DatabaseChoice, io: CliIo): Promise<number> {
  const store = resolveStoreDir(choice);
  const result = await guarded(() => importOsv(store, path));
  const s = result.source;
  io.stdout(
    `imported ${s.records} record(s) from ${s.location} into ${store} (source ${s.id}; ${Object.entries(
      s.ecosystems,
    )
      .map(([e, v]) => `${e} ${v.records}`)
      .join(', ')}; ${s.withdrawn} withdrawn left out)\n`,
  );
  for (const p of result.problems) io.stderr(`  not imported: ${p.file}: ${p.message}\n`);
  if (result.problemCount > result.problems.length)
    io.stderr(`  ... and ${result.problemCount - result.problems.length} more\n`);
  return 0;
}

/** `pedigree db update`: downloads OSV's ecosystem exports with conditional requests. */
export async function runDbUpdate(
  options: DatabaseChoice & { readonly url?: string; readonly ecosystems: readonly string[] },
  io: CliIo,
): Promise<number> {
  const store = resolveStoreDir(options);
  const outcomes = await guarded(() =>
    updateOsv(store, {
      baseUrl: options.url ?? process.env.PEDIGREE_OSV_URL ?? DEFAULT_OSV_BASE_URL,
      ecosystems: options.ecosystems.length > 0 ? options.ecosystems : DEFAULT_ECOSYSTEMS,
    }),
  );
  for (const o of outcomes)
    io.stdout(
      o.status === 'unchanged'
        ? `${o.ecosystem}: up to date (${o.url})\n`
        : `${o.ecosystem}: ${o.import?.source.records ?? 0} record(s) from ${o.url}\n`,
    );
  return 0;
}

/** `pedigree db status`: sources, record counts, newest record and age. */
export async function runDbStatus(
  options: DatabaseChoice & { readonly format: string; readonly maxAgeDays?: number },
  io: CliIo,
): Promise<number> {
  const db = await guarded(() => openDatabase(options));
  try {
    const info = describeDatabase(db, new Date(), options.maxAgeDays);
    const store = resolveStoreDir(options);
    if (options.format === 'json') {
      io.stdout(`${JSON.stringify({ store, ...info }, null, 2)}\n`);
      return 0;
    }
    io.stdout(`store: ${store}\n`);
    if (info.sources.length === 0)
      io.stdout('no advisory data: run `pedigree db update` or `pedigree db import PATH`\n');
    for (const s of info.sources)
      io.stdout(
        `${s.bundled ? 'bundled snapshot' : s.kind} ${s.id}: ${s.records} record(s) [${s.ecosystems.join(', ')}], newest ${
          s.newestModified ?? 'unknown'
        }, imported ${s.importedAt}\n  ${s.location}\n`,
      );
    if (info.ageDays !== undefined)
      io.stdout(
        `age: ${info.ageDays} day(s)${info.stale ? ` — older than ${info.maxAgeDays} days: run \`pedigree db update\`` : ''}\n`,
      );
    return 0;
  } finally {
    db.close();
  }
}
