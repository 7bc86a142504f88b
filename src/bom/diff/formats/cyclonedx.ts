import type { BomReadContext } from '../fields.js';
import { fieldPath, quote } from '../fields.js';
import { collectHashes } from '../hashes.js';
import type { BomDocument } from '../model.js';
import { isWeightFile, ROLE_PROPERTY } from '../weights.js';
import { type BomFormatReader, type ComponentDraft, finishComponents } from './reader.js';

/**
 * CycloneDX JSON versions read. 1.0 and 1.1 were XML only; 1.2 introduced the JSON format; 1.5 added
 * `machine-learning-model`, `data` and `modelCard`; 1.7 (2025-10) left them unchanged.
 */
export const CYCLONEDX_VERSIONS: readonly string[] = ['1.2', '1.3', '1.4', '1.5', '1.6', '1.7'];

interface Frame {
  readonly value: unknown;
  readonly path: string;
  readonly depth: number;
  /** The nearest enclosing ML model, which owns the files nested under it. */
  readonly owner: ComponentDraft | undefined;
}

/** `licenses`: `[{license: {id | name}}, {expression}]` (CycloneDX 1.6 `licenseChoice`). */
function readLicenses(component: Record<string, unknown>, path: string, context: BomReadContext): string[] {
  const entries = context.optionalArray(component, 'licenses', path, context.limits.maxLicenses, 'licences');
  const out: string[] = [];
  for (const [i, entry] of (entries ?? []).entries()) {
    const where = `${fieldPath(path, 'licenses')}[${i}]`;
    const choice = context.record(entry, where);
    const expression = context.optionalString(choice, 'expression', where);
    if (expression !== undefined) {
      out.push(expression);
      continue;
    }
    const license = context.optionalRecord(choice, 'license', where);
    if (license === undefined) context.fail(where, 'expected `license` or `expression`');
    const licensePath = fieldPath(where, 'license');
    const id = context.optionalString(license, 'id', licensePath);
    const name = context.optionalString(license, 'name', licensePath);
    if (id === undefined && name === undefined) context.fail(licensePath, 'expected `id` or `name`');
    out.push((id ?? name) as string);
  }
  return out;
}

function readHashes(component: Record<string, unknown>, path: string, context: BomReadContext) {
  const entries = context.optionalArray(component, 'hashes', path, context.limits.maxHashes, 'hashes');
  return collectHashes(
    (entries ?? []).map((entry, i) => {
      const where = `${fieldPath(path, 'hashes')}[${i}]`;
      const hash = context.record(entry, where);
      return {
        algorithm: context.requiredString(hash, 'alg', where),
        value: context.requiredString(hash, 'content', where),
        path: where,
      };
    }),
    context,
  );
}

/** The value of the `pedigree:file:role` property, when the component has one. */
function statedRole(
  component: Record<string, unknown>,
  path: string,
  context: BomReadContext,
): string | undefined {
  const properties = context.optionalArray(
    component,
    'properties',
    path,
    context.limits.maxElements,
    'properties',
  );
  for (const [i, entry] of (properties ?? []).entries()) {
    const where = `${fieldPath(path, 'properties')}[${i}]`;
    const property = context.record(entry, where);
    if (context.optionalString(property, 'name', where) === ROLE_PROPERTY)
      return context.optionalString(property, 'value', where);
  }
  return undefined;
}

function parseCycloneDx(document: Record<string, unknown>, context: BomReadContext): BomDocument {
  const specVersion = context.optionalString(document, 'specVersion', '');
  if (specVersion === undefined)
    context.fail(
      'specVersion',
      'missing: a CycloneDX BOM must say which version of the specification it follows',
    );
  if (!CYCLONEDX_VERSIONS.includes(specVersion))
    context.fail(
      'specVersion',
      `CycloneDX ${quote(specVersion)} is not read (supported: ${CYCLONEDX_VERSIONS.join(', ')})`,
      'UNSUPPORTED',
    );

  const drafts: ComponentDraft[] = [];
  // Depth first, in document order, with an explicit stack: nesting is bounded by maxDepth, not the call stack.
  const stack: Frame[] = [];
  const components = context.optionalArray(
    document,
    'components',
    '',
    context.limits.maxComponents,
    'components',
  );
  for (let i = (components ?? []).length - 1; i >= 0; i--)
    stack.push({ value: components?.[i], path: `components[${i}]`, depth: 1, owner: undefined });
  const metadata = context.optionalRecord(document, 'metadata', '');
  if (metadata?.component !== undefined)
    stack.push({ value: metadata.component, path: 'metadata.component', depth: 1, owner: undefined });

  while (stack.length > 0) {
    const { value, path, depth, owner } = stack.pop() as Frame;
    if (depth > context.limits.maxDepth)
      context.fail(
        path,
        `components nested more than ${context.limits.maxDepth} deep; not read`,
        'LIMIT_EXCEEDED',
      );
    context.countComponent(path);
    const component = context.record(value, path);
    const type = context.requiredString(component, 'type', path);
    const name = context.requiredString(component, 'name', path);
    const ref = context.optionalString(component, 'bom-ref', path);
    const group = context.optionalString(component, 'group', path);
    const version = context.optionalString(component, 'version', path);
    const purl = context.optionalString(component, 'purl', path);
    const isModel = type === 'machine-learning-model';
    const modelCard = isModel
      ? context.optionalRecord(component, 'modelCard', path) !== undefined
      : undefined;
    const draft: ComponentDraft = {
      ref: ref ?? path,
      location: path,
      type,
      name,
      hashes: readHashes(component, path, context),
      licenses: readLicenses(component, path, context),
      files: [],
      ...(group !== undefined ? { group } : {}),
      ...(version !== undefined ? { version } : {}),
      ...(purl !== undefined ? { purl } : {}),
      ...(modelCard !== undefined ? { modelCard } : {}),
    };
    drafts.push(draft);
    if (type === 'file' && owner !== undefined) {
      owner.files.push({
        name,
        ref: draft.ref,
        hashes: draft.hashes,
        weights: isWeightFile(name, statedRole(component, path, context)),
      });
    }
    const children = context.optionalArray(
      component,
      'components',
      path,
      context.limits.maxComponents,
      'components',
    );
    for (let i = (children ?? []).length - 1; i >= 0; i--)
      stack.push({
        value: children?.[i],
        path: `${path}.components[${i}]`,
        depth: depth + 1,
        owner: isModel ? draft : owner,
      });
  }
  return { format: 'CycloneDX', specVersion, components: finishComponents(drafts) };
}

/** CycloneDX JSON 1.2 to 1.7: `bomFormat: "CycloneDX"`. */
export const cycloneDxReader: BomFormatReader = {
  name: 'CycloneDX JSON',
  detect: (document) => document.bomFormat !== undefined,
  parse(document, context) {
    if (document.bomFormat !== 'CycloneDX')
      context.fail(
        'bomFormat',
        `expected "CycloneDX", got ${typeof document.bomFormat === 'string' ? quote(document.bomFormat) : 'a non-string value'}`,
        'BAD_MAGIC',
      );
    return parseCycloneDx(document, context);
  },
};
