import type { RuleDescriptor } from '../core/rules.js';

/** Rules about the scan itself: what could not be analysed, and why. */
export const SCAN_RULES = {
  analysisError: {
    id: 'SCAN-ERROR',
    title: 'File could not be analysed',
    description:
      'An analyser failed on this file or member. It is not reported clean: nothing in it was checked after the failure.',
    help: 'Check the file is complete and readable, then scan again. Report a bug to pedigree if the file is valid.',
    defaultSeverity: 'medium',
    references: [],
    tags: ['not-analysed'],
  },
  foundConfig: {
    id: 'SCAN-CONFIG',
    title: 'Configuration file from the scanned folder applied',
    description:
      'A pedigree.yaml found in the scanned folder (not given with --config) changed the scan: whoever controls the folder can use it to exclude files, allow their own pickle globals or lower the threshold. Its threshold is only honoured when stricter than the default, and everything it changed is listed.',
    help: 'Review what the file changes, above all excluded files and allowlist entries. Scan with --no-config to ignore it, or pass it with --config once you trust it.',
    defaultSeverity: 'medium',
    references: [],
    tags: ['security', 'configuration'],
  },
  nestingLimit: {
    id: 'SCAN-NESTING-LIMIT',
    title: 'Containers nested too deeply',
    description:
      'Archives inside archives beyond the nesting limit are not opened, which stops recursion bombs; their content was not analysed.',
    help: 'Unpack the outer archives yourself and scan the inner files, or raise the limit if you trust the source.',
    defaultSeverity: 'medium',
    references: [],
    tags: ['not-analysed', 'archive'],
  },
  unrecognised: {
    id: 'SCAN-UNRECOGNISED',
    title: 'Content matches no known format',
    description:
      'The file is named like a model or archive, but its content matches no format pedigree knows. Loaders that trust the name may still read it.',
    help: 'Check what the file really is; a model file that is not one of the known formats cannot be vouched for.',
    defaultSeverity: 'info',
    references: [],
    tags: ['inventory'],
  },
  unsupported: {
    id: 'SCAN-UNSUPPORTED',
    title: 'Format recognised but not analysed',
    description: 'pedigree recognises this format but cannot look inside it yet, so it was not analysed.',
    help: 'Convert or unpack the file with a trusted tool and scan the result.',
    defaultSeverity: 'medium',
    references: [],
    tags: ['not-analysed'],
  },
  symlinkOutside: {
    id: 'SCAN-SYMLINK-OUTSIDE-ROOT',
    title: 'Symbolic link leaves the scanned folder',
    description:
      'A symbolic link points outside the scanned folder. It was not followed; a loader that follows it reads a file nobody reviewed (for example /etc/passwd or a home directory).',
    help: 'Remove the link or replace it with the file it should point to.',
    defaultSeverity: 'medium',
    references: [],
    tags: ['security', 'filesystem'],
  },
  containerImageUnpinned: {
    id: 'CONTAINER-IMAGE-UNPINNED',
    title: 'Container image not pinned by digest',
    description:
      'A Dockerfile pulls an image (FROM, COPY --from, RUN --mount from, or the # syntax frontend) by tag or by name alone. A tag can be moved to other content at any time, by its publisher or by whoever takes over the registry account, so the next build runs code nobody reviewed and cannot be reproduced. Medium without a tag or with `latest`, low with another tag.',
    help: 'Pin the image by digest and keep the tag for readers: `FROM python:3.11-slim@sha256:<digest>`. Find the digest with `docker buildx imagetools inspect python:3.11-slim` or `crane digest python:3.11-slim`, and let Dependabot or Renovate keep it current.',
    defaultSeverity: 'low',
    references: [
      'https://docs.docker.com/build/building/best-practices/#pin-base-image-versions',
      'https://docs.docker.com/reference/cli/docker/image/pull/#pull-an-image-by-digest-immutable-identifier',
      'https://github.com/ossf/scorecard/blob/main/docs/checks.md#pinned-dependencies',
    ],
    tags: ['security', 'supply-chain', 'container'],
  },
  containerImageUnresolved: {
    id: 'CONTAINER-IMAGE-UNRESOLVED',
    title: 'Container image could not be determined',
    description:
      'The image a Dockerfile pulls depends on a build argument without a default or on a platform variable the builder sets (low), or is a reference Docker refuses (medium): which image is used, and whether it is pinned, could not be checked.',
    help: 'Give the ARG a default pinned by digest (`ARG BASE=python:3.11-slim@sha256:<digest>`), or check the image passed with `--build-arg` where the build runs.',
    defaultSeverity: 'low',
    references: ['https://docs.docker.com/reference/dockerfile/#understand-how-arg-and-from-interact'],
    tags: ['not-analysed', 'supply-chain', 'container'],
  },
  dockerfileMalformed: {
    id: 'CONTAINER-DOCKERFILE-MALFORMED',
    title: 'Dockerfile could not be fully read',
    description:
      'Part of a Dockerfile is something BuildKit refuses (an unknown instruction, a bad parser directive, a malformed FROM or flag) or is over a limit (an overlong line, an unterminated heredoc): images named there may not have been checked.',
    help: 'Fix the line so that `docker build` accepts it (`docker buildx build --check .` lists the problems), then scan again.',
    defaultSeverity: 'medium',
    references: ['https://docs.docker.com/reference/dockerfile/'],
    tags: ['not-analysed', 'container'],
  },
  unreadable: {
    id: 'SCAN-UNREADABLE',
    title: 'File could not be read',
    description: 'The file could not be opened or read, so it was not analysed.',
    help: 'Check permissions and that the file still exists, then scan again.',
    defaultSeverity: 'medium',
    references: [],
    tags: ['not-analysed'],
  },
} as const satisfies Record<string, RuleDescriptor>;
