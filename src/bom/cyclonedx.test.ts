import { existsSync } from 'node:fs';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { describe, expect, it } from 'vitest';
import {
  buildCycloneDx,
  isSafeIri,
  MAX_BOM_PROBLEMS,
  modelCardOf,
  serializeCycloneDx,
  uuidV5,
  vcsReference,
} from './cyclonedx.js';
import type { Inventory } from './inventory.js';
import { cycloneDxValidator, SHARED_CYCLONEDX_SCHEMAS, sampleInventory } from './test-support.js';

type Json = Record<string, unknown>;

const hasShared = existsSync(SHARED_CYCLONEDX_SCHEMAS);

function expectValid(bom: unknown, version: '1.6' | '1.7'): void {
  for (const source of hasShared ? (['library', 'shared'] as const) : (['library'] as const)) {
    const validate = cycloneDxValidator(version, source);
    const ok = validate(bom);
    expect(validate.errors ?? [], `${source} ${version}`).toEqual([]);
    expect(ok).toBe(true);
  }
}

function components(bom: Json): Json[] {
  const out: Json[] = [];
  const walk = (list: unknown) => {
    for (const c of (list as Json[] | undefined) ?? []) {
      out.push(c);
      walk(c.components);
    }
  };
  walk(bom.components);
  return out;
}

function byRef(bom: Json, ref: string): Json {
  const found = components(bom).find((c) => c['bom-ref'] === ref);
  if (!found) throw new Error(`no component ${ref}`);
  return found;
}

const emptyInventory = (): Inventory => ({
  ...sampleInventory(),
  models: [],
  datasets: [],
  libraries: [],
  containers: [],
  files: [],
  relationships: [],
  issues: [],
});

