import { sizeCategory } from './data-files.js';
import type { DataColumn, DataFileFacts, FolderFacts } from './facts.js';
import { code, grouped, joinWords, plural, size } from './markdown.js';
import { LICENSE_TODO, type RenderOptions } from './render-model.js';
import { CardWriter, escapeInline } from './writer.js';
import { type YamlMap, yamlMap } from './yaml.js';

/**
 * The dataset card skeleton: the questions of Gebru et al., "Datasheets for Datasets" (CACM 2021,
 * arXiv:1803.09010) — motivation, composition, collection, preprocessing, uses, distribution, maintenance —
 * under headings the Hub's dataset card template also uses where it has them. Composition holds what the files
 * state (formats, sizes, split names, columns, row counts); the rest is TODO.
 */

/** Total rows when every data file was counted (`size_categories` is derived only then). */
function countedRows(files: readonly DataFileFacts[]): number | undefined {
  if (files.length === 0) return undefined;
  let total = 0;
  for (const f of files) {
    if (f.rows === undefined) return undefined;
    total += f.rows;
  }
  return total;
}

export function datasetFrontMatter(facts: FolderFacts): YamlMap {
  const rows = countedRows(facts.dataFiles);
  return yamlMap([rows !== undefined ? { key: 'size_categories', value: [sizeCategory(rows)] } : undefined]);
}

function formatOf(f: DataFileFacts): string {
  const name = {
    csv: 'CSV',
    tsv: 'TSV',
    jsonl: 'JSON Lines',
    json: 'JSON',
    parquet: 'Parquet',
    arrow: 'Arrow',
  }[f.format];
  const parts = [name];
  if (f.compression !== undefined) parts.push(`${f.compression}-compressed`);
  if (f.magic === false) parts.push('magic bytes not found');
  return parts.join(', ');
}

function columnText(c: DataColumn): string {
  return c.types.length > 0 ? `${code(c.name)} (${c.types.join(' or ')})` : code(c.name);
}

function codeList(items: readonly string[], max = 10): string {
  const shown = items.slice(0, max).map(code);
  if (items.length > max) shown.push(`${grouped(items.length - max)} more`);
  return joinWords(shown);
}

function writeComposition(w: CardWriter, facts: FolderFacts, options: RenderOptions): void {
  w.heading(2, 'Composition');
  const files = facts.dataFiles;
  if (files.length > 0) {
    w.paragraph(
      `Data files in the folder (format by name${files.some((f) => f.magic !== undefined) ? ' and magic bytes' : ''}, rows counted over whole files${facts.hashingDisabled ? '' : ', SHA-256 of the whole file'}):`,
    );
    w.table(
      ['File', 'Format', 'Size', 'Rows', 'Split (by name)', 'SHA-256'],
      files
        .slice(0, options.maxListedRows)
        .map((f) => [
          code(f.path),
          formatOf(f),
          size(f.size),
          f.rows !== undefined ? grouped(f.rows) : 'not counted',
          f.split ?? '—',
          f.sha256 !== undefined ? code(f.sha256) : facts.hashingDisabled ? 'not computed' : '—',
        ]),
    );
    if (files.length > options.maxListedRows)
      w.paragraph(`${grouped(files.length - options.maxListedRows)} more data files are not listed here.`);
    const rows = countedRows(files);
    if (rows !== undefined)
      w.paragraph(`${grouped(rows)} rows in all, over ${plural(files.length, 'file')}.`);
    const unread = files.filter((f) => f.sampled !== true && f.compression === undefined).length;
    if (unread > 0)
      w.paragraph(
        `Columns and rows were read from the first ${plural(files.length - unread, 'data file')}; the other ${grouped(unread)} were only listed.`,
      );
  } else {
    w.todo(
      'no CSV, JSON Lines, Parquet or Arrow files were found in the folder; say where the data is and in what form.',
    );
  }
  if (facts.otherFiles.length > 0)
    w.paragraph(
      `Other files by extension: ${facts.otherFiles
        .slice(0, 20)
        .map(([ext, n]) => `${code(ext)} ${grouped(n)}`)
        .join(', ')}.`,
    );
  w.todo('what one instance is, how many there are, and whether the data is a sample of a larger set.');
  w.notes(facts.notes, ['files', 'data', 'training', 'evaluation', 'software']);

  w.heading(3, 'Data Fields');
  // Files with the same columns are listed together (shards of one split usually share them).
  const groups = new Map<
    string,
    { files: string[]; columns: readonly DataColumn[]; how: string; more: boolean }
  >();
  for (const f of files) {
    if (f.columns === undefined || f.columns.length === 0) continue;
    const how =
      f.format === 'jsonl'
        ? `keys of the first ${plural(f.sampledRecords ?? 0, 'record')}`
        : 'first row, read as the header';
    const key = JSON.stringify([how.startsWith('keys') ? 'keys' : how, f.columns]);
    const group = groups.get(key) ?? { files: [], columns: f.columns, how, more: f.moreColumns === true };
    group.files.push(f.path);
    groups.set(key, group);
  }
  for (const group of groups.values())
    w.paragraph(
      `${codeList(group.files, 5)} (${group.how}): ${group.columns.map(columnText).join(', ')}${group.more ? ', and more columns not listed' : ''}.`,
    );
  const info = facts.datasetInfo;
  if (info !== undefined && info.features.length > 0)
    w.fact(info.file, `features ${info.features.map(columnText).join(', ')}.`);
  w.todo('what each field means, its type and units, and how missing values are marked.');

  w.heading(3, 'Data Splits');
  const bySplit = new Map<string, string[]>();
  for (const f of files) {
    const split = f.split ?? 'no split in the name';
    bySplit.set(split, [...(bySplit.get(split) ?? []), f.path]);
  }
  if (files.some((f) => f.split !== undefined))
    w.paragraph(
      `By file name (the Hub's data-files naming convention): ${[...bySplit]
        .map(([split, paths]) => `${split}: ${codeList(paths, 5)}`)
        .join('; ')}.`,
    );
  if (info !== undefined && info.splits.length > 0)
    w.fact(
      info.file,
      `splits ${info.splits.map((s) => `${code(s.name)}${s.examples !== undefined ? ` (${grouped(s.examples)} examples)` : ''}`).join(', ')}.`,
    );
  w.todo('how the splits were made and what each is for.');
}

