import { lstat, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CardKind } from '../../cards/audit/types.js';
import { initCard } from '../../cards/init/index.js';
import { describeError, UsageError } from '../../core/errors.js';
import { safe } from '../../report/text.js';
import type { CliIo } from '../io.js';

export interface CardInitCommandOptions {
  /** `--output FILE`: where to write the card (default `PATH/README.md`). */
  readonly output?: string;
  /** `--stdout`: print the card instead of writing it. */
  readonly stdout?: boolean;
  /** `--force`: overwrite an existing card. */
  readonly force?: boolean;
  /** `--kind model|dataset` (default: decided from the files). */
  readonly kind?: string;
  /** `--name NAME`: the name in the title (default: the folder's name). */
  readonly name?: string;
  /** `--no-hash` sets this to false: no SHA-256 of weight and data files. */
  readonly hash?: boolean;
}

const KINDS: readonly CardKind[] = ['model', 'dataset'];

/** What is at `path`, without following a final symbolic link; undefined when nothing is there. */
async function existing(path: string): Promise<Awaited<ReturnType<typeof lstat>> | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError('PATH_UNREADABLE', `cannot check ${path}: ${describeError(error)}`, {
      cause: error,
    });
  }
}

/** Refuses a target that would lose a card or write through a link. */
async function checkTarget(target: string, force: boolean): Promise<void> {
  const info = await existing(target);
  if (info === undefined) return;
  // A README.md that links elsewhere (a hostile repository's `README.md -> ~/.bashrc`) is never written through.
  if (info.isSymbolicLink())
    throw new UsageError(
      'BAD_ARGUMENT',
      `${target} is a symbolic link; not overwritten. Remove it, or write with --output FILE or --stdout`,
    );
  if (!info.isFile())
    throw new UsageError('BAD_ARGUMENT', `${target} exists and is not a file; not overwritten`);
  if (!force)
    throw new UsageError(
      'BAD_ARGUMENT',
      `${target} already exists; pass --force to overwrite it, or write with --output FILE or --stdout`,
    );
}

/**
 * Writes the card: without --force only if nothing is there (`wx`, so a file created meanwhile is not
 * clobbered); with --force through a temporary file renamed over the target, which replaces the directory
 * entry and never writes through a link put there after the check.
 */
async function writeCard(target: string, text: string, force: boolean): Promise<void> {
  try {
    if (!force) {
      await writeFile(target, text, { flag: 'wx' });
      return;
    }
    const temporary = `${target}.pedigree-${process.pid}.tmp`;
    try {
      await writeFile(temporary, text, { flag: 'wx' });
    } catch (error) {
      // Something is already there (left over, or put there): not ours to remove or write through.
      throw new UsageError('PATH_UNREADABLE', `cannot write ${temporary}: ${describeError(error)}`, {
        cause: error,
      });
    }
    try {
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new UsageError('BAD_ARGUMENT', `${target} already exists; pass --force to overwrite it`, {
        cause: error,
      });
    throw new UsageError('PATH_UNREADABLE', `cannot write ${target}: ${describeError(error)}`, {
      cause: error,
    });
  }
}

/**
 * `pedigree card init [PATH]`: writes a model or dataset card skeleton for the folder PATH (default `.`),
 * filled only with what its files state, TODO everywhere else. 0 written; 2 usage or I/O error (an existing
 * card without --force included).
 */
export async function runCardInitCommand(
  path: string | undefined,
  options: CardInitCommandOptions,
  io: CliIo,
): Promise<number> {
  if (options.kind !== undefined && !(KINDS as readonly string[]).includes(options.kind))
    throw new UsageError('BAD_ARGUMENT', `--kind must be model or dataset, got '${options.kind}'`);
  if (options.stdout === true && options.output !== undefined)
    throw new UsageError('BAD_ARGUMENT', '--stdout and --output cannot be used together');
  const root = path ?? '.';
  const target = options.stdout === true ? undefined : (options.output ?? join(root, 'README.md'));
  // Checked before the folder is read: hashing a large model first and then refusing would waste minutes.
  if (target !== undefined) await checkTarget(target, options.force === true);

  const card = await initCard(root, {
    ...(options.kind !== undefined ? { kind: options.kind as CardKind } : {}),
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.hash === false ? { hash: false } : {}),
  });
  for (const note of card.notes)
    io.stderr(
      `pedigree card init: ${safe(note.file !== undefined ? `${note.file}: ${note.message}` : note.message)}\n`,
    );
  const summary = `${card.kind} card: ${card.statedFacts} fact line(s) from the folder's files, ${card.todos} TODO(s) to fill in`;
  if (target === undefined) {
    io.stdout(card.text);
    io.stderr(`${summary}\n`);
    return 0;
  }
  await writeCard(target, card.text, options.force === true);
  io.stdout(`wrote ${safe(target)}: ${summary}\n`);
  return 0;
}
