import { type Command, Option } from 'commander';
import type { CliIo } from '../io.js';
import { addTrustOptions, collect, stringOption, trustOptionsFrom } from '../options.js';

/**
 * `lineage` and `repro`: the commands over provenance records. Registered here and loaded when they run,
 * so `--help` does not load the provenance readers.
 */

export function registerProvenanceCommands(
  program: Command,
  io: CliIo,
  setExit: (code: number) => void,
): void {
  const lineage = program
    .command('lineage')
    .description(
      'Show the lineage of datasets, runs and models from the provenance records (pedigree run) and dataset snapshots under a folder, matched by digest; or what produced a model (--produced-by) or what used a dataset or file (--used). Exit 0, 1 when a query finds no run or a signature does not verify, 2 error.',
    )
    .argument(
      '[path]',
      'folder to read records and snapshots from (walked, .pedigree/ included), or one record',
      '.',
    )
    .option(
      '--produced-by <path-or-digest>',
      'what produced this model, folder or file: the runs whose outputs have its digest, and their inputs upstream',
    )
    .option(
      '--used <path-or-digest>',
      'what used this dataset or file: the runs that read content with its digest, and what they made, downstream',
    )
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['text', 'json', 'mermaid', 'dot'])
        .default('text'),
    )
    .option('-o, --output <file>', 'write the result to a file instead of standard output')
    .option('--workers <n>', 'hashing threads for a path given to a query (default: all cores)')
    .option('-q, --quiet', 'print only a summary line (text) on standard error', false);
  addTrustOptions(lineage, {
    key: 'public key (PEM): check the signature of signed records; those that do not verify are left out',
  }).action(async (path: string, opts: Record<string, unknown>) => {
    setExit(
      await (await import('./lineage.js')).runLineage(
        path,
        {
          ...stringOption(opts, 'producedBy'),
          ...stringOption(opts, 'used'),
          format: String(opts.format),
          ...stringOption(opts, 'output'),
          ...stringOption(opts, 'workers'),
          quiet: opts.quiet === true,
          ...trustOptionsFrom(opts),
        },
        io,
      ),
    );
  });

  const repro = program
    .command('repro')
    .description(
      "Re-run a recorded training run and say whether it reproduces: first environment parity (code, inputs, interpreter, packages, variables, platform), then the recorded command with the recorded seed and variables, its outputs compared by digest and its metrics within the tolerances of pedigree.yaml's repro: section. Verdict identical, equivalent, diverged or failed. Exit 0 identical or equivalent, 1 diverged or failed (or differences with --dry-run), 2 error.",
    )
    .argument('<provenance>', 'the record: a .provenance.json, or a signed .provenance.sigstore.json')
    .option(
      '--cwd <dir>',
      "run in this folder (default: the record's working directory in the git repository around the current folder)",
    )
    .option('--dry-run', 'only compare the environment with the record; run nothing', false)
    .option(
      '--overwrite',
      'let the re-run overwrite the outputs where they are (default: set them aside and put them back afterwards)',
      false,
    )
    .option('--seed <seed>', 're-run with this seed instead of the recorded one')
    .option(
      '--python <interpreter>',
      'the interpreter to compare and record (default: the recorded one, else python3)',
    )
    .option('--no-python', 'compare and record no Python interpreter')
    .option(
      '--env <name>',
      'also give the re-run the recorded value of this variable (repeatable; the default allow-list always is)',
      collect,
      [],
    )
    .option(
      '-c, --config <file>',
      'configuration file with the repro: tolerances (default: pedigree.yaml in the run folder)',
    )
    .option('--no-config', 'read no configuration file')
    .option('--abs-tol <x>', 'default absolute tolerance of every metric (wins over the file)')
    .option('--rel-tol <x>', 'default relative tolerance of every metric (wins over the file)')
    .option(
      '--record [file]',
      "write the re-run's own provenance (default: .pedigree/runs/<time>-<id>.provenance.json in the run folder)",
    )
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('--workers <n>', 'hashing threads (default: all cores)')
    .option('-q, --quiet', 'print only the verdict (text) on standard error', false);
  addTrustOptions(repro, {
    key: 'public key (PEM): verify the record before re-running it (an unsigned or invalid record is not run)',
  }).action(async (file: string, opts: Record<string, unknown>) => {
    setExit(
      await (await import('./repro.js')).runRepro(
        file,
        {
          ...stringOption(opts, 'cwd'),
          dryRun: opts.dryRun === true,
          overwrite: opts.overwrite === true,
          ...stringOption(opts, 'seed'),
          ...stringOption(opts, 'python'),
          noPython: opts.python === false,
          env: (opts.env as string[] | undefined) ?? [],
          ...stringOption(opts, 'config'),
          noConfig: opts.config === false,
          ...(typeof opts.absTol === 'string' ? { absoluteTolerance: opts.absTol } : {}),
          ...(typeof opts.relTol === 'string' ? { relativeTolerance: opts.relTol } : {}),
          ...(opts.record !== undefined ? { record: opts.record as string | boolean } : {}),
          format: String(opts.format),
          ...stringOption(opts, 'output'),
          ...stringOption(opts, 'workers'),
          quiet: opts.quiet === true,
          ...trustOptionsFrom(opts),
        },
        io,
      ),
    );
  });
}