describe('CycloneDX writer', () => {
  for (const version of ['1.6', '1.7'] as const) {
    it(`writes a BOM valid against the official ${version} schema`, () => {
      const bom = buildCycloneDx(sampleInventory(), { version });
      expect(bom.specVersion).toBe(version);
      expect(bom.$schema).toBe(`http://cyclonedx.org/schema/bom-${version}.schema.json`);
      expectValid(bom, version);
    });

    it(`writes a valid ${version} BOM for an empty project`, () => {
      expectValid(buildCycloneDx(emptyInventory(), { version }), version);
    });
  }

  for (const [version, spec] of [
    ['1.6', Spec.Version.v1dot6],
    ['1.7', Spec.Version.v1dot7],
  ] as const) {
    it(`passes the CycloneDX library's own strict ${version} validator`, async () => {
      const validator = new Validation.JsonStrictValidator(spec);
      expect(await validator.validate(serializeCycloneDx(sampleInventory(), { version }))).toBeNull();
      const broken = buildCycloneDx(sampleInventory(), { version });
      broken.serialNumber = 'not-a-urn';
      expect(await validator.validate(JSON.stringify(broken))).not.toBeNull();
    });
  }

  it('the validator rejects what the schema forbids (so the validity tests can fail)', () => {
    const bom = buildCycloneDx(sampleInventory(), { version: '1.6' });
    const model = byRef(bom, 'model:models/sentiment');
    (model.modelCard as Json).modelParameters = { approach: { type: 'guessing' } };
    expect(cycloneDxValidator('1.6', 'library')(bom)).toBe(false);
  });

  it('puts a modelCard on the model with parameters, metrics and considerations', () => {
    const bom = buildCycloneDx(sampleInventory(), { version: '1.6' });
    const model = byRef(bom, 'model:models/sentiment');
    expect(model.type).toBe('machine-learning-model');
    expect(model.hashes).toEqual([{ alg: 'SHA-256', content: 'a'.repeat(64) }]);
    expect(model.licenses).toEqual([{ license: { id: 'Apache-2.0', acknowledgement: 'declared' } }]);
    const card = model.modelCard as Json;
    expect(card.modelParameters).toEqual({
      approach: { type: 'supervised' },
      task: 'text-classification',
      architectureFamily: 'bert',
      modelArchitecture: 'BertForSequenceClassification',
      datasets: [{ ref: 'dataset:hf/stanfordnlp/imdb' }, { ref: 'dataset:data/reviews' }],
      inputs: [{ format: 'text' }],
      outputs: [{ format: 'text' }],
    });
    expect(card.quantitativeAnalysis).toEqual({
      performanceMetrics: [
        { type: 'accuracy', value: '0.921', slice: 'text-classification / imdb (plain_text, test)' },
      ],
    });
    const considerations = card.considerations as Json;
    expect(considerations.useCases).toEqual(['Classify English movie reviews.']);
    expect(considerations.users).toEqual(['Researchers studying sentiment.']);
    expect(considerations.technicalLimitations).toEqual(['English only; reviews under 512 tokens.']);
    expect(considerations.ethicalConsiderations).toEqual([{ name: 'Reflects biases of IMDb reviewers.' }]);
    expect(considerations.fairnessAssessments).toEqual([
      { harms: 'Accuracy drops on reviews written in AAVE.' },
    ]);
    expect(card.properties).toContainEqual({
      name: 'pedigree:card:outOfScopeUse',
      value: 'Medical or legal decisions.',
    });
    expect(model.pedigree).toEqual({
      ancestors: [
        {
          type: 'machine-learning-model',
          name: 'google-bert/bert-base-uncased',
          purl: 'pkg:huggingface/google-bert/bert-base-uncased',
        },
      ],
    });
    expect(model.authors).toEqual([{ name: 'Example Org' }]);
    // The model's files are nested in it, each with its digest.
    const nested = (model.components as Json[]).map((c) => c['bom-ref']);
    expect(nested.sort()).toEqual([
      'file:models/sentiment/README.md',
      'file:models/sentiment/config.json',
      'file:models/sentiment/model.safetensors',
    ]);
  });

  it('leaves out a modelCard that would say nothing', () => {
    const inv = sampleInventory();
    const external = inv.models.find((m) => m.external);
    expect(external && modelCardOf(external, new Set())).toBeUndefined();
  });

  it('describes datasets as data components with contents, sensitive data and governance', () => {
    const bom = buildCycloneDx(sampleInventory(), { version: '1.6' });
    const data = byRef(bom, 'dataset:data/reviews');
    expect(data.type).toBe('data');
    expect(data.data).toEqual([
      {
        type: 'dataset',
        name: 'reviews',
        contents: { url: 'https://example.org/reviews' },
        sensitiveData: ['Reviewer user names were removed.'],
        governance: {
          custodians: [{ contact: { name: 'Jane Doe' } }],
          owners: [{ organization: { name: 'Example Org' } }],
        },
      },
    ]);
    expect((data.components as Json[]).map((c) => c['bom-ref'])).toEqual(['file:data/reviews/test.csv']);
  });

  it('lists libraries with purls, hashes, licences and scope, and the dependency graph', () => {
    const bom = buildCycloneDx(sampleInventory(), { version: '1.6' });
    const torch = byRef(bom, 'pkg:pypi/torch@2.3.1');
    expect(torch).toMatchObject({
      type: 'library',
      name: 'torch',
      version: '2.3.1',
      purl: 'pkg:pypi/torch@2.3.1',
      scope: 'required',
      licenses: [{ expression: 'BSD-3-Clause OR MIT', acknowledgement: 'declared' }],
    });
    expect(byRef(bom, 'lib:PyPI/pytest').scope).toBe('optional');
    const deps = bom.dependencies as { ref: string; dependsOn?: string[] }[];
    const of = (ref: string) => deps.find((d) => d.ref === ref)?.dependsOn ?? [];
    expect(of('project:demo')).toEqual([
      'container:docker.io/library/python:3.11-slim',
      'lib:PyPI/pytest',
      'model:models/sentiment',
      'pkg:pypi/torch@2.3.1',
    ]);
    expect(of('model:models/sentiment')).toEqual(['dataset:data/reviews', 'dataset:hf/stanfordnlp/imdb']);
    expect(of('pkg:pypi/torch@2.3.1')).toEqual(['pkg:pypi/numpy@1.26.4']);
    // Every dependency ref names a component in the BOM.
    const refs = new Set([...components(bom).map((c) => c['bom-ref']), 'project:demo']);
    for (const d of deps) {
      expect(refs.has(d.ref)).toBe(true);
      for (const to of d.dependsOn ?? []) expect(refs.has(to)).toBe(true);
    }
  });

  it('lists containers with their purl and whether they are pinned', () => {
    const bom = buildCycloneDx(sampleInventory(), { version: '1.6' });
    const container = byRef(bom, 'container:docker.io/library/python:3.11-slim');
    expect(container).toMatchObject({
      type: 'container',
      version: '3.11-slim',
      purl: 'pkg:docker/library/python@3.11-slim',
    });
    expect(container.properties).toContainEqual({ name: 'pedigree:container:pinned', value: 'false' });
  });

  it('writes advisories and findings as vulnerabilities affecting components', () => {
    const bom = buildCycloneDx(sampleInventory(), { version: '1.6' });
    const vulns = bom.vulnerabilities as Json[];
    expect(vulns.map((v) => v.id)).toEqual(['GHSA-pg7h-5qx3-wjr3', 'PICKLE-IMPORT-DANGEROUS']);
    const ghsa = vulns[0] as Json;
    expect(ghsa.affects).toEqual([{ ref: 'pkg:pypi/torch@2.3.1' }]);
    expect(ghsa.cwes).toEqual([502]);
    expect(ghsa.references).toEqual([
      { id: 'CVE-2025-32434', source: { url: 'https://osv.dev/vulnerability/CVE-2025-32434' } },
    ]);
    expect((vulns[1] as Json).source).toEqual({ name: 'pedigree' });
  });

  it('is deterministic: same bytes twice, and for reordered input', () => {
    const a = serializeCycloneDx(sampleInventory(), { version: '1.6' });
    const inv = sampleInventory();
    const reversed: Inventory = {
      ...inv,
      models: [...inv.models].reverse(),
      libraries: [...inv.libraries].reverse(),
      files: [...inv.files].reverse(),
      datasets: [...inv.datasets].reverse(),
    };
    expect(serializeCycloneDx(sampleInventory(), { version: '1.6' })).toBe(a);
    expect(serializeCycloneDx(reversed, { version: '1.6' })).toBe(a);
    expect(a.endsWith('}\n')).toBe(true);
    expect(a).not.toContain('timestamp');
  });

  it('derives the serial number from the content', () => {
    const a = buildCycloneDx(sampleInventory(), { version: '1.6' });
    const inv = sampleInventory();
    const changed: Inventory = { ...inv, files: inv.files.map((f) => ({ ...f, size: f.size + 1 })) };
    const b = buildCycloneDx(changed, { version: '1.6' });
    expect(a.serialNumber).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(b.serialNumber).not.toBe(a.serialNumber);
    expect(
      buildCycloneDx(inv, { version: '1.6', serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79' })
        .serialNumber,
    ).toBe('urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79');
  });

  it('writes the timestamp only when asked', () => {
    const bom = buildCycloneDx(sampleInventory(), { version: '1.6', timestamp: '2026-12-02T10:00:00Z' });
    expect((bom.metadata as Json).timestamp).toBe('2026-12-02T10:00:00.000Z');
    expectValid(bom, '1.6');
  });

  it('computes RFC 9562 version 5 UUIDs', () => {
    // RFC 9562 appendix A.4: name "www.example.com" in the DNS namespace.
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('keeps texts bounded and valid with awkward content', () => {
    const inv = sampleInventory();
    const long = 'word '.repeat(5000);
    const model = inv.models[1];
    if (!model) throw new Error('fixture');
    const awkward: Inventory = {
      ...inv,
      models: [
        inv.models[0] as never,
        {
          ...model,
          name: 'name with \u0000 nul and "quotes" and \u202e bidi',
          description: long,
          considerations: { ...model.considerations, useCases: [{ text: long, source: 'x' }] },
          links: [{ type: 'website', url: 'not a url with spaces' }],
          licenses: [
            { name: 'llama3.1', source: 'x' },
            { expression: 'MIT', source: 'y' },
            { expression: 'MIT OR Apache-2.0', source: 'z' },
          ],
        },
      ],
    };
    const bom = buildCycloneDx(awkward, { version: '1.6' });
    expectValid(bom, '1.6');
    const m = byRef(bom, 'model:models/sentiment');
    expect((m.description as string).length).toBeLessThanOrEqual(4000);
    expect(m.externalReferences).toBeUndefined();
  });

  it('says the BOM is incomplete and why when something could not be read', () => {
    const inv = {
      ...sampleInventory(),
      problems: [{ path: 'broken.safetensors', message: 'header truncated' }],
    };
    const bom = buildCycloneDx(inv, { version: '1.6' });
    expect(bom.compositions).toEqual([{ aggregate: 'incomplete', assemblies: ['project:demo'] }]);
    expect((bom.metadata as Json).properties).toContainEqual({
      name: 'pedigree:problem',
      value: 'broken.safetensors: header truncated',
    });
    expectValid(bom, '1.6');
    expect(buildCycloneDx(sampleInventory(), { version: '1.6' }).compositions).toBeUndefined();
  });

  it('says how many problems it left unlisted past the limit', () => {
    const problems = Array.from({ length: MAX_BOM_PROBLEMS + 2 }, (_, i) => ({
      path: `f${String(i).padStart(5, '0')}.bin`,
      message: 'unreadable',
    }));
    const bom = buildCycloneDx({ ...sampleInventory(), problems }, { version: '1.6' });
    const listed = ((bom.metadata as Json).properties as { name: string; value: string }[]).filter(
      (p) => p.name === 'pedigree:problem',
    );
    expect(listed).toHaveLength(MAX_BOM_PROBLEMS + 1);
    expect(listed.at(-1)?.value).toBe(`2 more problems not listed (${MAX_BOM_PROBLEMS + 2} in all)`);
    expectValid(bom, '1.6');
  });

  it('writes VCS sources as vcs references with the revision, and only URLs every validator accepts', () => {
    expect(vcsReference('git+https://github.com/huggingface/peft.git@v0.6.0#egg=peft')).toEqual({
      type: 'vcs',
      url: 'https://github.com/huggingface/peft.git',
      comment: 'revision v0.6.0',
    });
    expect(vcsReference('git+ssh://git@github.com/acme/x.git')).toEqual({
      type: 'vcs',
      url: 'ssh://git@github.com/acme/x.git',
    });
    expect(vcsReference('https://example.org/x.whl')).toBeUndefined();
    expect(isSafeIri('git+https://github.com/a/b')).toBe(false);
    expect(isSafeIri('https://example.org/a b')).toBe(false);
    expect(isSafeIri('https://example.org/a?b=c#d')).toBe(true);
    const inv = sampleInventory();
    const withSources: Inventory = {
      ...inv,
      libraries: inv.libraries.map((l, i) =>
        i === 0
          ? { ...l, sourceUrl: 'git+https://github.com/huggingface/peft.git@v0.6.0' }
          : i === 1
            ? { ...l, sourceUrl: 'https://files.example.org/torch-2.3.1.whl' }
            : { ...l, sourceUrl: 'hg+weird scheme' },
      ),
    };
    const bom = buildCycloneDx(withSources, { version: '1.6' });
    expectValid(bom, '1.6');
    expect(byRef(bom, 'pkg:pypi/numpy@1.26.4').externalReferences).toEqual([
      { url: 'https://github.com/huggingface/peft.git', type: 'vcs', comment: 'revision v0.6.0' },
    ]);
    expect(byRef(bom, 'pkg:pypi/torch@2.3.1').externalReferences).toEqual([
      { url: 'https://files.example.org/torch-2.3.1.whl', type: 'distribution' },
    ]);
    expect(byRef(bom, 'lib:PyPI/pytest').externalReferences).toBeUndefined();
  });
});
