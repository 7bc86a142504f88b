import { PackageURL } from 'packageurl-js';
import { ParseError } from '../../core/errors.js';

/**
 * Container image references, read the way Docker reads them: distribution/reference's grammar
 * (regexp.go) and normalisation (normalize.go: `ParseNormalizedNamed`), with digests checked as
 * opencontainers/go-digest checks them. The regular expressions below are that grammar, production for
 * production, so an image Docker accepts is accepted here and one it refuses is refused with its reason.
 */

/** Docker Hub's canonical domain; `index.docker.io` is its legacy name (normalize.go `defaultDomain`). */
export const DOCKER_HUB = 'docker.io';
const LEGACY_DOCKER_HUB = 'index.docker.io';
/** Namespace of Docker Hub's official images (`python` is `docker.io/library/python`). */
const OFFICIAL_PREFIX = 'library/';
/** Tag Docker pulls when a reference names neither tag nor digest (normalize.go `defaultTag`). */
export const DEFAULT_TAG = 'latest';

/** reference.go `RepositoryNameTotalLengthMax`: longer repository paths are refused. */
const MAX_REPOSITORY_CHARS = 255;
/**
 * References longer than this are refused before any regular expression runs, so the (linear but
 * backtracking) patterns never see a megabyte of input. The grammar's own caps (255-character path,
 * 128-character tag, 128-hex digest) fit well inside it.
 */
export const MAX_REFERENCE_CHARS = 1024;

