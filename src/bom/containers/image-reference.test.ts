import { PackageURL } from 'packageurl-js';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../core/errors.js';
import {
  effectiveTag,
  type ImageReference,
  imagePurl,
  MAX_REFERENCE_CHARS,
  parseImageReference,
  platformParts,
} from './image-reference.js';

const SHA256 = `sha256:${'0123456789abcdef'.repeat(4)}`;
const SHA384 = `sha384:${'0123456789abcdef'.repeat(6)}`;
const SHA512 = `sha512:${'0123456789abcdef'.repeat(8)}`;

/** The parts a reference is compared on, `-` for absent. */
function parts(ref: ImageReference): string {
  return [
    ref.registry,
    ref.repository,
    ref.tag ?? '-',
    ref.digest ?? '-',
    ref.pinned ? 'pinned' : 'unpinned',
  ].join(' ');
}

function refusal(text: string): string {
  try {
    parseImageReference(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
    return (error as ParseError).message;
  }
  throw new Error(`${text} was accepted`);
}

describe('parseImageReference', () => {
  describe('when the reference is valid, it normalises it as docker does', () => {
    it.each([
      ['python', 'docker.io library/python - - unpinned', 'docker.io/library/python'],
      [
        'python:3.11-slim',
        'docker.io library/python 3.11-slim - unpinned',
        'docker.io/library/python:3.11-slim',
      ],
      [
        'docker.io/library/python:3.11',
        'docker.io library/python 3.11 - unpinned',
        'docker.io/library/python:3.11',
      ],
      ['docker.io/python', 'docker.io library/python - - unpinned', 'docker.io/library/python'],
      ['index.docker.io/library/python', 'docker.io library/python - - unpinned', 'docker.io/library/python'],
      ['pytorch/pytorch:2.3.0-cuda12.1', 'docker.io pytorch/pytorch 2.3.0-cuda12.1 - unpinned', undefined],
      ['a/b/c/d:e', 'docker.io a/b/c/d e - unpinned', undefined],
      [`ghcr.io/org/img@${SHA256}`, `ghcr.io org/img - ${SHA256} pinned`, `ghcr.io/org/img@${SHA256}`],
      [`python:3.11@${SHA256}`, `docker.io library/python 3.11 ${SHA256} pinned`, undefined],
      [`python@${SHA384}`, `docker.io library/python - ${SHA384} pinned`, undefined],
      [`python@${SHA512}`, `docker.io library/python - ${SHA512} pinned`, undefined],
      ['localhost:5000/x:y', 'localhost:5000 x y - unpinned', 'localhost:5000/x:y'],
      ['localhost/x', 'localhost x - - unpinned', undefined],
      ['registry:5000/a/b', 'registry:5000 a/b - - unpinned', undefined],
      ['nvcr.io/nvidia/pytorch:24.01-py3', 'nvcr.io nvidia/pytorch 24.01-py3 - unpinned', undefined],
      ['Registry.Example.com/team/app', 'Registry.Example.com team/app - - unpinned', undefined],
      ['Upper/app', 'Upper app - - unpinned', undefined],
      ['[::1]:5000/img:tag', '[::1]:5000 img tag - unpinned', undefined],
      ['192.168.1.10:5000/img', '192.168.1.10:5000 img - - unpinned', undefined],
      ['my_image__x--y.z:V1_2', 'docker.io library/my_image__x--y.z V1_2 - unpinned', undefined],
      // A single component is always a Docker Hub name, even one that looks like a host.
      ['localhost', 'docker.io library/localhost - - unpinned', undefined],
      ['localhost:5000', 'docker.io library/localhost 5000 - unpinned', undefined],
    ])('%s', (text, expected, canonical) => {
      const ref = parseImageReference(text);
      expect(parts(ref)).toBe(expected);
      expect(ref.name).toBe(`${ref.registry}/${ref.repository}`);
      if (canonical !== undefined) expect(ref.canonical).toBe(canonical);
    });
  });

  describe('when docker refuses the reference, it says why', () => {
    it.each([
      ['Python', 'repository name (library/Python) must be lowercase'],
      ['org/Img:1', 'repository name (org/Img) must be lowercase'],
      ['localhost:5000/Img', 'repository name (Img) must be lowercase'],
      ['python:3.11:x', 'invalid reference format'],
      ['python:', 'invalid reference format'],
      ['-python', 'invalid reference format'],
      ['a//b', 'invalid reference format'],
      ['python:has space', 'invalid reference format'],
      [`python:${'t'.repeat(129)}`, 'invalid reference format'],
      ['python@sha256:abc', 'invalid reference format'],
      [
        `python@sha256:${'a'.repeat(63)}`,
        'invalid checksum digest length: sha256 needs 64 hex digits, got 63',
      ],
      [`python@sha256:${'a'.repeat(65)}`, 'invalid checksum digest length'],
      [`python@sha512:${'a'.repeat(64)}`, 'sha512 needs 128 hex digits, got 64'],
      [`python@sha256:${'A'.repeat(64)}`, 'invalid checksum digest format'],
      [`python@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm (md5)'],
      ['0123456789abcdef'.repeat(4), 'cannot specify 64-byte hexadecimal strings'],
      ['', 'repository name must have at least one component'],
      ['a'.repeat(256), 'repository name must not be more than 255 characters'],
    ])('%s', (text, reason) => {
      expect(refusal(text)).toContain(reason);
    });

    it('refuses references over the length limit before matching them', () => {
      try {
        parseImageReference(`${'a/'.repeat(MAX_REFERENCE_CHARS)}b`);
        expect.unreachable();
      } catch (error) {
        expect((error as ParseError).code).toBe('LIMIT_EXCEEDED');
      }
    });
  });

  it('takes the tag Docker pulls: the one written, latest without tag or digest, none with only a digest', () => {
    expect(effectiveTag(parseImageReference('python:3'))).toBe('3');
    expect(effectiveTag(parseImageReference('python'))).toBe('latest');
    expect(effectiveTag(parseImageReference(`python@${SHA256}`))).toBeUndefined();
    expect(effectiveTag(parseImageReference(`python:3@${SHA256}`))).toBe('3');
  });
});

describe('imagePurl', () => {
  it.each([
    [
      'python:3.11-slim',
      undefined,
      'pkg:oci/python?repository_url=docker.io%2Flibrary%2Fpython&tag=3.11-slim',
    ],
    ['python', undefined, 'pkg:oci/python?repository_url=docker.io%2Flibrary%2Fpython&tag=latest'],
    [
      `ghcr.io/org/img:v1@${SHA256}`,
      'linux/arm64',
      `pkg:oci/img@${SHA256}?arch=arm64&repository_url=ghcr.io%2Forg%2Fimg&tag=v1`,
    ],
    [`ghcr.io/org/img@${SHA256}`, undefined, `pkg:oci/img@${SHA256}?repository_url=ghcr.io%2Forg%2Fimg`],
    [
      'localhost:5000/x/y:z',
      'linux/x86_64',
      'pkg:oci/y?arch=amd64&repository_url=localhost%3A5000%2Fx%2Fy&tag=z',
    ],
    ['Upper/app:1', undefined, 'pkg:oci/app?repository_url=Upper%2Fapp&tag=1'],
  ])('%s (platform %s) is %s', (text, platform, purl) => {
    expect(imagePurl(parseImageReference(text), platform)).toBe(purl);
  });

  it('writes what the purl-spec oci type defines: name, digest version, repository_url, tag and arch', () => {
    const parsed = PackageURL.fromString(
      imagePurl(parseImageReference(`nvcr.io/nvidia/pytorch:24.01-py3@${SHA256}`), 'linux/amd64'),
    );
    expect(parsed.type).toBe('oci');
    expect(parsed.namespace).toBeUndefined();
    expect(parsed.name).toBe('pytorch');
    expect(parsed.version).toBe(SHA256);
    expect({ ...parsed.qualifiers }).toEqual({
      arch: 'amd64',
      repository_url: 'nvcr.io/nvidia/pytorch',
      tag: '24.01-py3',
    });
  });
});

describe('platformParts', () => {
  it.each([
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
    ['linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['LINUX/X86_64', { os: 'linux', architecture: 'amd64' }],
    ['linux/aarch64', { os: 'linux', architecture: 'arm64' }],
    ['arm64', { architecture: 'arm64' }],
    ['windows', { os: 'windows' }],
    ['', {}],
  ])('%s', (platform, expected) => {
    expect(platformParts(platform)).toEqual(expected);
  });
});