/** The whole dataset card. */
export function renderDatasetCard(facts: FolderFacts, options: RenderOptions): string {
  const w = new CardWriter();
  w.frontMatter([LICENSE_TODO], datasetFrontMatter(facts));
  w.comment(
    'Skeleton written by `pedigree card init`. Lines starting "From <file>:" and the tables state what the files in the folder say; replace each to-do line with what only you can say.',
  );
  w.heading(1, `Dataset Card for ${escapeInline(options.name)}`);
  w.todo('summarise in one or two sentences what the dataset is.');

  w.heading(2, 'Dataset Description');
  w.todo('a longer description: what the dataset contains and what it is for.');
  const licenseHint =
    facts.licenseFiles.length > 0 ? ` (the folder has ${codeList(facts.licenseFiles, 5)})` : '';
  w.list([
    '**Curated by:** TODO: the people or organisation who created the dataset',
    '**Language(s) (NLP):** TODO: the languages of the data (their ISO 639-1 codes also go in `language:`)',
    `**License:** TODO: choose a licence and set \`license:\` in the metadata${licenseHint}`,
    '**Repository:** TODO: a link to where the data and the code that built it live',
    '**Paper:** TODO: a link to the paper or blog post, if there is one',
  ]);
  w.notes(facts.notes, ['model']);

  w.heading(2, 'Motivation');
  w.todo('why the dataset was created, for what task or gap, by whom, and who funded it.');
  writeComposition(w, facts, options);
  w.heading(2, 'Collection Process');
  w.todo(
    'how the data was collected: sources, mechanism, sampling, who collected it, over what time frame, and whether the people it is about knew and consented.',
  );
  w.heading(2, 'Preprocessing, Cleaning, and Labeling');
  w.todo(
    'what was done to the raw data (cleaning, filtering, deduplication, labelling) and whether the raw data is kept.',
  );
  w.heading(2, 'Uses');
  w.todo('the tasks the dataset is meant for and what it has been used for already.');
  w.heading(3, 'Out-of-Scope Use');
  w.todo('uses the dataset is not suited for or must not be put to.');
  w.heading(2, 'Distribution');
  w.todo('how the dataset is distributed, and under which licence or terms of use.');
  w.heading(2, 'Maintenance');
  w.todo('who maintains the dataset, how to report errors, and whether and how it will be updated.');
  w.heading(2, 'Personal and Sensitive Information');
  w.todo('whether the data identifies people or holds sensitive information, and what was done about it.');
  w.heading(2, 'Bias, Risks, and Limitations');
  w.todo('known biases, risks and limitations of the data.');
  w.heading(2, 'Citation');
  w.paragraph('**BibTeX:**');
  w.todo('the BibTeX entry of the paper or blog post introducing the dataset, if there is one.');
  w.heading(2, 'Dataset Card Contact');
  w.todo('how to reach the people responsible for the dataset and this card.');
  return w.toString();
}
