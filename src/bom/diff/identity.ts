import { PackageURL } from 'packageurl-js';
import type { BomComponent } from './model.js';

/**
 * How a component is recognised across two BOMs. The rules, in order:
 * 1. a file is its path: `file:<path>` (`./a/b` and `a\b` are `a/b`);
 * 2. a component with a package URL is that URL without its version and without the qualifiers that vary
 *    between builds of one package (`arch`, `tag`, `checksum`...); `repository_url` is kept, since the same
 *    name from another registry is another package, and so is the subpath;
 * 3. anything else is its kind, group and name: `model:google/bert-base` (CycloneDX `group: google,
 *    name: bert-base` and SPDX `name: google/bert-base` are one model).
 * Components left unmatched by these are then tried by kind, group and name alone (rule 3) when one of
 * the two has no package URL, so a package that gained or lost its package URL is one package whose purl
 * changed; two different package URLs stay two packages. Files left unmatched are then paired by content
 * (a strong digest held by exactly one file on each side): a renamed file.
 */
export function identityOf(component: BomComponent): string {
  return identify(component).identity;
}

/** The identity and the canonical package URL of a component, from one parse of the purl. */
export function identify(component: BomComponent): { identity: string; purl?: string } {
  const parsed = component.purl !== undefined ? parsePurl(component.purl) : undefined;
  const purl = parsed !== undefined ? parsed.toString() : component.purl;
  const withPurl = purl !== undefined ? { purl } : {};
  if (component.kind === 'file')
    return { identity: `file:${normaliseFilePath(component.name)}`, ...withPurl };
  if (parsed === undefined) return { identity: nameIdentity(component), ...withPurl };
  return { identity: `purl:${versionless(parsed)}`, ...withPurl };
}

/** Rule 3: kind, group and name. */
export function nameIdentity(component: BomComponent): string {
  return `${component.kind}:${component.group !== undefined ? `${component.group}/` : ''}${component.name}`;
}

/** A path as written by any tool, in one form: forward slashes, no leading `./`, no doubled slashes. */
export function normaliseFilePath(path: string): string {
  return path
    .replace(/\\/g, '/')
    .replace(/\/{2,}/g, '/')
    .replace(/^(?:\.\/)+/, '');
}

function parsePurl(purl: string): PackageURL | undefined {
  try {
    return PackageURL.fromString(purl);
  } catch {
    return undefined;
  }
}

/** The purl without version, with only its `repository_url` qualifier; undefined when it does not parse. */
export function versionlessPurl(purl: string): string | undefined {
  const parsed = parsePurl(purl);
  return parsed === undefined ? undefined : versionless(parsed);
}

function versionless(parsed: PackageURL): string {
  const repository = parsed.qualifiers?.repository_url;
  return new PackageURL(
    parsed.type,
    parsed.namespace ?? null,
    parsed.name,
    null,
    repository !== undefined ? { repository_url: repository } : null,
    parsed.subpath ?? null,
  ).toString();
}

/** The purl in its canonical form (normalised name, sorted qualifiers), or as written when it does not parse. */
export function canonicalPurl(purl: string): string {
  return parsePurl(purl)?.toString() ?? purl;
}
