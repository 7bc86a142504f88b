import { resolve } from 'node:path';
import { bundledStoreDir, defaultStoreDir, type OsvDatabase, openOsvDatabase } from './osv/store.js';

/**
 * Which OSV data a command uses: the user's store (`--db-dir`, else the cache directory), with the snapshot
 * bundled in the package serving every ecosystem the store has no source for, so a fresh clone works
 * offline and `pedigree db update` takes over once run. Reports say which sources and how old they are.
 */

/** Data older than this (by its newest record) is reported as stale, with how to update it. */
export const DEFAULT_MAX_DB_AGE_DAYS = 7;

export interface DatabaseSourceInfo {
  readonly id: string;
  readonly kind: string;
  readonly location: string;
  readonly importedAt: string;
  readonly records: number;
  readonly ecosystems: readonly string[];
  readonly newestModified?: string;
  /** The snapshot shipped with pedigree. */
  readonly bundled: boolean;
}

export interface DatabaseInfo {
  readonly sources: readonly DatabaseSourceInfo[];
  /** The newest record's `modified` across the sources used. */
  readonly newestModified?: string;
  /** Whole days between `newestModified` and now. */
  readonly ageDays?: number;
  readonly maxAgeDays: number;
  /** Older than `maxAgeDays`, or no date known. */
  readonly stale: boolean;
}

export interface DatabaseChoice {
  /** The user's store directory (`--db-dir` or the cache directory). */
  readonly storeDir?: string;
  /** Leave the bundled snapshot out (`--no-bundled-db`). */
  readonly noBundled?: boolean;
}

export function resolveStoreDir(choice: DatabaseChoice): string {
  return resolve(choice.storeDir ?? defaultStoreDir());
}

export function openDatabase(choice: DatabaseChoice): OsvDatabase {
  const store = resolveStoreDir(choice);
  return openOsvDatabase([store], choice.noBundled ? {} : { fallbackStoreDirs: [bundledStoreDir()] });
}

/**
 * The sources and how old the data is. With `ecosystems` (those of the packages matched), the age is that of
 * the stalest of them, each judged by the newest record of the sources that serve it, so a fresh npm import
 * cannot make a two-year-old PyPI snapshot look current.
 */
export function describeDatabase(
  db: OsvDatabase,
  now: Date,
  maxAgeDays = DEFAULT_MAX_DB_AGE_DAYS,
  ecosystems?: readonly string[],
): DatabaseInfo {
  const bundled = resolve(bundledStoreDir());
  const sources = db.sources.map((s) => ({
    id: s.id,
    kind: s.kind,
    location: s.location,
    importedAt: s.importedAt,
    records: Object.values(s.ecosystems).reduce((n, e) => n + e.records, 0),
    ecosystems: Object.keys(s.ecosystems).sort(),
    ...(s.newestModified ? { newestModified: s.newestModified } : {}),
    bundled: resolve(s.store) === bundled,
  }));
  const newestOf = (list: readonly DatabaseSourceInfo[]) =>
    list
      .map((s) => s.newestModified)
      .filter((m): m is string => m !== undefined)
      .sort()
      .at(-1);
  const perEcosystem = (ecosystems ?? []).map((e) =>
    newestOf(sources.filter((s) => s.ecosystems.includes(e))),
  );
  const newest =
    perEcosystem.length === 0
      ? newestOf(sources)
      : perEcosystem.some((m) => m === undefined)
        ? undefined
        : [...(perEcosystem as string[])].sort()[0];
  const time = newest === undefined ? Number.NaN : Date.parse(newest);
  const ageDays = Number.isNaN(time)
    ? undefined
    : Math.max(0, Math.floor((now.getTime() - time) / 86_400_000));
  return {
    sources,
    ...(newest ? { newestModified: newest } : {}),
    ...(ageDays !== undefined ? { ageDays } : {}),
    maxAgeDays,
    stale: ageDays === undefined || ageDays > maxAgeDays,
  };
}
