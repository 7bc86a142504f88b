import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { describeError, UsageError } from '../../core/errors.js';
import type { CardKind } from '../audit/types.js';
import { readCard } from '../read.js';
import type { FolderFacts, InitNote } from './facts.js';
import { gatherFolder } from './gather.js';
import { type CardInitLimits, DEFAULT_CARD_INIT_LIMITS } from './limits.js';
import { renderDatasetCard } from './render-dataset.js';
import { renderModelCard } from './render-model.js';

/**
 * `pedigree card init`: a card skeleton holding only what the folder's files state, each fact naming its
 * file, and a TODO for everything else. It never invents a claim: no licence, no intended use, no base model
 * unless an adapter config names one, no results the files do not hold.
 */

export interface CardInitOptions {
  /** Force the card kind; by default a folder of data files and no weights gets a dataset card. */
  readonly kind?: CardKind;
  /** Name in the title (and `model-index`); defaults to the folder's name. */
  readonly name?: string;
  /** Compute SHA-256 of weight and data files (default true). */
  readonly hash?: boolean;
  readonly limits?: Partial<CardInitLimits>;
}

export interface CardSkeleton {
  readonly kind: CardKind;
  readonly name: string;
  /** The card, front matter included, ending with a newline. */
  readonly text: string;
  readonly facts: FolderFacts;
  /** Inputs that could not be read; each is also a TODO line in the card. */
  readonly notes: readonly InitNote[];
  /** TODO placeholders the card reader finds in the card (front matter comment included). */
  readonly todos: number;
  /** Facts written: `From <file>:` lines and table rows. */
  readonly statedFacts: number;
}

/** Longest card name taken. */
const MAX_NAME_CHARS = 120;

/** Renders a card from gathered facts. Pure. */
export function renderCard(
  kind: CardKind,
  facts: FolderFacts,
  name: string,
  limits: Partial<CardInitLimits> = {},
): string {
  const options = { name, maxListedRows: limits.maxListedRows ?? DEFAULT_CARD_INIT_LIMITS.maxListedRows };
  return kind === 'dataset' ? renderDatasetCard(facts, options) : renderModelCard(facts, options);
}

/** Builds the card skeleton for the folder `root`. Throws UsageError when `root` is not a readable folder. */
export async function initCard(root: string, options: CardInitOptions = {}): Promise<CardSkeleton> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(root);
  } catch (error) {
    throw new UsageError(
      'PATH_NOT_FOUND',
      `cannot read ${root}: ${describeError(error)}; check the path exists`,
      {
        cause: error,
      },
    );
  }
  if (!info.isDirectory())
    throw new UsageError(
      'BAD_ARGUMENT',
      `${root} is not a folder: card init describes the folder a model or dataset is in`,
    );
  const name = (options.name ?? basename(resolve(root))).trim().slice(0, MAX_NAME_CHARS) || 'TODO';
  const { kind, facts } = await gatherFolder(root, {
    ...(options.kind !== undefined ? { kind: options.kind } : {}),
    ...(options.hash !== undefined ? { hash: options.hash } : {}),
    ...(options.limits !== undefined ? { limits: options.limits } : {}),
  });
  const text = renderCard(kind, facts, name, options.limits);
  const doc = readCard('README.md', text);
  const todos = doc.placeholders.filter((p) => p.kind === 'todo' || p.kind === 'metadata-comment').length;
  const stated = text.split('\n').filter((l) => l.startsWith('From `') || l.startsWith('| `')).length;
  return { kind, name, text, facts, notes: facts.notes, todos, statedFacts: stated };
}
