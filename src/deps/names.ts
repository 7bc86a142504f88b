import { PackageURL } from 'packageurl-js';
import type { Ecosystem } from './model.js';

/** PEP 503 normalised name: lower case, runs of `-`, `_` and `.` as one `-`. */
export function normalisePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The name matching uses in an ecosystem (npm names are case-sensitive and kept as they are). */
export function normaliseName(ecosystem: Ecosystem | string, name: string): string {
  return ecosystem === 'PyPI' ? normalisePypiName(name) : name;
}

const PURL_TYPE: Readonly<Record<Ecosystem, string>> = { PyPI: 'pypi', npm: 'npm', conda: 'conda' };

/**
 * The package URL of a package (versionless for one the file does not pin) (purl-spec: `pkg:pypi/<normalised name>@<version>`,
 * `pkg:npm/%40scope/name@version`, `pkg:conda/<name>@<version>`); the library percent-encodes each part.
 */
export function purlFor(ecosystem: Ecosystem, name: string, version?: string): string {
  if (ecosystem === 'npm' && name.startsWith('@') && name.includes('/')) {
    const slash = name.indexOf('/');
    return encodePlus(
      new PackageURL(
        'npm',
        name.slice(0, slash),
        name.slice(slash + 1),
        version ?? null,
        null,
        null,
      ).toString(),
    );
  }
  // purl-spec PyPI: "the name must be lowercased and underscore _ replaced with a dash -".
  const purlName = ecosystem === 'PyPI' ? normalisePypiName(name) : name;
  return encodePlus(
    new PackageURL(PURL_TYPE[ecosystem], null, purlName, version ?? null, null, null).toString(),
  );
}

/**
 * purl-spec "Character encoding" (since package-url/purl-spec#439, 2025): `+` MUST be percent-encoded in
 * every component, so `torch 2.1.0+cu121` is `pkg:pypi/torch@2.1.0%2Bcu121`. packageurl-js 2.0.1 still
 * writes it bare; parsers accept both, the canonical form is encoded.
 */
function encodePlus(purl: string): string {
  return purl.replaceAll('+', '%2B');
}
