// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile text spells its own ${VAR} substitutions.
import { describe, expect, it } from 'vitest';
import {
  type BaseImage,
  type Dockerfile,
  isDockerfileName,
  parseDockerfile,
  readDockerfile,
  toInventoryContainer,
} from './dockerfile.js';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

/** `line kind canonical-or-state`, one per image: what most assertions compare. */
function summary(images: readonly BaseImage[]): string[] {
  return images.map((image) => {
    const what =
      image.state === 'resolved'
        ? image.reference.canonical
        : image.state === 'unresolved'
          ? `unresolved(${image.unresolved.map((v) => `${v.name}:${v.reason}`).join(',')})`
          : `invalid(${image.problem})`;
    return `${image.line} ${image.kind} ${what}`;
  });
}

function read(text: string): Dockerfile {
  return parseDockerfile(text);
}

function problems(dockerfile: Dockerfile): string[] {
  return dockerfile.problems.map((p) => `${p.line}: ${p.message}`);
}

describe('isDockerfileName', () => {
  it.each([
    ['Dockerfile', true],
    ['dockerfile', true],
    ['Containerfile', true],
    ['containerfile', true],
    ['Dockerfile.gpu', true],
    ['Dockerfile-dev', true],
    ['Dockerfile_cpu', true],
    ['gpu.Dockerfile', true],
    ['app.dockerfile', true],
    ['build.containerfile', true],
    ['docker/serve/Dockerfile', true],
    ['DOCKERFILE', false],
    ['DockerFile', false],
    ['Dockerfile.dockerignore', false],
    ['build.Dockerfile.dockerignore', false],
    ['Dockerfile.md', false],
    ['Dockerfiles', false],
    ['my-Dockerfile', false],
    ['.Dockerfile', false],
    ['docker-compose.yml', false],
    ['Dockerfile/config.json', false],
  ])('%s → %s', (name, expected) => {
    expect(isDockerfileName(name)).toBe(expected);
  });
});

