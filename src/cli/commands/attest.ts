import pc from 'picocolors';
import { describeError, UsageError } from '../../core/errors.js';
import { writeFileNoFollow } from '../../core/write-file.js';
import { safe } from '../../report/text.js';
import {
  type AttestationVerification,
  createAttestation,
  expandSubjects,
  readPredicate,
  verifyAttestation,
} from '../../trust/attest.js';
import type { CliIo } from '../io.js';
import { deliverReportAndVerdict } from '../output.js';
import { readSigner, type TrustCommandOptions, trustFrom } from './sign.js';

/** `pedigree attest` and `pedigree verify-attestation`. */

export interface AttestCommandOptions {
  readonly predicateType: string;
  readonly predicate: string;
  readonly subject: readonly string[];
  readonly baseDir?: string;
  readonly key: string;
  readonly certificate?: string;
  readonly certificateChain: readonly string[];
  readonly passwordFile?: string;
  readonly output?: string;
  readonly quiet: boolean;
}

export async function runAttest(options: AttestCommandOptions, io: CliIo): Promise<number> {
  if (options.certificate === undefined && options.certificateChain.length > 0)
    throw new UsageError('BAD_ARGUMENT', '--certificate-chain goes with --certificate');
  const baseDir = options.baseDir ?? process.cwd();
  const predicate = readPredicate(options.predicate);
  const subjects = expandSubjects(options.subject, baseDir);
  const signer = readSigner(options);
  let bundle: string;
  try {
    bundle = await createAttestation({ predicateType: options.predicateType, predicate, subjects, signer });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError('BAD_ARGUMENT', `not attested: ${describeError(error)}`, { cause: error });
  }
  if (options.output !== undefined) writeFileNoFollow(options.output, bundle, 'attestation');
  else io.stdout(`${bundle}\n`);
  if (!options.quiet)
    io.stderr(
      `pedigree attest: ${options.predicateType} about ${subjects.length} subject${subjects.length === 1 ? '' : 's'} signed${options.output !== undefined ? ` into ${options.output}` : ''}\n`,
    );
  return 0;
}

export interface VerifyAttestationCommandOptions extends TrustCommandOptions {
  readonly subject: readonly string[];
  readonly baseDir?: string;
  readonly predicateType?: string;
  readonly format: string;
  readonly output?: string;
  readonly quiet: boolean;
}

export function renderAttestationText(
  result: AttestationVerification,
  bundlePath: string,
  color: boolean,
): string {
  const c = color ? pc : { green: (s: string) => s, red: (s: string) => s, bold: (s: string) => s };
  const lines = [`${c.bold('attestation')}  ${safe(bundlePath)}`];
  const s = result.signature;
  lines.push(
    s.ok
      ? `signature    ${c.green('valid')}: signed by ${safe(s.signer ?? 'an unnamed signer')}${s.signedAt ? ` at ${s.signedAt}` : ''}`
      : `signature    ${c.red('INVALID')}: ${safe(s.reason ?? 'the signature does not verify')}`,
  );
  if (result.predicateType) lines.push(`predicate    ${safe(result.predicateType)}`);
  if (result.predicateTypeMismatch)
    lines.push(`  ${c.red('wrong type')}  expected ${safe(result.predicateTypeMismatch.expected)}`);
  for (const subject of result.subjects) {
    const tag = subject.status === 'match' ? c.green('match') : c.red(subject.status);
    const detail =
      subject.status === 'mismatch'
        ? ` (attested ${subject.algorithm}:${safe(subject.expected ?? '')}, file ${subject.actual})`
        : subject.reason
          ? ` (${safe(subject.reason)})`
          : '';
    lines.push(`  ${tag.padEnd(color ? 0 : 11)} ${safe(subject.name)}${detail}`);
  }
  for (const name of result.unattested)
    lines.push(`  ${c.red('unattested')}  ${safe(name)} (not a subject of the statement)`);
  lines.push(result.verified ? c.green('VERIFIED') : c.red('NOT VERIFIED'));
  return `${lines.join('\n')}\n`;
}

export async function runVerifyAttestation(
  bundlePath: string,
  options: VerifyAttestationCommandOptions,
  io: CliIo,
): Promise<number> {
  if (options.format !== 'text' && options.format !== 'json')
    throw new UsageError('BAD_ARGUMENT', `--format must be text or json, got '${options.format}'`);
  const trust = trustFrom(options);
  let result: AttestationVerification;
  try {
    result = await verifyAttestation({
      bundlePath,
      trust,
      baseDir: options.baseDir ?? process.cwd(),
      subjectPaths: options.subject,
      ...(options.predicateType !== undefined ? { predicateType: options.predicateType } : {}),
    });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError('BAD_ARGUMENT', describeError(error), { cause: error });
  }
  const rendered =
    options.format === 'json'
      ? `${JSON.stringify({ schemaVersion: '1.0.0', tool: { name: 'pedigree', version: io.version }, attestation: bundlePath, ...result }, null, 2)}\n`
      : renderAttestationText(
          result,
          bundlePath,
          options.output === undefined && io.stdoutIsTTY && !io.noColor,
        );
  await deliverReportAndVerdict(
    rendered,
    options,
    `pedigree verify-attestation: ${bundlePath}: ${result.verified ? 'verified' : 'NOT verified'}`,
    io,
  );
  return result.verified ? 0 : 1;
}
