/**
 * What every manifest and lockfile reader returns: the packages it names, resolved (an exact version) or not
 * (a range, a URL, a path), with where each came from, so matching, the policy gate, the BOM and the report
 * all speak about the same things.
 */

/** Ecosystems pedigree matches against OSV (OSV's own ecosystem names). `conda` packages are listed only. */
export type Ecosystem = 'PyPI' | 'npm' | 'conda';

/** Where a package comes from, as far as the file says. */
export type PackageSource =
  | { readonly kind: 'registry'; readonly url?: string }
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'vcs'; readonly url: string; readonly commit?: string }
  | { readonly kind: 'path'; readonly path: string; readonly editable?: boolean };

export interface PackageHash {
  /** Lower-case algorithm name as in pip's `--hash=sha256:...`: `sha256`, `sha512`, `md5`, ... */
  readonly algorithm: string;
  /** Lower-case hex (npm's base64 SRI integrity is converted). */
  readonly value: string;
}

/** Where in the file a package was named: for evidence and for pointing at the line to change. */
export interface DeclaredAt {
  /** POSIX path of the manifest or lockfile, relative to the scan root (or as given). */
  readonly file: string;
  /** 1-based line, when the format has lines the reader tracks. */
  readonly line?: number;
}

export interface DependencyPackage {
  readonly ecosystem: Ecosystem;
  /** The name as written. */
  readonly name: string;
  /** The name matching uses: PEP 503 normalised for PyPI, as is for npm. */
  readonly normalizedName: string;
  /** The exact version when the file pins or locks one; `undefined` when it only constrains. */
  readonly version?: string;
  /**
   * What the file says when there is no exact version: the specifier (`>=2,<3`), `*`, a URL or path.
   * Such packages are reported as unresolved, never guessed as vulnerable.
   */
  readonly requirement?: string;
  readonly source: PackageSource;
  readonly hashes: readonly PackageHash[];
  /** PEP 508 environment marker kept as written (`python_version < "3.10"`). */
  readonly marker?: string;
  readonly extras: readonly string[];
  /** Dependency groups, optional-dependency extras or `dev`: where the file places it. */
  readonly groups: readonly string[];
  /** `true` when the file marks it as a direct dependency of the project; `undefined` when it cannot tell. */
  readonly direct?: boolean;
  /** Normalised names of the packages this one depends on, when the lockfile records it. */
  readonly dependencies: readonly string[];
  /** SPDX expression or licence text, when the file carries one. */
  readonly license?: string;
  /** Package URL (https://github.com/package-url/purl-spec), for resolved packages. */
  readonly purl?: string;
  readonly declaredAt: DeclaredAt;
}

/** A problem met while reading: the reader goes on with the rest of the file. */
export interface ReadProblem {
  readonly file: string;
  readonly line?: number;
  /** What could not be read and why. */
  readonly message: string;
}

export interface DependencyFile {
  /** POSIX path as given or relative to the scan root. */
  readonly path: string;
  /** Which reader read it, e.g. `requirements`, `poetry.lock`, `uv.lock`, `package-lock.json`. */
  readonly format: string;
  readonly packages: readonly DependencyPackage[];
  readonly problems: readonly ReadProblem[];
  /** Files pulled in by this one (`-r`, `-c`), as read. */
  readonly includes: readonly string[];
}

/** Largest manifest or lockfile read; a larger one is reported as not read. */
export const MAX_DEPENDENCY_FILE_BYTES = 64 * 1024 * 1024;
/** Most packages taken from one file; the rest are reported as not read. */
export const MAX_PACKAGES_PER_FILE = 100_000;
