// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile text spells its own ${VAR} substitutions.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDockerfileFindings } from '../bom/containers/scan-findings.js';
import type { Finding } from '../core/finding.js';
import { exitCodeFor } from '../report/exit-code.js';
import { ALL_RULES } from './all-rules.js';
import { SCAN_RULES } from './rules.js';
import { scanPaths } from './scan-paths.js';

const tool = { name: 'pedigree', version: 'test' };
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const temp = mkdtempSync(join(tmpdir(), 'pedigree-dockerfiles-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

let folders = 0;
function project(files: Record<string, string>): string {
  const root = join(temp, `p${folders++}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const CONTAINER_RULES = new Set<string>([
  SCAN_RULES.containerImageUnpinned.id,
  SCAN_RULES.containerImageUnresolved.id,
  SCAN_RULES.dockerfileMalformed.id,
]);

/** `path:line RULE severity`, for the Dockerfile findings only. */
function containerFindings(findings: readonly Finding[]): string[] {
  return findings
    .filter((f) => CONTAINER_RULES.has(f.ruleId) || f.ruleId === SCAN_RULES.unreadable.id)
    .map((f) => `${f.location.path}:${f.location.line ?? '-'} ${f.ruleId} ${f.severity}`);
}

describe('pedigree scan over Dockerfiles', () => {
  const root = project({
    Dockerfile: [
      '# syntax=docker/dockerfile:1',
      'ARG BASE_IMAGE',
      'ARG PY=3.11',
      `FROM python:\${PY}-slim@${DIGEST} AS builder`,
      'RUN pip install --prefix=/install torch',
      'FROM ubuntu AS runtime',
      'COPY --from=builder /install /usr/local',
      'COPY --from=ghcr.io/astral-sh/uv:0.4.0 /uv /bin/uv',
      'FROM ${BASE_IMAGE}',
      'FROM python:latest',
      'FROM Python:3',
    ].join('\n'),
    'serve/Dockerfile.gpu': 'FROM nvcr.io/nvidia/pytorch:24.01-py3\nRUN <<EOF\nFROM hidden\nEOF\n',
    'train.dockerfile': `FROM pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime@${DIGEST}\n`,
    Containerfile: 'FROM alpine:3.20\nRUN <<EOF\nnever closed\n',
    'README.md': 'FROM python:3\n',
    'Dockerfile.dockerignore': 'FROM python:3\n',
  });

  it('reports each unpinned or undetermined image at its line, and what it could not read', async () => {
    const report = await scanPaths([root], { tool });
    expect(containerFindings(report.findings)).toEqual([
      'Containerfile:1 CONTAINER-IMAGE-UNPINNED low',
      'Containerfile:2 CONTAINER-DOCKERFILE-MALFORMED medium',
      'Dockerfile:1 CONTAINER-IMAGE-UNPINNED low',
      'Dockerfile:6 CONTAINER-IMAGE-UNPINNED medium',
      'Dockerfile:8 CONTAINER-IMAGE-UNPINNED low',
      'Dockerfile:9 CONTAINER-IMAGE-UNRESOLVED low',
      'Dockerfile:10 CONTAINER-IMAGE-UNPINNED medium',
      'Dockerfile:11 CONTAINER-IMAGE-UNRESOLVED medium',
      'serve/Dockerfile.gpu:1 CONTAINER-IMAGE-UNPINNED low',
    ]);
    // The unterminated heredoc means part of the Containerfile was not read.
    expect(report.summary.notAnalysed).toBe(1);
    // Dockerfiles are still listed as artifacts, unchanged.
    expect(report.artifacts.map((a) => a.path)).toContain('serve/Dockerfile.gpu');
  });

  it('gives the evidence, the digest to pin and the references', async () => {
    const report = await scanPaths([root], { tool });
    const at = (line: number) =>
      report.findings.find((f) => f.location.path === 'Dockerfile' && f.location.line === line) as Finding;
    expect(at(6)).toMatchObject({
      title: 'Container image not pinned by digest',
      message:
        'Dockerfile line 6 builds on the image docker.io/library/ubuntu by neither a tag nor a digest: the content it pulls can change between builds without review.',
      evidence: 'FROM ubuntu AS runtime',
      references: SCAN_RULES.containerImageUnpinned.references,
    });
    expect(at(6).remediation).toContain('`ubuntu:latest@sha256:<digest>`');
    expect(at(6).remediation).toContain('docker buildx imagetools inspect ubuntu');
    expect(at(8).message).toContain(
      'copies files out of the image ghcr.io/astral-sh/uv:0.4.0 by the tag 0.4.0',
    );
    expect(at(1).message).toContain('has BuildKit run the frontend image docker.io/docker/dockerfile:1');
    expect(at(9).message).toContain('BASE_IMAGE has no default (only --build-arg sets it)');
    expect(at(9).evidence).toBe('FROM ${BASE_IMAGE}');
    expect(at(11).message).toContain('must be lowercase');
  });

  it('shows what a build argument resolved to', async () => {
    const report = await scanPaths([project({ Dockerfile: 'ARG PY=3.12\nFROM python:${PY}\n' })], { tool });
    const [finding] = report.findings.filter((f) => f.ruleId === SCAN_RULES.containerImageUnpinned.id);
    expect(finding?.evidence).toBe('FROM python:${PY} (resolves to python:3.12)');
    expect(finding?.severity).toBe('low');
  });

  it('fails the scan only at the threshold asked for: medium and low findings pass the default', async () => {
    const report = await scanPaths([root], { tool });
    expect(exitCodeFor(report, 'high')).toBe(0);
    expect(exitCodeFor(report, 'medium')).toBe(1);
    const pinned = await scanPaths([project({ Dockerfile: `FROM python:3.11@${DIGEST}\nFROM scratch\n` })], {
      tool,
    });
    expect(containerFindings(pinned.findings)).toEqual([]);
    expect(exitCodeFor(pinned, 'info')).toBe(0);
  });

  it('reads a Dockerfile given directly, and leaves excluded ones alone', async () => {
    const single = await scanPaths([join(root, 'serve/Dockerfile.gpu')], { tool });
    expect(single.findings.map((f) => `${f.location.line} ${f.ruleId}`)).toEqual([
      '1 CONTAINER-IMAGE-UNPINNED',
    ]);
    const excluded = await scanPaths([root], { tool, exclude: ['**/Dockerfile*', 'Containerfile'] });
    expect(containerFindings(excluded.findings)).toEqual([]);
  });

  it('reports a Dockerfile it cannot read as unreadable, not as clean', () => {
    const text = `FROM alpine\n${'# padding\n'.repeat(200)}`;
    const big = project({ Dockerfile: text });
    const { findings, notAnalysed } = readDockerfileFindings(
      [{ absolutePath: join(big, 'Dockerfile'), displayPath: 'Dockerfile' }],
      { maxChars: 1024 },
    );
    expect(notAnalysed).toBe(1);
    expect(findings.map((f) => `${f.ruleId} ${f.severity} ${f.evidence}`)).toEqual([
      `SCAN-UNREADABLE medium ${text.length} bytes is more than the 1024 read as a Dockerfile`,
    ]);
    const missing = readDockerfileFindings([
      { absolutePath: join(big, 'gone', 'Dockerfile'), displayPath: 'gone/Dockerfile' },
    ]);
    expect(missing.findings.map((f) => f.ruleId)).toEqual([SCAN_RULES.unreadable.id]);
    expect(missing.notAnalysed).toBe(1);
  });

  it.skipIf(process.getuid?.() === 0 || process.platform === 'win32')(
    'reports a Dockerfile without read permission as unreadable',
    async () => {
      const locked = project({ Dockerfile: 'FROM alpine\n' });
      chmodSync(join(locked, 'Dockerfile'), 0o000);
      const report = await scanPaths([locked], { tool, hash: false });
      expect(report.findings.filter((f) => f.message.includes('as a Dockerfile'))).toHaveLength(1);
    },
  );
});

describe('container rules', () => {
  it('are registered with help and references, so SARIF and the README can describe them', () => {
    for (const id of CONTAINER_RULES) {
      const rule = ALL_RULES.find((r) => r.id === id);
      expect(rule, id).toBeDefined();
      expect(rule?.help.length).toBeGreaterThan(10);
      expect(rule?.references.length).toBeGreaterThan(0);
    }
  });
});
