import { describeError } from '../../core/errors.js';
import { openFileSource } from '../../core/file-source.js';
import type { Finding, Severity } from '../../core/finding.js';
import { SCAN_RULES } from '../../scan/rules.js';
import {
  type BaseImage,
  type DockerfileLimits,
  type DockerfileReading,
  type ImageKind,
  isDockerfileName,
  MAX_DOCKERFILE_CHARS,
  readDockerfile,
} from './dockerfile.js';
import { DEFAULT_TAG } from './image-reference.js';

/** A file found by the scan's walk. */
export interface ScannedFile {
  readonly absolutePath: string;
  /** POSIX path shown in reports. */
  readonly displayPath: string;
}

export interface DockerfileScanResult {
  readonly findings: Finding[];
  /** Dockerfiles not (fully) read, for the report's `notAnalysed`. */
  readonly notAnalysed: number;
}

/**
 * `pedigree scan` over Dockerfiles: reads every scanned file named like a Dockerfile and reports the
 * images it pulls that no digest pins (CONTAINER-IMAGE-UNPINNED), the ones that could not be determined
 * (CONTAINER-IMAGE-UNRESOLVED) and what BuildKit would refuse (CONTAINER-DOCKERFILE-MALFORMED). A file
 * that cannot be read is SCAN-UNREADABLE, as any other file. Never throws for bad content.
 */
export function readDockerfileFindings(
  files: readonly ScannedFile[],
  limits: Partial<DockerfileLimits> = {},
): DockerfileScanResult {
  const findings: Finding[] = [];
  let notAnalysed = 0;
  const maxBytes = limits.maxChars ?? MAX_DOCKERFILE_CHARS;
  for (const file of files) {
    if (!isDockerfileName(file.displayPath)) continue;
    let bytes: Uint8Array;
    try {
      bytes = readAtMost(file.absolutePath, maxBytes);
    } catch (error) {
      notAnalysed++;
      findings.push(unreadable(file.displayPath, describeError(error)));
      continue;
    }
    const reading = readDockerfile(file.displayPath, bytes, limits);
    if (!reading.complete) notAnalysed++;
    findings.push(...dockerfileFindings(reading));
  }
  return { findings, notAnalysed };
}

/** Reads a whole file, refusing one larger than `maxBytes` (its size is checked before reading). */
function readAtMost(path: string, maxBytes: number): Uint8Array {
  const source = openFileSource(path);
  try {
    if (source.size > maxBytes) {
      throw new Error(`${source.size} bytes is more than the ${maxBytes} read as a Dockerfile`);
    }
    return source.readAt(0, source.size);
  } finally {
    source.close();
  }
}

function unreadable(path: string, detail: string): Finding {
  return {
    ruleId: SCAN_RULES.unreadable.id,
    severity: 'medium',
    title: SCAN_RULES.unreadable.title,
    message: `${path} could not be read as a Dockerfile, so the images it pulls were not checked: ${detail}.`,
    location: { path },
    evidence: detail,
    remediation: SCAN_RULES.unreadable.help,
    references: [],
  };
}

/** The findings of one Dockerfile already read. */
export function dockerfileFindings(reading: DockerfileReading): Finding[] {
  const findings: Finding[] = [];
  for (const image of reading.images) {
    const finding = imageFinding(reading.path, image);
    if (finding !== undefined) findings.push(finding);
  }
  const rule = SCAN_RULES.dockerfileMalformed;
  for (const problem of reading.problems) {
    findings.push({
      ruleId: rule.id,
      severity: 'medium',
      title: rule.title,
      message: `${reading.path} line ${problem.line}: ${problem.message}.`,
      location: { path: reading.path, line: problem.line },
      evidence: problem.message,
      remediation: rule.help,
      references: rule.references,
    });
  }
  return findings;
}

const HOW_PULLED: Readonly<Record<ImageKind, string>> = {
  from: 'builds on the image',
  'copy-from': 'copies files out of the image',
  'mount-from': 'mounts the image',
  syntax: 'has BuildKit run the frontend image',
};

function imageFinding(path: string, image: BaseImage): Finding | undefined {
  const location = { path, line: image.line };
  const where = `${path} line ${image.line}`;
  const how = HOW_PULLED[image.kind];
  if (image.state === 'resolved') {
    if (image.reference.pinned) return undefined;
    const rule = SCAN_RULES.containerImageUnpinned;
    const tag = image.reference.tag;
    // No tag or `latest` follows every release of the image; a version tag moves less, but it moves.
    const severity: Severity = tag === undefined || tag === DEFAULT_TAG ? 'medium' : 'low';
    const pinnedBy =
      tag === undefined ? 'neither a tag nor a digest' : `the tag ${tag}, which can be moved, and no digest`;
    const resolvedNote = image.resolved !== image.written ? ` (resolves to ${image.resolved})` : '';
    return {
      ruleId: rule.id,
      severity,
      title: rule.title,
      message: `${where} ${how} ${image.reference.canonical} by ${pinnedBy}: the content it pulls can change between builds without review.`,
      location,
      evidence: `${image.instruction}${resolvedNote}`,
      remediation: `Pin it by digest, keeping the tag for readers: \`${image.resolved}${tag === undefined ? `:${DEFAULT_TAG}` : ''}@sha256:<digest>\`. Find the digest with \`docker buildx imagetools inspect ${image.resolved}\` or \`crane digest ${image.resolved}\`, and let Dependabot or Renovate keep it current.`,
      references: rule.references,
    };
  }
  const rule = SCAN_RULES.containerImageUnresolved;
  // Docker refuses an invalid reference outright; an unresolved one is a normal pattern (CI passes the
  // image), but what it pulls was not checked either way, so both are reported.
  const severity: Severity = image.state === 'invalid' ? 'medium' : 'low';
  return {
    ruleId: rule.id,
    severity,
    title: rule.title,
    message: `${where} ${how} named by ${image.written}, but ${image.problem}: which image is pulled, and whether a digest pins it, was not checked.`,
    location,
    evidence: image.instruction,
    remediation: rule.help,
    references: rule.references,
  };
}
