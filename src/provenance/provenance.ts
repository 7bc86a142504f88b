import { z } from 'zod';
import { ParseError } from '../core/errors.js';
import { IN_TOTO_STATEMENT_TYPE } from '../trust/oms/bundle.js';

/**
 * pedigree's training-run provenance: an in-toto Statement v1 whose predicate is SLSA Provenance v1
 * (https://slsa.dev/spec/v1.0/provenance) with pedigree's build type. The subjects are the run's outputs
 * (each file with its SHA-256). What SLSA leaves to the build type is fixed here:
 *
 * - `buildDefinition.externalParameters`: `command` (argv), `workingDirectory` (relative to the code
 *   repository's root, or `.`), `seed`, `inputs`/`outputs`/`metricsFile` as given (paths relative to the
 *   working directory), `environment` (the allow-listed variables set).
 * - `buildDefinition.resolvedDependencies`: ResourceDescriptors with `annotations.kind` one of `code` (git
 *   commit, dirty state and diff digests), `dataset` (a folder: its pedigree dataset digest, files, bytes),
 *   `file`, `model`, `package` (a `pkg:pypi/...` purl; `annotations.source` says lockfile or interpreter),
 *   `interpreter`.
 * - `runDetails.byproducts`: `pedigree.run` (status `succeeded`/`failed`, exit code, signal, duration),
 *   `pedigree.environment` (OS, CPU, memory, GPUs, Node, redacted variable names), `pedigree.metrics`
 *   (the metrics file's digest and its numeric values), `pedigree.outputs` (each output with its dataset
 *   digest when it is a folder).
 */

export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
/** pedigree's SLSA build type for a recorded training run (an identifier, not a fetched URL). */
export const TRAINING_RUN_BUILD_TYPE = 'https://pedigree.dev/buildtypes/training-run/v1';
/** SLSA builder id of `pedigree run`, versioned. */
export const BUILDER_ID = 'https://pedigree.dev/builders/pedigree-run';
/** Largest provenance file read. */
export const MAX_PROVENANCE_BYTES = 64 * 1024 * 1024;

export interface ResourceDescriptor {
  readonly name?: string;
  readonly uri?: string;
  readonly digest?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, unknown>>;
}

export type RunStatus = 'succeeded' | 'failed';

export interface TrainingRunPredicate {
  readonly buildDefinition: {
    readonly buildType: string;
    readonly externalParameters: {
      readonly command: readonly string[];
      readonly workingDirectory: string;
      readonly seed?: number | string;
      readonly inputs: readonly string[];
      readonly outputs: readonly string[];
      readonly metricsFile?: string;
      readonly environment: Readonly<Record<string, string>>;
    };
    readonly internalParameters?: Readonly<Record<string, unknown>>;
    readonly resolvedDependencies: readonly ResourceDescriptor[];
  };
  readonly runDetails: {
    readonly builder: { readonly id: string; readonly version?: Readonly<Record<string, string>> };
    readonly metadata: {
      readonly invocationId: string;
      readonly startedOn: string;
      readonly finishedOn: string;
    };
    readonly byproducts: readonly ResourceDescriptor[];
  };
}

export interface ProvenanceStatement {
  readonly _type: typeof IN_TOTO_STATEMENT_TYPE;
  readonly subject: readonly { readonly name: string; readonly digest: Readonly<Record<string, string>> }[];
  readonly predicateType: typeof SLSA_PROVENANCE_V1;
  readonly predicate: TrainingRunPredicate;
}

const descriptor = z
  .object({
    name: z.string().optional(),
    uri: z.string().optional(),
    digest: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();

/** Longest seed kept: `pedigree run --seed` takes one word of at most 256 characters. */
const MAX_SEED_CHARS = 256;

/**
 * Text that reaches a process (`repro` runs the command with these arguments and variables): no NUL, which
 * no argument or variable can hold, so a record with one was not written by `pedigree run`.
 */
const processText = z.string().refine((v) => !v.includes('\0'), 'contains a NUL character');
/** An environment variable's name: what a process environment can hold (no `=`, no NUL). */
const variableName = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^=\0]+$/, 'not an environment variable name');

const statementSchema = z.object({
  _type: z.literal(IN_TOTO_STATEMENT_TYPE),
  subject: z
    .array(z.object({ name: z.string(), digest: z.record(z.string(), z.string()) }).loose())
    .max(1_000_000),
  predicateType: z.literal(SLSA_PROVENANCE_V1),
  predicate: z.object({
    buildDefinition: z.object({
      buildType: z.string(),
      externalParameters: z
        .object({
          command: z.array(processText).min(1).max(100_000),
          workingDirectory: processText,
          seed: z
            .union([
              z.number(),
              processText.regex(
                new RegExp(`^\\S{1,${MAX_SEED_CHARS}}$`),
                `not one word of at most ${MAX_SEED_CHARS} characters`,
              ),
            ])
            .optional(),
          inputs: z.array(z.string()),
          outputs: z.array(z.string()),
          metricsFile: z.string().optional(),
          environment: z.record(variableName, processText),
        })
        .loose(),
      internalParameters: z.record(z.string(), z.unknown()).optional(),
      resolvedDependencies: z.array(descriptor).max(1_000_000),
    }),
    runDetails: z.object({
      builder: z.object({ id: z.string(), version: z.record(z.string(), z.string()).optional() }).loose(),
      metadata: z.object({ invocationId: z.string(), startedOn: z.string(), finishedOn: z.string() }).loose(),
      byproducts: z.array(descriptor).max(100_000),
    }),
  }),
});

/**
 * Checks that a parsed JSON value is a pedigree training-run provenance statement; throws ParseError naming
 * the file and the field. Other SLSA provenance (a CI build's) has another build type and is refused here.
 */
export function parseProvenance(json: unknown, file: string): ProvenanceStatement {
  const parsed = statementSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') ?? '';
    throw new ParseError(
      'BAD_STRUCTURE',
      `${file}: statement${where}: ${issue?.message ?? 'not SLSA provenance'}`,
    );
  }
  if (parsed.data.predicate.buildDefinition.buildType !== TRAINING_RUN_BUILD_TYPE)
    throw new ParseError(
      'UNSUPPORTED',
      `${file}: statement.predicate.buildDefinition.buildType ${JSON.stringify(parsed.data.predicate.buildDefinition.buildType)} is not a pedigree training run (${TRAINING_RUN_BUILD_TYPE})`,
    );
  return parsed.data as unknown as ProvenanceStatement;
}

/** The byproduct with this name, if any. */
export function byproduct(statement: ProvenanceStatement, name: string): ResourceDescriptor | undefined {
  return statement.predicate.runDetails.byproducts.find((b) => b.name === name);
}

/** The run's status as recorded: a record without one is treated as failed (fail closed). */
export function runStatus(statement: ProvenanceStatement): RunStatus {
  return byproduct(statement, 'pedigree.run')?.annotations?.status === 'succeeded' ? 'succeeded' : 'failed';
}
