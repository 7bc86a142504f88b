import type { BomReadContext } from '../fields.js';
import { fieldPath, quote } from '../fields.js';
import { collectHashes } from '../hashes.js';
import type { BomDocument } from '../model.js';
import { type BomFormatReader, type ComponentDraft, finishComponents } from './reader.js';

/** SPDX 2 versions read; 2.2 and 2.3 JSON differ only in fields the diff does not use. */
export const SPDX2_VERSIONS: readonly string[] = ['SPDX-2.2', 'SPDX-2.3'];

/** `primaryPackagePurpose` (SPDX 2.3 §7.24) as a CycloneDX type. */
const PURPOSE_TYPES: ReadonlyMap<string, string> = new Map([
  ['APPLICATION', 'application'],
  ['CONTAINER', 'container'],
  ['DEVICE', 'device'],
  ['FIRMWARE', 'firmware'],
  ['FRAMEWORK', 'framework'],
  ['LIBRARY', 'library'],
  ['OPERATING-SYSTEM', 'operating-system'],
]);

/** `NOASSERTION` says nothing and `NONE` says no licence: neither is a licence to compare (SPDX 2.3 §7.13). */
function isLicense(text: string | undefined): text is string {
  return text !== undefined && text !== 'NOASSERTION' && text !== 'NONE' && text.trim() !== '';
}

function readChecksums(element: Record<string, unknown>, path: string, context: BomReadContext) {
  const entries = context.optionalArray(element, 'checksums', path, context.limits.maxHashes, 'checksums');
  return collectHashes(
    (entries ?? []).map((entry, i) => {
      const where = `${fieldPath(path, 'checksums')}[${i}]`;
      const checksum = context.record(entry, where);
      return {
        algorithm: context.requiredString(checksum, 'algorithm', where),
        value: context.requiredString(checksum, 'checksumValue', where),
        path: where,
      };
    }),
    context,
  );
}

/** The package URL among `externalRefs` (`referenceType: purl`, SPDX 2.3 Annex F). */
function readPurl(
  element: Record<string, unknown>,
  path: string,
  context: BomReadContext,
): string | undefined {
  const refs = context.optionalArray(
    element,
    'externalRefs',
    path,
    context.limits.maxElements,
    'external references',
  );
  for (const [i, entry] of (refs ?? []).entries()) {
    const where = `${fieldPath(path, 'externalRefs')}[${i}]`;
    const ref = context.record(entry, where);
    if (context.optionalString(ref, 'referenceType', where) === 'purl')
      return context.requiredString(ref, 'referenceLocator', where);
  }
  return undefined;
}

function parseSpdx2(
  document: Record<string, unknown>,
  context: BomReadContext,
  version: string,
): BomDocument {
  const drafts: ComponentDraft[] = [];
  const packages = context.optionalArray(document, 'packages', '', context.limits.maxComponents, 'packages');
  for (const [i, entry] of (packages ?? []).entries()) {
    const path = `packages[${i}]`;
    context.countComponent(path);
    const pkg = context.record(entry, path);
    const purpose = context.optionalString(pkg, 'primaryPackagePurpose', path);
    const type = purpose !== undefined ? PURPOSE_TYPES.get(purpose) : undefined;
    const version = context.optionalString(pkg, 'versionInfo', path);
    const purl = readPurl(pkg, path, context);
    drafts.push({
      ref: context.requiredString(pkg, 'SPDXID', path),
      location: path,
      name: context.requiredString(pkg, 'name', path),
      hashes: readChecksums(pkg, path, context),
      licenses: [
        context.optionalString(pkg, 'licenseDeclared', path),
        context.optionalString(pkg, 'licenseConcluded', path),
      ].filter(isLicense),
      files: [],
      ...(type !== undefined ? { type } : {}),
      ...(version !== undefined ? { version } : {}),
      ...(purl !== undefined ? { purl } : {}),
    });
  }
  const files = context.optionalArray(document, 'files', '', context.limits.maxComponents, 'files');
  for (const [i, entry] of (files ?? []).entries()) {
    const path = `files[${i}]`;
    context.countComponent(path);
    const file = context.record(entry, path);
    drafts.push({
      ref: context.requiredString(file, 'SPDXID', path),
      location: path,
      type: 'file',
      name: context.requiredString(file, 'fileName', path),
      hashes: readChecksums(file, path, context),
      licenses: [context.optionalString(file, 'licenseConcluded', path)].filter(isLicense),
      files: [],
    });
  }
  return { format: 'SPDX', specVersion: version.slice('SPDX-'.length), components: finishComponents(drafts) };
}

/** SPDX 2.2 and 2.3 JSON: `spdxVersion: "SPDX-2.3"`. SPDX 2 has no class for ML models. */
export const spdx2Reader: BomFormatReader = {
  name: 'SPDX 2 JSON',
  detect: (document) => document.spdxVersion !== undefined,
  parse(document, context) {
    const version = context.requiredString(document, 'spdxVersion', '');
    if (!SPDX2_VERSIONS.includes(version))
      context.fail(
        'spdxVersion',
        `${quote(version)} is not read (supported: ${SPDX2_VERSIONS.join(', ')}, and SPDX 3.0.1 JSON-LD)`,
        'UNSUPPORTED',
      );
    return parseSpdx2(document, context, version);
  },
};
