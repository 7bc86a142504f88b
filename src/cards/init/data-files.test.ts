import { describe, expect, it } from 'vitest';
import {
  dataFormatOf,
  parseCsvHeader,
  parseDatasetInfo,
  RecordCounter,
  sampleJsonl,
  sizeCategory,
  splitOfPath,
} from './data-files.js';

describe('dataFormatOf and splitOfPath', () => {
  it('reads format and compression from the name', () => {
    expect(dataFormatOf('data/train.csv')).toEqual({ format: 'csv' });
    expect(dataFormatOf('x.JSONL.gz')).toEqual({ format: 'jsonl', compression: 'gzip' });
    expect(dataFormatOf('a.ndjson')).toEqual({ format: 'jsonl' });
    expect(dataFormatOf('b.feather')).toEqual({ format: 'arrow' });
    expect(dataFormatOf('c.txt')).toBeUndefined();
    expect(dataFormatOf('csv')).toBeUndefined();
    expect(dataFormatOf('.gz')).toBeUndefined();
  });

  it.each([
    ['data/train-00000-of-00002.parquet', 'train'],
    ['train.csv', 'train'],
    ['dev.jsonl', 'validation'],
    ['data/validation/part-0.parquet', 'validation'],
    ['test/x.csv', 'test'],
    ['my_eval_set.jsonl', 'test'],
    ['trainer.csv', undefined],
    ['contest.csv', undefined],
    ['data.csv', undefined],
  ])('%s → %s', (path, split) => {
    expect(splitOfPath(path)).toBe(split);
  });
});

describe('parseCsvHeader', () => {
  it('reads quoted fields, doubled quotes, line breaks in quotes and a BOM', () => {
    expect(parseCsvHeader('\uFEFFa,"b, c","d ""e""\nf"\r\n1,2,3\n', ',')).toEqual(['a', 'b, c', 'd "e"\nf']);
    expect(parseCsvHeader('x\ty\n', '\t')).toEqual(['x', 'y']);
  });

  it('returns undefined when the sample ends inside the first record', () => {
    expect(parseCsvHeader('a,b,c', ',')).toBeUndefined();
    expect(parseCsvHeader('"a\nb', ',')).toBeUndefined();
  });
});

describe('sampleJsonl', () => {
  it('collects keys in order of appearance with the JSON types seen, dropping a cut last line', () => {
    const sample = sampleJsonl('{"a":1,"b":"x"}\n{"b":null,"c":[1]}\nnot json\n[1]\n{"a":', true, 10);
    expect(sample).toEqual({
      columns: [
        { name: 'a', types: ['number'] },
        { name: 'b', types: ['null', 'string'] },
        { name: 'c', types: ['list'] },
      ],
      records: 2,
      invalid: 2,
      moreColumns: false,
    });
  });

  it('stops listing columns at the limit', () => {
    const sample = sampleJsonl('{"a":1,"b":2,"c":3}\n', false, 2);
    expect(sample.columns.map((c) => c.name)).toEqual(['a', 'b']);
    expect(sample.moreColumns).toBe(true);
  });
});

describe('RecordCounter', () => {
  it('counts CSV records across chunk boundaries, not line breaks inside quotes, not blank lines', () => {
    const text = new TextEncoder().encode('a,b\n"x\ny",1\n\n  \nz,2');
    const counter = new RecordCounter(true);
    for (let i = 0; i < text.length; i += 3) counter.push(text.subarray(i, i + 3));
    expect(counter.finish()).toBe(3);
  });

  it('counts non-blank JSONL lines, quotes ignored', () => {
    const counter = new RecordCounter(false);
    counter.push(new TextEncoder().encode('{"a":"\\""}\n\n{"a":2}\n'));
    expect(counter.finish()).toBe(2);
  });
});

describe('parseDatasetInfo', () => {
  it('reads features and split sizes as the datasets library writes them', () => {
    expect(
      parseDatasetInfo(
        {
          features: {
            text: { dtype: 'string', _type: 'Value' },
            label: { names: ['neg', 'pos'], _type: 'ClassLabel' },
            tokens: { feature: { dtype: 'string', _type: 'Value' }, _type: 'Sequence' },
            meta: { a: { dtype: 'int32', _type: 'Value' } },
          },
          splits: { train: { name: 'train', num_examples: 25000 }, test: { name: 'test', num_examples: 0 } },
        },
        'dataset_info.json',
      ),
    ).toEqual({
      file: 'dataset_info.json',
      features: [
        { name: 'text', types: ['string'] },
        { name: 'label', types: ['ClassLabel (2 names)'] },
        { name: 'tokens', types: ['Sequence'] },
        { name: 'meta', types: ['struct'] },
      ],
      splits: [{ name: 'test' }, { name: 'train', examples: 25000 }],
    });
    expect(parseDatasetInfo({ splits: ['train', 'test'] }, 'dataset_dict.json')?.splits).toEqual([
      { name: 'test' },
      { name: 'train' },
    ]);
    expect(parseDatasetInfo({ description: '' }, 'dataset_info.json')).toBeUndefined();
  });
});

describe('sizeCategory', () => {
  it.each([
    [0, 'n<1K'],
    [999, 'n<1K'],
    [1000, '1K<n<10K'],
    [25_000, '10K<n<100K'],
    [2_000_000_000_000, 'n>1T'],
  ])('%d rows → %s', (rows, category) => {
    expect(sizeCategory(rows)).toBe(category);
  });
});