// regexp.go, production for production.
const ALPHANUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const DOMAIN_NAME_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_NAME_COMPONENT}(?:\\.${DOMAIN_NAME_COMPONENT})*`;
const IPV6_ADDRESS = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN_AND_PORT = `(?:${DOMAIN_NAME}|${IPV6_ADDRESS})(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME}`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const REFERENCE_RE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_NAME_RE = new RegExp(`^(?:(${DOMAIN_AND_PORT})/)?(${REMOTE_NAME})$`);
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;

/**
 * Digest algorithms Docker resolves (go-digest registers SHA-256, SHA-384 and SHA-512) and the length of
 * their lower-case hex encoding: go-digest refuses other lengths (`ErrDigestInvalidLength`) and upper case.
 */
const DIGEST_HEX_LENGTH: ReadonlyMap<string, number> = new Map([
  ['sha256', 64],
  ['sha384', 96],
  ['sha512', 128],
]);

/** A container image reference, normalised as Docker normalises it. */
export interface ImageReference {
  /** Registry host and port (`docker.io`, `ghcr.io`, `localhost:5000`). */
  readonly registry: string;
  /** Repository path in the registry (`library/python`, `org/img`). */
  readonly repository: string;
  /** `registry/repository` (`docker.io/library/python`). */
  readonly name: string;
  /** The tag as written; absent when none was (Docker then pulls `latest` unless a digest is given). */
  readonly tag?: string;
  /** `algorithm:hex`, validated, when the reference is pinned by digest. */
  readonly digest?: string;
  /** True when a digest names the content: a tag can be moved, a digest cannot. */
  readonly pinned: boolean;
  /** Fully qualified: `docker.io/library/python:3.11@sha256:...`. */
  readonly canonical: string;
}

/**
 * Parses an image reference as `docker build` does (`ParseNormalizedNamed`): a single-component name is an
 * official Docker Hub image (`python` is `docker.io/library/python`); the first component is a registry
 * only when it contains `.` or `:`, is `localhost`, or has upper case. Throws ParseError (`BAD_VALUE`) with
 * Docker's reason for references Docker refuses.
 */
export function parseImageReference(text: string): ImageReference {
  if (text.length > MAX_REFERENCE_CHARS) {
    throw new ParseError('LIMIT_EXCEEDED', `image reference longer than ${MAX_REFERENCE_CHARS} characters`);
  }
  if (text === '') throw new ParseError('BAD_VALUE', 'repository name must have at least one component');
  if (IDENTIFIER_RE.test(text)) {
    throw new ParseError(
      'BAD_VALUE',
      `invalid repository name (${text}), cannot specify 64-byte hexadecimal strings`,
    );
  }
  const [domain, remainder] = splitDockerDomain(text);
  const tagSeparator = remainder.indexOf(':');
  const remote = tagSeparator < 0 ? remainder : remainder.slice(0, tagSeparator);
  if (remote.toLowerCase() !== remote) {
    throw new ParseError(
      'BAD_VALUE',
      `invalid reference format: repository name (${remote}) must be lowercase`,
    );
  }
  const full = `${domain}/${remainder}`;
  const match = REFERENCE_RE.exec(full);
  if (match === null) {
    if (full.toLowerCase() !== full && REFERENCE_RE.test(full.toLowerCase())) {
      throw new ParseError('BAD_VALUE', 'invalid reference format: repository name must be lowercase');
    }
    throw new ParseError('BAD_VALUE', 'invalid reference format');
  }
  const [, nameText = '', tag, digest] = match;
  const nameMatch = ANCHORED_NAME_RE.exec(nameText);
  const registry = nameMatch?.[1] ?? '';
  const repository = nameMatch?.[2] ?? nameText;
  if (repository.length > MAX_REPOSITORY_CHARS) {
    throw new ParseError(
      'BAD_VALUE',
      `repository name must not be more than ${MAX_REPOSITORY_CHARS} characters`,
    );
  }
  if (digest !== undefined) assertDigest(digest);
  const name = `${registry}/${repository}`;
  return {
    registry,
    repository,
    name,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
    pinned: digest !== undefined,
    canonical: `${name}${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`,
  };
}

/** normalize.go `splitDockerDomain`: where the registry ends and the repository begins. */
function splitDockerDomain(text: string): [string, string] {
  const slash = text.indexOf('/');
  // A single component ("familiar" name) is always an official Docker Hub image, even `localhost`.
  if (slash < 0) return [DOCKER_HUB, OFFICIAL_PREFIX + text];
  const maybeDomain = text.slice(0, slash);
  const maybeRemote = text.slice(slash + 1);
  let domain: string;
  let remote: string;
  if (maybeDomain === 'localhost') [domain, remote] = [maybeDomain, maybeRemote];
  else if (maybeDomain === LEGACY_DOCKER_HUB) [domain, remote] = [DOCKER_HUB, maybeRemote];
  else if (/[.:]/.test(maybeDomain)) [domain, remote] = [maybeDomain, maybeRemote];
  // Upper case is not allowed in repository names, so an upper-case first component is a host name.
  else if (maybeDomain.toLowerCase() !== maybeDomain) [domain, remote] = [maybeDomain, maybeRemote];
  else [domain, remote] = [DOCKER_HUB, text];
  if (domain === DOCKER_HUB && !remote.includes('/')) remote = OFFICIAL_PREFIX + remote;
  return [domain, remote];
}

/** go-digest `Digest.Validate`: a registered algorithm and exactly its length of lower-case hex. */
function assertDigest(digest: string): void {
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const length = DIGEST_HEX_LENGTH.get(algorithm);
  if (length === undefined) throw new ParseError('BAD_VALUE', `unsupported digest algorithm (${algorithm})`);
  if (hex.length !== length) {
    throw new ParseError(
      'BAD_VALUE',
      `invalid checksum digest length: ${algorithm} needs ${length} hex digits, got ${hex.length}`,
    );
  }
  if (!/^[a-f0-9]+$/.test(hex)) {
    throw new ParseError('BAD_VALUE', 'invalid checksum digest format: hex digits must be lower case');
  }
}

/** The tag Docker resolves: the one written, or `latest` when neither tag nor digest is given. */
export function effectiveTag(reference: ImageReference): string | undefined {
  return reference.tag ?? (reference.digest === undefined ? DEFAULT_TAG : undefined);
}

/** An OCI platform split into its parts (`linux/arm64/v8`), as far as it was written. */
export interface PlatformParts {
  readonly os?: string;
  readonly architecture?: string;
  readonly variant?: string;
}

/** Operating systems Go knows (containerd/platforms reads a lone `linux` as an OS, `amd64` as an architecture). */
const KNOWN_OS = new Set([
  'aix',
  'android',
  'darwin',
  'dragonfly',
  'freebsd',
  'illumos',
  'ios',
  'js',
  'linux',
  'netbsd',
  'openbsd',
  'plan9',
  'solaris',
  'wasip1',
  'windows',
]);

/** containerd/platforms `NormalizeArch`: the spellings of an architecture that name the same one. */
const ARCH_ALIASES: ReadonlyMap<string, string> = new Map([
  ['x86_64', 'amd64'],
  ['x86-64', 'amd64'],
  ['aarch64', 'arm64'],
  ['armhf', 'arm'],
  ['armel', 'arm'],
  ['i386', '386'],
]);

/** Splits a `--platform` value (`linux/amd64`, `linux/arm/v7`, `arm64`) into OS, architecture and variant. */
export function platformParts(platform: string): PlatformParts {
  const parts = platform.toLowerCase().split('/');
  const [first = '', second, third] = parts;
  if (second === undefined) {
    if (first === '') return {};
    return KNOWN_OS.has(first) ? { os: first } : { architecture: ARCH_ALIASES.get(first) ?? first };
  }
  return {
    ...(first !== '' ? { os: first } : {}),
    ...(second !== '' ? { architecture: ARCH_ALIASES.get(second) ?? second } : {}),
    ...(third !== undefined && third !== '' ? { variant: third } : {}),
  };
}

/**
 * The package URL of an image. purl-spec defines two types for containers (types/docker-definition.json,
 * types/oci-definition.json); `oci` is used for every image because:
 * - it is defined for any registry that follows the OCI Distribution Specification, which Docker Hub, GHCR,
 *   ECR, GCR/Artifact Registry and `localhost:5000` all do, while `docker` assumes Docker Hub and puts
 *   "registry/user/organization" in one ambiguous namespace;
 * - its version is the digest ("required to uniquely identify the artifact"), which is exactly what pinning
 *   means; `docker`'s version is a tag *or* an image id, so two purls of the same name can name different
 *   bytes;
 * - it defines the `tag` and `arch` qualifiers (there is no `os` qualifier in either type).
 * The name is the last path component, lower case; `repository_url` (registry and full repository path, as
 * the spec's examples write it) is always given, because `oci` has no default registry and the bare name
 * `python` would not say which repository is meant. The tag is the one written, or `latest` when neither a
 * tag nor a digest is written (what Docker pulls). An unpinned image has no version.
 */
export function imagePurl(reference: ImageReference, platform?: string): string {
  const slash = reference.repository.lastIndexOf('/');
  const name = reference.repository.slice(slash + 1);
  const tag = effectiveTag(reference);
  const architecture = platform === undefined ? undefined : platformParts(platform).architecture;
  const qualifiers: Record<string, string> = {
    ...(architecture !== undefined ? { arch: architecture } : {}),
    repository_url: reference.name,
    ...(tag !== undefined ? { tag } : {}),
  };
  return new PackageURL('oci', null, name, reference.digest ?? null, qualifiers, null).toString();
}
