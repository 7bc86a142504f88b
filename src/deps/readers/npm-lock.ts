import { valid as validSemver } from 'semver';
import { z } from 'zod';
import {
  type DependencyFile,
  MAX_DEPENDENCY_FILE_BYTES,
  MAX_PACKAGES_PER_FILE,
  type PackageHash,
  type ReadProblem,
} from '../model.js';
import { comparePackages, type DraftPackage, quote, redactUrl, toPackage } from './requirements.js';

/**
 * npm `package-lock.json` / `npm-shrinkwrap.json` (npm docs "package-lock.json").
 *
 * lockfileVersion 2 and 3: the `packages` map is keyed by install folder. `""` is the root project (not a
 * package); `node_modules/a/node_modules/@s/b` is package `@s/b` (the part after the last `node_modules/`)
 * unless the entry gives `name` (an alias install). Folders outside `node_modules` are workspace sources,
 * described by the `link: true` entry that points at them. Flags `dev`, `optional`, `devOptional`, `peer`
 * become groups; `resolved` the source, `integrity` (SRI, base64) the hashes in hex; `license` is kept;
 * `dependencies`, `optionalDependencies` and `peerDependencies` give the graph edges. Direct: a package
 * installed at the top of the root (or of a workspace) that the root (or workspace) lists in its
 * `dependencies`, `devDependencies`, `optionalDependencies` or `peerDependencies`.
 *
 * lockfileVersion 1 (npm 5 and 6): only the nested `dependencies` tree; direct cannot be told (v1 does not
 * record the root's own dependency lists), so it stays unknown.
 *
 * Only registry packages are resolved: a git, tarball-URL, `file:` or workspace package carries its own
 * code under a name that may also exist on the registry, and matching it against the registry package's
 * advisories would be wrong. Such packages are unresolved with the location in `requirement`.
 */

/** Deepest v1 `dependencies` nesting followed: real trees are a few levels deep; deeper is an attack. */
export const MAX_V1_DEPTH = 64;

const StringMapSchema = z.record(z.string(), z.string());
const EntrySchema = z.object({
  name: z.string().optional(),
  version: z.string().optional(),
  resolved: z.string().optional(),
  integrity: z.string().optional(),
  link: z.boolean().optional(),
  extraneous: z.boolean().optional(),
  dev: z.boolean().optional(),
  optional: z.boolean().optional(),
  devOptional: z.boolean().optional(),
  peer: z.boolean().optional(),
  license: z.string().optional(),
  dependencies: StringMapSchema.optional(),
  devDependencies: StringMapSchema.optional(),
  optionalDependencies: StringMapSchema.optional(),
  peerDependencies: StringMapSchema.optional(),
});
type Entry = z.infer<typeof EntrySchema>;

const V1EntrySchema = z.object({
  version: z.string().optional(),
  resolved: z.string().optional(),
  integrity: z.string().optional(),
  dev: z.boolean().optional(),
  optional: z.boolean().optional(),
  bundled: z.boolean().optional(),
  requires: StringMapSchema.optional(),
  dependencies: z.record(z.string(), z.unknown()).optional(),
});