describe('parseDockerfile', () => {
  describe('FROM', () => {
    it('reads each base image with its line, stage and reference', () => {
      const dockerfile = read(
        [
          'FROM python:3.11-slim AS builder',
          'RUN pip install torch',
          '',
          `from ghcr.io/org/runtime@${DIGEST}`,
          'COPY --from=builder /venv /venv',
        ].join('\n'),
      );
      expect(summary(dockerfile.images)).toEqual([
        '1 from docker.io/library/python:3.11-slim',
        `4 from ghcr.io/org/runtime@${DIGEST}`,
      ]);
      expect(dockerfile.images[0]).toMatchObject({
        stage: 'builder',
        stageIndex: 0,
        written: 'python:3.11-slim',
      });
      expect(dockerfile.images[1]).toMatchObject({ stageIndex: 1, state: 'resolved' });
      expect(dockerfile.images[1]?.stage).toBeUndefined();
      expect(dockerfile.stages.map((s) => `${s.index} ${s.name ?? '-'} ${s.base} ${s.from}`)).toEqual([
        '0 builder image python:3.11-slim',
        `1 - image ghcr.io/org/runtime@${DIGEST}`,
      ]);
      expect(dockerfile.problems).toEqual([]);
      expect(dockerfile.complete).toBe(true);
    });

    it('does not report earlier stages or scratch as images', () => {
      const dockerfile = read(
        [
          'FROM golang:1.22 AS Build',
          'FROM build AS test',
          'FROM scratch',
          'FROM test',
          // A stage cannot be its own base: this is the Docker Hub image "self".
          'FROM self AS self',
          // Only earlier stages count: "later" is an image here.
          'FROM later',
          'FROM alpine AS later',
        ].join('\n'),
      );
      expect(summary(dockerfile.images)).toEqual([
        '1 from docker.io/library/golang:1.22',
        '5 from docker.io/library/self',
        '6 from docker.io/library/later',
        '7 from docker.io/library/alpine',
      ]);
      expect(dockerfile.stages.map((s) => `${s.name ?? '-'}:${s.base}`)).toEqual([
        'build:image',
        'test:stage',
        '-:scratch',
        '-:stage',
        'self:image',
        '-:image',
        'later:image',
      ]);
    });

    it('compares a base with stage names as BuildKit does: stage names are lower case, the base is not', () => {
      const dockerfile = read(['FROM alpine AS builder', 'FROM Builder', 'FROM SCRATCH'].join('\n'));
      expect(summary(dockerfile.images)).toEqual([
        '1 from docker.io/library/alpine',
        '2 from invalid(Builder: invalid reference format: repository name (library/Builder) must be lowercase)',
        '3 from invalid(SCRATCH: invalid reference format: repository name (library/SCRATCH) must be lowercase)',
      ]);
    });

    it('reads --platform, resolved or not, and puts the architecture in the purl', () => {
      const dockerfile = read(
        [
          'FROM --platform=linux/arm64 python:3.11 AS a',
          'FROM --platform=$BUILDPLATFORM golang:1.22 AS b',
          'FROM --platform="linux/amd64" node:20',
        ].join('\n'),
      );
      expect(dockerfile.images.map((i) => [i.platformWritten, i.platform])).toEqual([
        ['linux/arm64', 'linux/arm64'],
        ['$BUILDPLATFORM', undefined],
        ['linux/amd64', 'linux/amd64'],
      ]);
      const [first, second] = dockerfile.images;
      expect(first?.state === 'resolved' && first.purl).toBe(
        'pkg:oci/python?arch=arm64&repository_url=docker.io%2Flibrary%2Fpython&tag=3.11',
      );
      expect(second?.state === 'resolved' && second.purl).toBe(
        'pkg:oci/golang?repository_url=docker.io%2Flibrary%2Fgolang&tag=1.22',
      );
    });

    it('reports FROM lines BuildKit refuses', () => {
      const dockerfile = read(
        [
          'FROM python:3 builder',
          'FROM python:3 AS 1st',
          'FROM --network=host python:3',
          'FROM --platform python:3',
          'FROM',
          'FROM "$EMPTY"',
        ].join('\n'),
      );
      expect(problems(dockerfile)).toEqual([
        '1: FROM requires either one or three arguments',
        '2: invalid name for build stage: "1st", name can\'t start with a number or contain symbols',
        '3: unknown flag: --network',
        '4: missing a value on flag: --platform',
        '5: FROM requires either one or three arguments',
      ]);
      expect(summary(dockerfile.images)).toEqual([
        '2 from docker.io/library/python:3',
        '3 from docker.io/library/python:3',
        '4 from docker.io/library/python:3',
        '6 from unresolved(EMPTY:no-default)',
      ]);
      expect(dockerfile.stages.map((s) => s.base)).toEqual([
        'unknown',
        'image',
        'image',
        'image',
        'unknown',
        'unknown',
      ]);
    });
  });

  describe('ARG substitution', () => {
    it('substitutes global ARGs declared before the first FROM, with their defaults', () => {
      const dockerfile = read(
        [
          'ARG REGISTRY=nvcr.io',
          'ARG PY_VERSION="3.11"',
          'ARG CUDA=12.1 FLAVOUR=runtime',
          'ARG BASE=${REGISTRY}/nvidia/cuda:${CUDA}.0-${FLAVOUR}',
          'FROM $BASE AS gpu',
          'FROM python:${PY_VERSION}-slim',
          'FROM python:${UNSET_TAG:-3.12}',
          'FROM python:${PY_VERSION:+${PY_VERSION}-bookworm}',
        ].join('\n'),
      );
      expect(summary(dockerfile.images)).toEqual([
        '5 from nvcr.io/nvidia/cuda:12.1.0-runtime',
        '6 from docker.io/library/python:3.11-slim',
        '7 from docker.io/library/python:3.12',
        '8 from docker.io/library/python:3.11-bookworm',
      ]);
      expect(dockerfile.images[0]).toMatchObject({
        written: '$BASE',
        resolved: 'nvcr.io/nvidia/cuda:12.1.0-runtime',
      });
    });

    it('never guesses a value it does not have', () => {
      const dockerfile = read(
        [
          'ARG BASE_IMAGE',
          'ARG TAG=${PY_TAG}',
          'FROM ${BASE_IMAGE}',
          'FROM python:${TAG}',
          'FROM golang:1.22-${TARGETARCH}',
          'FROM python:${NEEDED?}',
          'FROM python$SUFFIX',
        ].join('\n'),
      );
      expect(summary(dockerfile.images)).toEqual([
        '3 from unresolved(BASE_IMAGE:no-default)',
        '4 from unresolved(PY_TAG:no-default)',
        '5 from unresolved(TARGETARCH:builder)',
        '6 from unresolved(NEEDED:required)',
        '7 from unresolved(SUFFIX:no-default)',
      ]);
      expect(dockerfile.images[0]).toMatchObject({
        problem: 'could not resolve ${BASE_IMAGE}: BASE_IMAGE has no default (only --build-arg sets it)',
      });
      expect(dockerfile.stages.every((s) => s.base === 'unknown')).toBe(true);
    });

    it('gives FROM only the ARGs before the first FROM, and lets an ARG set a builder variable', () => {
      const dockerfile = read(
        [
          'ARG TARGETARCH=arm64',
          'FROM alpine',
          'ARG LATE=3.20',
          'FROM alpine:${LATE}',
          'FROM golang:1.22-${TARGETARCH}',
        ].join('\n'),
      );
      expect(summary(dockerfile.images)).toEqual([
        '2 from docker.io/library/alpine',
        '4 from unresolved(LATE:no-default)',
        '5 from docker.io/library/golang:1.22-arm64',
      ]);
    });

    it('reports ARG defaults BuildKit cannot expand, and the images that use them', () => {
      const dockerfile = read(['ARG BAD=${}', 'ARG =x', 'FROM python:$BAD'].join('\n'));
      expect(problems(dockerfile)).toEqual([
        '1: ARG BAD: syntax error: bad substitution',
        '2: ARG names can not be blank',
      ]);
      expect(summary(dockerfile.images)).toEqual(['3 from unresolved(BAD:invalid-default)']);
    });

    it('reports a substitution error in FROM as an invalid image', () => {
      const dockerfile = read('FROM python:${TAG');
      expect(dockerfile.images[0]).toMatchObject({ state: 'invalid' });
      expect(dockerfile.images[0]?.state === 'invalid' && dockerfile.images[0].problem).toContain(
        "missing '}'",
      );
    });
  });

  describe('lines, comments and parser directives', () => {
    it('joins continued lines and drops comment and blank lines inside them', () => {
      const dockerfile = read(
        ['FROM \\', '  # the base', '', '  python:3.11 \\', '  AS build', 'FROM \\', 'alpine'].join('\n'),
      );
      expect(summary(dockerfile.images)).toEqual([
        '1 from docker.io/library/python:3.11',
        '6 from docker.io/library/alpine',
      ]);
      expect(dockerfile.images[0]?.stage).toBe('build');
      expect(dockerfile.images[0]?.instruction).toBe('FROM python:3.11 AS build');
    });

    it('does not continue a line that ends in an escaped escape character', () => {
      const dockerfile = read(['FROM alpine', 'RUN echo \\\\', 'FROM busybox'].join('\n'));
      expect(summary(dockerfile.images)).toEqual([
        '1 from docker.io/library/alpine',
        '3 from docker.io/library/busybox',
      ]);
    });

    it('reads CRLF line endings and a byte order mark', () => {
      const dockerfile = read('\uFEFFFROM alpine:3.20 \\\r\n  AS base\r\nFROM base\r\n');
      expect(summary(dockerfile.images)).toEqual(['1 from docker.io/library/alpine:3.20']);
      expect(dockerfile.stages.map((s) => s.base)).toEqual(['image', 'stage']);
    });

    it('uses the escape character set by `# escape=`', () => {
      const dockerfile = read(
        [
          '# escape=`',
          'FROM mcr.microsoft.com/windows/servercore:ltsc2022 `',
          '  AS win',
          'RUN dir c:\\',
          'FROM alpine',
        ].join('\n'),
      );
      expect(summary(dockerfile.images)).toEqual([
        '2 from mcr.microsoft.com/windows/servercore:ltsc2022',
        '5 from docker.io/library/alpine',
      ]);
      expect(dockerfile.images[0]?.stage).toBe('win');
    });

    it('ignores `# escape=` once a comment or instruction came first', () => {
      const dockerfile = read(['# a comment', '# escape=`', 'FROM alpine \\', 'AS x'].join('\n'));
      expect(dockerfile.problems).toEqual([]);
      expect(summary(dockerfile.images)).toEqual(['3 from docker.io/library/alpine']);
      expect(dockerfile.images[0]?.stage).toBe('x');
    });

    it('reports parser directives BuildKit refuses', () => {
      const dockerfile = read(['# escape=\\', '# escape=`', 'FROM alpine'].join('\n'));
      expect(problems(dockerfile)).toEqual(['2: only one escape parser directive can be used']);
      expect(problems(read(['# escape=/', 'FROM alpine'].join('\n')))).toEqual([
        "1: invalid escape token '/' does not match ` or \\",
      ]);
    });

    it('reports unknown instructions, instructions before FROM and files without FROM', () => {
      expect(problems(read(['RUN echo hi', 'FROOM alpine', 'FROM alpine'].join('\n')))).toEqual([
        '1: RUN before the first FROM: no build stage',
        '2: unknown instruction: FROOM',
      ]);
      expect(problems(read('ARG A=1\n'))).toEqual(['1: no FROM instruction: Docker has no stage to build']);
      expect(read('# only a comment\n\n')).toMatchObject({ images: [], problems: [], complete: true });
      expect(read('')).toMatchObject({ images: [], problems: [], complete: true });
    });
  });

  describe('heredocs', () => {
    it('does not read heredoc bodies as instructions', () => {
      const dockerfile = read(
        [
          'FROM alpine',
          'RUN <<EOF',
          'FROM evil:latest',
          'EOF',
          'COPY <<-"CONF" /etc/app.conf',
          'FROM evil2',
          '\t\tCONF',
          'RUN <<A cat - && <<B cat -',
          'FROM evil3',
          'A',
          'FROM evil4',
          'B',
          'ONBUILD RUN <<X',
          'FROM evil5',
          'X',
          'RUN 3<<EOF python3 /dev/fd/3',
          'FROM evil6',
          'EOF',
          'FROM busybox',
        ].join('\n'),
      );
      expect(summary(dockerfile.images)).toEqual([
        '1 from docker.io/library/alpine',
        '19 from docker.io/library/busybox',
      ]);
      expect(dockerfile.complete).toBe(true);
    });

    it('recognises heredocs only where BuildKit does', () => {
      const dockerfile = read(
        [
          'FROM alpine',
          // Not a word starting with <<: BuildKit reads the next line as an instruction.
          'RUN cat<<EOF',
          'FROM next1',
          // JSON form: no heredoc.
          'RUN ["sh", "-c", "cat <<EOF"]',
          'FROM next2',
          // Quoted: not a heredoc.
          'RUN echo "<<EOF"',
          'FROM next3',
          // Only RUN, COPY and ADD take heredocs.
          'LABEL note=<<EOF',
          'FROM next4',
          // BuildKit ignores a line it cannot lex when looking for heredocs.
          'RUN cat <<EOF ${}',
          'FROM next5',
        ].join('\n'),
      );
      expect(summary(dockerfile.images).map((s) => s.split(' ')[2])).toEqual([
        'docker.io/library/alpine',
        'docker.io/library/next1',
        'docker.io/library/next2',
        'docker.io/library/next3',
        'docker.io/library/next4',
        'docker.io/library/next5',
      ]);
    });

    it('reports an unterminated heredoc and that the rest of the file was not read', () => {
      const dockerfile = read(['FROM alpine', 'RUN <<EOF', 'FROM hidden', 'EOFX'].join('\n'));
      expect(problems(dockerfile)).toEqual([
        '2: unterminated heredoc <<EOF: the rest of the file is its body',
      ]);
      expect(dockerfile.complete).toBe(false);
      expect(summary(dockerfile.images)).toEqual(['1 from docker.io/library/alpine']);
    });
  });

  describe('images used by COPY --from and RUN --mount', () => {
    it('reports external images and leaves stages alone', () => {
      const dockerfile = read(
        [
          'FROM python:3.11 AS deps',
          'FROM alpine',
          'COPY --from=deps /a /a',
          'COPY --from=DEPS /a /a',
          'COPY --from=0 /a /a',
          'COPY --from=tests /b /b',
          'COPY --chown=1:1 --from=nginx:1.25 /etc/nginx /etc/nginx',
          'COPY --from="ghcr.io/astral-sh/uv:0.4" /uv /bin/uv',
          'COPY --from=scratch / /',
          'COPY --from= . /app',
          'RUN --mount=type=bind,from=ghcr.io/org/tools:1,target=/t \\',
          '    --mount=type=cache,target=/root/.cache \\',
          '    --mount=from=deps,target=/d \\',
          '    --mount="type=bind,source=/x,from=busybox:1.36,target=/y" make',
          'FROM alpine AS tests',
        ].join('\n'),
      );
      expect(summary(dockerfile.images)).toEqual([
        '1 from docker.io/library/python:3.11',
        '2 from docker.io/library/alpine',
        '7 copy-from docker.io/library/nginx:1.25',
        '8 copy-from ghcr.io/astral-sh/uv:0.4',
        '11 mount-from ghcr.io/org/tools:1',
        '11 mount-from docker.io/library/busybox:1.36',
        '15 from docker.io/library/alpine',
      ]);
      expect(dockerfile.images[2]).toMatchObject({
        stageIndex: 1,
        instruction: expect.stringContaining('nginx'),
      });
      expect(dockerfile.problems).toEqual([]);
    });

    it('reports what BuildKit refuses in them', () => {
      const dockerfile = read(
        [
          'ARG IMG=nginx',
          'FROM alpine',
          'COPY --from=$IMG /a /a',
          'COPY --from=7 /a /a',
          'COPY --from=a --from=b /a /a',
          'RUN --mount=type=bind,from=${IMG},target=/x true',
          'RUN --mount=type=secret,id=x,from=alpine true',
          'RUN --mount=type=bind,\\"from=x,target=/y true',
          'COPY --from=0 /a /a',
        ].join('\n'),
      );
      expect(problems(dockerfile)).toEqual([
        '3: COPY --from=$IMG: variable expansion is not supported for --from (Docker refuses the instruction)',
        '4: COPY --from=7: there is no stage 7 before this one',
        '5: duplicate flag specified: --from',
        "6: RUN --mount from=${IMG}: 'from' doesn't support variable expansion (Docker refuses the instruction)",
        '7: secret mount should not have a from',
        '8: failed to parse csv mounts: type=bind,"from=x,target=/y',
        '9: COPY --from=0: there is no stage 0 before this one',
      ]);
      expect(summary(dockerfile.images)).toEqual([
        '2 from docker.io/library/alpine',
        '5 copy-from docker.io/library/a',
      ]);
    });
  });

  describe('# syntax', () => {
    it('reports the frontend image, after a #! line too', () => {
      expect(summary(read(['# syntax=docker/dockerfile:1', 'FROM alpine'].join('\n')).images)).toEqual([
        '1 syntax docker.io/docker/dockerfile:1',
        '2 from docker.io/library/alpine',
      ]);
      expect(
        summary(
          read(
            ['#!/usr/bin/env buildctl', `#syntax = docker/dockerfile:1.7@${DIGEST} opts`, 'FROM alpine'].join(
              '\n',
            ),
          ).images,
        ),
      ).toEqual([`2 syntax docker.io/docker/dockerfile:1.7@${DIGEST}`, '3 from docker.io/library/alpine']);
      expect(summary(read(['// syntax=example.com/frontend:2', 'FROM alpine'].join('\n')).images)[0]).toBe(
        '1 syntax example.com/frontend:2',
      );
    });

    it('ignores `# syntax=` below the first instruction or comment', () => {
      expect(summary(read(['FROM alpine', '# syntax=docker/dockerfile:1'].join('\n')).images)).toEqual([
        '1 from docker.io/library/alpine',
      ]);
      expect(
        summary(read(['# hello', '# syntax=docker/dockerfile:1', 'FROM alpine'].join('\n')).images),
      ).toEqual(['3 from docker.io/library/alpine']);
    });
  });
});