/** SRI algorithms npm writes (ssri) and their digest sizes in bytes. */
const SRI_DIGEST_BYTES: Readonly<Record<string, number>> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };
const COMMIT_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
/** npm package names (validate-npm-package-name): `name` or `@scope/name`, URL-safe characters. */
const NPM_NAME_RE = /^(?:@[a-z0-9-*~][a-z0-9-*._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/i;

/** Reads an npm package-lock.json (v1, v2, v3). Never throws: what cannot be read is a problem in the result. */
export function readNpmLock(file: string, text: string): DependencyFile {
  const problems: ReadProblem[] = [];
  const drafts: DraftPackage[] = [];
  const problem = (message: string, line?: number): void => {
    problems.push({ file, ...(line !== undefined ? { line } : {}), message });
  };
  const result = (): DependencyFile => ({
    path: file,
    format: 'package-lock.json',
    packages: drafts.map(toPackage).sort(comparePackages),
    problems,
    includes: [],
  });
  if (text.length > MAX_DEPENDENCY_FILE_BYTES) {
    problem(`file is larger than ${MAX_DEPENDENCY_FILE_BYTES} bytes: not read`);
    return result();
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    problem(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
    return result();
  }
  if (!isObject(data)) {
    problem('not a package-lock.json: the top level is not a JSON object');
    return result();
  }
  const version = data.lockfileVersion;
  if (isObject(data.packages)) {
    if (version !== 2 && version !== 3)
      problem(`lockfileVersion ${quote(String(version))} with a packages map: read as v3`);
    readPackagesMap(file, text, data.packages, drafts, problem);
  } else if (isObject(data.dependencies)) {
    if (version !== 1)
      problem(`lockfileVersion ${quote(String(version))} without a packages map: read as v1`);
    readV1Tree(file, data.dependencies, 0, drafts, problem);
  } else {
    problem('neither a "packages" map (lockfileVersion 2, 3) nor a "dependencies" tree (1): nothing read');
  }
  return result();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The package name of an install folder: what follows the last `node_modules/` (scope included). */
function nameFromKey(key: string): string | undefined {
  const at = key.lastIndexOf('node_modules/');
  if (at === -1) return undefined;
  return key.slice(at + 'node_modules/'.length);
}

/** The folder whose `node_modules` holds `key` (`""` for the root, `packages/a` for a workspace). */
function parentFolder(key: string): string | undefined {
  const at = key.lastIndexOf('node_modules/');
  if (at === -1) return undefined;
  return key.slice(0, at).replace(/\/$/, '');
}

function readPackagesMap(
  file: string,
  text: string,
  packages: Record<string, unknown>,
  drafts: DraftPackage[],
  problem: (message: string, line?: number) => void,
): void {
  const lines = keyLines(text);
  const entries = new Map<string, Entry>();
  for (const [key, raw] of Object.entries(packages)) {
    const parsed = EntrySchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      problem(
        `packages[${quote(key)}]: ${issue ? `${issue.path.join('.') || 'entry'}: ${issue.message}` : 'invalid'}: skipped`,
        lines.get(key),
      );
      continue;
    }
    entries.set(key, parsed.data);
  }
  const linkTargets = new Set<string>();
  for (const entry of entries.values())
    if (entry.link && entry.resolved !== undefined) linkTargets.add(entry.resolved);
  for (const [key, entry] of entries) {
    if (key === '') continue;
    const line = lines.get(key);
    const keyName = nameFromKey(key);
    if (keyName === undefined) {
      // A workspace folder: its `node_modules/<name>` link describes it; an unlinked one is listed by name.
      if (linkTargets.has(key)) continue;
      // A folder that was once linked and no longer is stays behind as `{"extraneous": true}` alone
      // (continuedev/continue's extensions/vscode lock has `"../packages/fetch": {"extraneous": true}`):
      // npm marks it "not depended on by anything" and installs nothing from it.
      if (entry.name === undefined && entry.extraneous && entry.version === undefined) continue;
      if (entry.name === undefined) {
        problem(`packages[${quote(key)}] is outside node_modules and has no name: skipped`, line);
        continue;
      }
    }
    if (drafts.length >= MAX_PACKAGES_PER_FILE) {
      problem(`more than ${MAX_PACKAGES_PER_FILE} packages: the rest is not read`, line);
      return;
    }
    const name = entry.name ?? keyName!;
    if (!NPM_NAME_RE.test(name))
      problem(`packages[${quote(key)}]: ${quote(name)} is not an npm package name`, line);
    const target = entry.link && entry.resolved !== undefined ? entries.get(entry.resolved) : undefined;
    const described = target ?? entry;
    const draft: DraftPackage = {
      ecosystem: 'npm',
      name,
      normalizedName: name,
      source: { kind: 'registry' },
      hashes: readIntegrity(entry.integrity, (message) =>
        problem(`packages[${quote(key)}]: ${message}`, line),
      ),
      extras: [],
      groups: groupsOf(entry),
      dependencies: new Set([
        ...Object.keys(described.dependencies ?? {}),
        ...Object.keys(described.optionalDependencies ?? {}),
        ...Object.keys(described.peerDependencies ?? {}),
      ]),
      declaredAt: { file, ...(line !== undefined ? { line } : {}) },
    };
    if (described.license !== undefined) draft.license = described.license;
    if (keyName === undefined || entry.link) {
      const path = entry.link ? (entry.resolved ?? key) : key;
      draft.source = { kind: 'path', path };
      draft.requirement = path;
      if (entry.link && entry.resolved === undefined)
        problem(`packages[${quote(key)}] is a link without "resolved"`, line);
    } else {
      resolveSource(draft, entry.version, entry.resolved, (message) =>
        problem(`packages[${quote(key)}]: ${message}`, line),
      );
    }
    const parent = parentFolder(key);
    if (parent !== undefined && (parent === '' || !parent.includes('node_modules'))) {
      const owner = entries.get(parent);
      draft.direct =
        owner !== undefined &&
        [owner.dependencies, owner.devDependencies, owner.optionalDependencies, owner.peerDependencies].some(
          (list) => list !== undefined && Object.hasOwn(list, name),
        );
    } else if (parent !== undefined) {
      draft.direct = false;
    }
    drafts.push(draft);
  }
}

/** npm's flags as groups: `dev`, `optional`, `dev`+`optional`, `devOptional`, `peer`. */
function groupsOf(entry: {
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
}): string[] {
  const groups: string[] = [];
  if (entry.dev) groups.push('dev');
  if (entry.optional) groups.push('optional');
  if (entry.devOptional) groups.push('devOptional');
  if (entry.peer) groups.push('peer');
  return groups;
}

/**
 * Sets source and version from `version` and `resolved`: a registry tarball
 * (`<registry>/<name>/-/<basename>-<version>.tgz`) or no `resolved` at all (npm omits it for the default
 * registry with `omit-lockfile-registry-resolved`) is a registry package with an exact version; git, other
 * URLs and `file:` are not.
 */
function resolveSource(
  draft: DraftPackage,
  version: string | undefined,
  resolved: string | undefined,
  report: (message: string) => void,
): void {
  const location = resolved ?? version;
  if (location !== undefined && /^(?:git\+|git:|github:|gitlab:|bitbucket:|gist:)/.test(location)) {
    const url = redactUrl(location);
    const hash = url.indexOf('#');
    const commit = hash === -1 ? undefined : url.slice(hash + 1);
    draft.source = {
      kind: 'vcs',
      url: hash === -1 ? url : url.slice(0, hash),
      ...(commit !== undefined && COMMIT_RE.test(commit) ? { commit: commit.toLowerCase() } : {}),
    };
    draft.requirement = url;
    return;
  }
  if (location !== undefined && /^file:/.test(location)) {
    draft.source = { kind: 'path', path: location.slice('file:'.length) };
    draft.requirement = location;
    return;
  }
  if (version === undefined) {
    report('no version: left unresolved');
    draft.requirement = resolved !== undefined ? redactUrl(resolved) : '*';
    if (resolved !== undefined) draft.source = { kind: 'url', url: redactUrl(resolved) };
    return;
  }
  if (validSemver(version) === null) {
    report(`version ${quote(version)} is not SemVer: left unresolved`);
    draft.requirement = version;
    return;
  }
  if (resolved === undefined) {
    draft.version = version;
    return;
  }
  const url = redactUrl(resolved);
  if (isRegistryTarball(url, draft.name, version)) {
    draft.source = { kind: 'registry', url };
    draft.version = version;
    return;
  }
  draft.source = { kind: 'url', url };
  draft.requirement = url;
}

/**
 * npm registry tarballs live at `<registry>/<name>/-/<unscoped name>-<version>.tgz`; registry proxies
 * (Artifactory, Nexus) also write the scoped name there (`.../@babel/traverse/-/@babel/traverse-7.22.0.tgz`).
 */
function isRegistryTarball(url: string, name: string, version: string): boolean {
  if (!/^https?:\/\//i.test(url)) return false;
  const path = url.replace(/[?#].*$/, '');
  const unscoped = name.slice(name.lastIndexOf('/') + 1);
  return path.endsWith(`/-/${unscoped}-${version}.tgz`) || path.endsWith(`/-/${name}-${version}.tgz`);
}

/** SRI (W3C Subresource Integrity): space-separated `alg-base64`; npm writes sha512 (sha1 for old packages). */
function readIntegrity(integrity: string | undefined, report: (message: string) => void): PackageHash[] {
  if (integrity === undefined) return [];
  const hashes: PackageHash[] = [];
  for (const token of integrity.trim().split(/\s+/)) {
    if (token.length === 0) continue;
    const dash = token.indexOf('-');
    const algorithm = token.slice(0, dash).toLowerCase();
    // SRI options (`?opt`) follow the digest; they carry nothing to compare.
    const base64 = token.slice(dash + 1).replace(/\?.*$/, '');
    const bytes = SRI_DIGEST_BYTES[algorithm];
    if (dash === -1 || bytes === undefined) {
      report(`integrity ${quote(token)} is not sha1/sha256/sha384/sha512 SRI: ignored`);
      continue;
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
      report(`integrity ${quote(token)} is not base64: ignored`);
      continue;
    }
    const digest = Buffer.from(base64, 'base64');
    if (digest.length !== bytes) {
      report(`integrity ${quote(token)} holds ${digest.length} bytes, ${algorithm} has ${bytes}: ignored`);
      continue;
    }
    hashes.push({ algorithm, value: digest.toString('hex') });
  }
  return hashes;
}

/** v1: `dependencies: { name: { version, resolved, integrity, dev, optional, requires, dependencies } }`. */
function readV1Tree(
  file: string,
  tree: Record<string, unknown>,
  depth: number,
  drafts: DraftPackage[],
  problem: (message: string, line?: number) => void,
): void {
  if (depth > MAX_V1_DEPTH) {
    problem(`dependencies nested deeper than ${MAX_V1_DEPTH}: the rest is not read`);
    return;
  }
  for (const [name, raw] of Object.entries(tree)) {
    if (drafts.length >= MAX_PACKAGES_PER_FILE) {
      problem(`more than ${MAX_PACKAGES_PER_FILE} packages: the rest is not read`);
      return;
    }
    const parsed = V1EntrySchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      problem(
        `dependencies[${quote(name)}]: ${issue ? `${issue.path.join('.') || 'entry'}: ${issue.message}` : 'invalid'}: skipped`,
      );
      continue;
    }
    const entry = parsed.data;
    const draft: DraftPackage = {
      ecosystem: 'npm',
      name,
      normalizedName: name,
      source: { kind: 'registry' },
      hashes: readIntegrity(entry.integrity, (message) =>
        problem(`dependencies[${quote(name)}]: ${message}`),
      ),
      extras: [],
      groups: groupsOf(entry),
      dependencies: new Set(Object.keys(entry.requires ?? {})),
      declaredAt: { file },
    };
    // A package nested under another one's node_modules is there for that package, not for the project.
    if (depth > 0) draft.direct = false;
    // v1 writes the git URL or `file:` spec in `version` for non-registry packages.
    resolveSource(draft, entry.version, entry.resolved, (message) =>
      problem(`dependencies[${quote(name)}]: ${message}`),
    );
    drafts.push(draft);
    if (entry.dependencies !== undefined) readV1Tree(file, entry.dependencies, depth + 1, drafts, problem);
  }
}

/**
 * Lines of `packages` keys in npm's own layout (`JSON.stringify(lock, null, 2)`: keys of `packages` at four
 * spaces), whatever their value. Other layouts simply get no line numbers.
 */
function keyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const physical = text.split('\n');
  let inPackages = false;
  for (let i = 0; i < physical.length; i++) {
    const row = physical[i]!;
    if (/^ {2}"packages": \{/.test(row)) {
      inPackages = true;
      continue;
    }
    if (!inPackages) continue;
    if (/^ {2}\S/.test(row)) break;
    const match = /^ {4}"((?:[^"\\]|\\.)*)":/.exec(row);
    if (!match) continue;
    try {
      const key = JSON.parse(`"${match[1]}"`) as string;
      if (!lines.has(key)) lines.set(key, i + 1);
    } catch {
      // An unreadable key gets no line number.
    }
  }
  return lines;
}