describe('readDockerfile', () => {
  it('reads UTF-8 bytes and keeps the path', () => {
    const reading = readDockerfile('docker/Dockerfile', new TextEncoder().encode('FROM alpine:3.20\n'));
    expect(reading.path).toBe('docker/Dockerfile');
    expect(summary(reading.images)).toEqual(['1 from docker.io/library/alpine:3.20']);
  });
});

describe('toInventoryContainer', () => {
  it('maps a resolved image onto the inventory, and nothing else', () => {
    const { images } = read(
      [
        'FROM --platform=linux/amd64 python:3.11-slim',
        `FROM ghcr.io/org/img:v2@${DIGEST}`,
        'FROM ubuntu',
        'FROM $NOPE',
      ].join('\n'),
    );
    expect(images.map((image) => toInventoryContainer('Dockerfile', image))).toEqual([
      {
        ref: 'container:docker.io/library/python:3.11-slim',
        name: 'docker.io/library/python',
        tag: '3.11-slim',
        purl: 'pkg:oci/python?arch=amd64&repository_url=docker.io%2Flibrary%2Fpython&tag=3.11-slim',
        platform: 'linux/amd64',
        declaredIn: ['Dockerfile:1'],
      },
      {
        ref: `container:ghcr.io/org/img:v2@${DIGEST}`,
        name: 'ghcr.io/org/img',
        tag: 'v2',
        digest: DIGEST,
        purl: `pkg:oci/img@${DIGEST}?repository_url=ghcr.io%2Forg%2Fimg&tag=v2`,
        declaredIn: ['Dockerfile:2'],
      },
      {
        ref: 'container:docker.io/library/ubuntu',
        name: 'docker.io/library/ubuntu',
        tag: 'latest',
        purl: 'pkg:oci/ubuntu?repository_url=docker.io%2Flibrary%2Fubuntu&tag=latest',
        declaredIn: ['Dockerfile:3'],
      },
      undefined,
    ]);
  });
});
