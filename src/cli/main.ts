import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { describeError, UsageError } from '../core/errors.js';
import { SEVERITIES } from '../core/finding.js';
import { registerBomDiffCommand } from './commands/bom-diff.js';
import { registerProvenanceCommands } from './commands/provenance-register.js';
import type { CliIo } from './io.js';
import { addTrustOptions, collect, stringOption, trustOptionsFrom } from './options.js';
// A light module: commands themselves are imported when they run, so `--version`, `--help` and
// `db status` do not load every analyser and reader.
import { REPORT_FORMATS } from './output.js';

/** Exit code for usage and operational errors (bad arguments, unreadable paths, bad config). */
export const EXIT_USAGE = 2;

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** `-f/--format` and `--fail-on`, the same for every command that writes a report (one instance each). */
const formatOption = () =>
  new Option('-f, --format <format>', 'output format').choices(REPORT_FORMATS).default('text');
const failOnOption = () =>
  new Option(
    '--fail-on <severity>',
    'exit 1 when a finding is at or above this severity (default: high)',
  ).choices([...SEVERITIES, 'none']);

/** `keygen`, `sign`, `verify`, `attest` and `verify-attestation` (OpenSSF Model Signing, in-toto). */
function registerTrustCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('keygen')
    .description(
      'Generate a signing key pair: the private key (PKCS#8 PEM, mode 0600, encrypted with a passphrase when one is given) and the public key; prints the key hint.',
    )
    .addOption(new Option('-t, --type <type>', 'key type').choices(KEY_TYPE_NAMES).default('ecdsa-p256'))
    .option('-o, --output <file>', 'private key file', 'signing-key.pem')
    .option('--public-output <file>', 'public key file (default: the private key file name with .pub.pem)')
    .option(
      '--password-file <file>',
      "encrypt the private key with the passphrase on this file's first line (or set PEDIGREE_KEY_PASSWORD)",
    )
    .option('--force', 'replace existing key files', false)
    .action(async (opts: Record<string, unknown>) => {
      setExit(
        await (await import('./commands/sign.js')).runKeygen(
          {
            type: String(opts.type),
            output: String(opts.output),
            ...stringOption(opts, 'publicOutput'),
            ...stringOption(opts, 'passwordFile'),
            force: opts.force === true,
          },
          io,
        ),
      );
    });
  program
    .command('sign')
    .description(
      'Sign a model folder or file with an OpenSSF Model Signing (OMS v1.0) signature that model_signing verifies: every file (or shard) digest in an in-toto statement, in a DSSE envelope, in a Sigstore bundle.',
    )
    .argument('<model>', 'model folder or file')
    .requiredOption('-k, --key <file>', 'private key (PEM; ECDSA P-256/P-384/P-521 or Ed25519)')
    .option('--certificate <file>', 'signing certificate for the key (PEM): the certificate method')
    .option(
      '--certificate-chain <file>',
      'certificates of the issuing CAs, in any order (repeatable)',
      collect,
      [],
    )
    .option(
      '-o, --output <file>',
      'signature file (default: model.sig in the model folder, <file>.sig for a file)',
    )
    .option(
      '--ignore <path>',
      'leave this file or folder out (relative to the model or the working directory; repeatable)',
      collect,
      [],
    )
    .option(
      '--allow-symlinks',
      'sign symbolic links to files that stay inside the model folder (as their targets)',
      false,
    )
    .option(
      '--no-ignore-git-paths',
      'sign .git, .gitattributes, .github and .gitignore too (left out and recorded as ignored by default)',
    )
    .addOption(new Option('--method <method>', 'serialization').choices(['files', 'shards']).default('files'))
    .option('--shard-size <bytes>', 'shard size with --method shards (default 1000000000)')
    .addOption(
      new Option('--hash <algorithm>', 'digest algorithm').choices(['sha256', 'blake2b']).default('sha256'),
    )
    .option(
      '--password-file <file>',
      'passphrase of an encrypted private key (first line; or set PEDIGREE_KEY_PASSWORD)',
    )
    .option('--workers <n>', 'hashing threads (default: all cores)')
    .option('-q, --quiet', 'print no summary on standard error', false)
    .action(async (model: string, opts: Record<string, unknown>) => {
      setExit(
        await (await import('./commands/sign.js')).runSign(
          model,
          {
            ...stringOption(opts, 'key'),
            ...stringOption(opts, 'certificate'),
            certificateChain: (opts.certificateChain as string[] | undefined) ?? [],
            ...stringOption(opts, 'output'),
            ignore: (opts.ignore as string[] | undefined) ?? [],
            allowSymlinks: opts.allowSymlinks === true,
            ignoreGitPaths: opts.ignoreGitPaths !== false,
            method: String(opts.method),
            ...stringOption(opts, 'shardSize'),
            hash: String(opts.hash),
            ...stringOption(opts, 'passwordFile'),
            ...stringOption(opts, 'workers'),
            quiet: opts.quiet === true,
          },
          io,
        ),
      );
    });
  const verify = program
    .command('verify')
    .description(
      'Verify a model against its OpenSSF Model Signing signature (pedigree or model_signing, any version): the signature with a key, a CA certificate chain or Sigstore keyless identity (offline, against a trusted root), then every file; lists the files added, removed and changed. Exit 0 verified, 1 not verified, 2 error.',
    )
    .argument('<model>', 'model folder or file')
    .option(
      '-s, --signature <file>',
      'signature file (default: model.sig in the model folder, <file>.sig for a file)',
    );
  addTrustOptions(verify, {
    key: 'public key (PEM) for signatures made with a key',
    certificateChain: 'trusted CA certificates (PEM) for signatures made with a certificate (repeatable)',
    identity: 'Sigstore keyless: the signer identity (certificate SAN: e-mail or URI) to require',
    trustedRoot: 'Sigstore trusted root (default: the bundled Sigstore public-good root)',
  })
    .option(
      '--ignore <path>',
      'also leave this path out (signatures before model_signing v1.1 do not record their ignored paths; repeatable)',
      collect,
      [],
    )
    .option(
      '--no-ignore-git-paths',
      'compare .git, .gitattributes, .github and .gitignore too (by default left out unless the signature lists them)',
    )
    .option(
      '--ignore-unsigned-files',
      'paths the signature does not list are reported, not failed (files, and links or special files it does not list)',
      false,
    )
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('--workers <n>', 'hashing threads (default: all cores)')
    .option('-q, --quiet', 'print only the verdict (text) on standard error', false)
    .action(async (model: string, opts: Record<string, unknown>) => {
      setExit(
        await (await import('./commands/sign.js')).runVerify(
          model,
          {
            ...stringOption(opts, 'signature'),
            ...trustOptionsFrom(opts),
            ignore: (opts.ignore as string[] | undefined) ?? [],
            ignoreUnsignedFiles: opts.ignoreUnsignedFiles === true,
            ignoreGitPaths: opts.ignoreGitPaths !== false,
            format: String(opts.format),
            ...stringOption(opts, 'output'),
            ...stringOption(opts, 'workers'),
            quiet: opts.quiet === true,
          },
          io,
        ),
      );
    });
}

/** `attest` and `verify-attestation`: any in-toto statement, signed and checked like `sign`/`verify`. */
function registerAttestationCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('attest')
    .description(
      'Sign an in-toto statement about files (a BOM, a scan report, a provenance record as the predicate) into a DSSE envelope in a Sigstore bundle.',
    )
    .requiredOption(
      '--predicate-type <uri>',
      'the predicate type URI (e.g. https://cyclonedx.org/bom, https://slsa.dev/provenance/v1)',
    )
    .requiredOption('--predicate <file>', 'the predicate: a JSON object')
    .requiredOption(
      '--subject <path>',
      'a file or folder the statement is about (repeatable; folders give their files)',
      collect,
      [],
    )
    .option('--base-dir <dir>', 'subjects are named relative to this folder (default: the working directory)')
    .requiredOption('-k, --key <file>', 'private key (PEM)')
    .option('--certificate <file>', 'signing certificate for the key (PEM)')
    .option('--certificate-chain <file>', 'certificates of the issuing CAs (repeatable)', collect, [])
    .option('--password-file <file>', 'passphrase of an encrypted private key (or set PEDIGREE_KEY_PASSWORD)')
    .option('-o, --output <file>', 'write the bundle to a file instead of standard output')
    .option('-q, --quiet', 'print no summary on standard error', false)
    .action(async (opts: Record<string, unknown>) => {
      setExit(
        await (await import('./commands/attest.js')).runAttest(
          {
            predicateType: String(opts.predicateType),
            predicate: String(opts.predicate),
            subject: (opts.subject as string[] | undefined) ?? [],
            ...stringOption(opts, 'baseDir'),
            key: String(opts.key),
            ...stringOption(opts, 'certificate'),
            certificateChain: (opts.certificateChain as string[] | undefined) ?? [],
            ...stringOption(opts, 'passwordFile'),
            ...stringOption(opts, 'output'),
            quiet: opts.quiet === true,
          },
          io,
        ),
      );
    });
  const verifyAttestation = program
    .command('verify-attestation')
    .description(
      'Verify a signed in-toto attestation (pedigree attest, cosign attest-blob --bundle): the signature with a key, CA certificates or Sigstore keyless identity, then that each subject file has the attested digest. Exit 0 verified, 1 not, 2 error.',
    )
    .argument('<bundle>', 'the attestation (Sigstore bundle JSON)')
    .option(
      '--subject <path>',
      'check these files (each must be a subject; repeatable); default: every subject, found under --base-dir',
      collect,
      [],
    )
    .option('--base-dir <dir>', 'folder subject names are relative to (default: the working directory)')
    .option('--predicate-type <uri>', 'require this predicate type');
  addTrustOptions(verifyAttestation)
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('-q, --quiet', 'print only the verdict (text) on standard error', false)
    .action(async (bundle: string, opts: Record<string, unknown>) => {
      setExit(
        await (await import('./commands/attest.js')).runVerifyAttestation(
          bundle,
          {
            subject: (opts.subject as string[] | undefined) ?? [],
            ...stringOption(opts, 'baseDir'),
            ...stringOption(opts, 'predicateType'),
            ...trustOptionsFrom(opts),
            format: String(opts.format),
            ...stringOption(opts, 'output'),
            quiet: opts.quiet === true,
          },
          io,
        ),
      );
    });
}

/** `data snapshot` and `data verify`: dataset snapshots (and, with --dvc, DVC-tracked data). */
function registerDataCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const data = program
    .command('data')
    .enablePositionalOptions()
    .helpCommand(false)
    .description(
      'Dataset snapshots: record every file of a dataset with its SHA-256, and check the data against it later.',
    );
  data
    .command('snapshot')
    .description(
      'Write a content-addressed snapshot of a dataset folder: every file with its size and SHA-256, and one digest for the whole dataset.',
    )
    .argument('<path>', 'dataset folder (or file)')
    .option('--name <name>', "the dataset's name (default: the folder's name)")
    .option(
      '-o, --output <file>',
      'write the snapshot to a file (its dataset path is recorded relative to it) instead of standard output',
    )
    .option(
      '--ignore <path>',
      'leave this file or folder out, relative to the dataset (repeatable; .git and friends always are)',
      collect,
      [],
    )
    .option('--follow-symlinks', 'follow symbolic links that stay inside the dataset folder', false)
    .option(
      '--timestamp [time]',
      'record the creation time (ISO 8601; without a value: now, or SOURCE_DATE_EPOCH); left out by default for reproducible output',
    )
    .option('--workers <n>', 'hashing threads (default: all cores)')
    .option('-q, --quiet', 'print no summary on standard error', false)
    .action(async (path: string, opts: Record<string, unknown>) => {
      setExit(
        await (await import('./commands/data.js')).runDataSnapshot(
          path,
          {
            ...stringOption(opts, 'name'),
            ...stringOption(opts, 'output'),
            ignore: (opts.ignore as string[] | undefined) ?? [],
            followSymlinks: opts.followSymlinks === true,
            ...(opts.timestamp !== undefined ? { timestamp: opts.timestamp as string | boolean } : {}),
            ...stringOption(opts, 'workers'),
            quiet: opts.quiet === true,
          },
          io,
        ),
      );
    });
  data
    .command('verify')
    .description(
      "Check data against its record: a pedigree snapshot (every file added, removed and changed), or DVC's records (a .dvc file, dvc.lock, or a DVC project folder: every tracked file and directory against its recorded MD5, by DVC's own hashing rules, from the workspace or the cache). Exit 0 unchanged, 1 changed or not fully checked, 2 error.",
    )
    .argument('<record>', 'a snapshot file, a .dvc file, dvc.lock, dvc.yaml, or a DVC project folder')
    .argument(
      '[path]',
      'the dataset of a snapshot (default: the path the snapshot records, relative to the snapshot file)',
    )
    .option('--follow-symlinks', 'follow symbolic links that stay inside the dataset folder', false)
    .option(
      '--from-cache',
      "DVC: check the cache's objects (each must hash to its name) instead of the workspace",
      false,
    )
    .option('--cache-dir <dir>', 'DVC: the cache folder (default: as .dvc/config says, else .dvc/cache)')
    .option('--no-deps', "DVC: leave out stages' recorded dependencies")
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('--workers <n>', 'hashing threads (default: all cores)')
    .option('-q, --quiet', 'print only the verdict (text) on standard error', false)
    .action(async (snapshot: string, path: string | undefined, opts: Record<string, unknown>) => {
      setExit(
        await (await import('./commands/data.js')).runDataVerify(
          snapshot,
          path,
          {
            followSymlinks: opts.followSymlinks === true,
            fromCache: opts.fromCache === true,
            ...stringOption(opts, 'cacheDir'),
            noDeps: opts.deps === false,
            format: String(opts.format),
            ...stringOption(opts, 'output'),
            ...stringOption(opts, 'workers'),
            quiet: opts.quiet === true,
          },
          io,
        ),
      );
    });
}

/** `run -- COMMAND...`: a training run recorded as SLSA provenance. */
function registerRunCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('run')
    .description(
      'Run a training command and record its provenance (SLSA v1 in an in-toto statement): code (git commit, dirty state), inputs and base models by digest, packages, interpreter, OS, CPU, GPU, allow-listed variables (never credentials), seed, times, exit status, outputs by digest and metrics. A failing command is recorded as failed (exit 1).',
    )
    .argument('<command...>', 'the command and its arguments, after --')
    .option(
      '-i, --input <path>',
      'a dataset or file the command reads (repeatable; folders get a dataset digest)',
      collect,
      [],
    )
    .option(
      '--base-model <path-or-id>',
      'a base model: a local folder or file, or a Hugging Face id org/name[@revision] (repeatable)',
      collect,
      [],
    )
    .option(
      '-O, --output <path>',
      'a file or folder the command writes (repeatable; these are the subjects)',
      collect,
      [],
    )
    .option('--metrics <file>', 'a JSON or YAML file of metrics the command writes')
    .option('--seed <seed>', 'the seed, recorded and passed to the command as PEDIGREE_SEED')
    .option(
      '--python <interpreter>',
      'the interpreter whose installed packages are recorded (default: python3 when present)',
    )
    .option('--no-python', 'record no Python interpreter')
    .option(
      '--lockfile <file>',
      'record the locked packages of this lockfile or manifest (repeatable; default: those in the working directory)',
      collect,
      [],
    )
    .option(
      '--record-env <name>',
      'also record this environment variable (repeatable; credentials never are)',
      collect,
      [],
    )
    .option(
      '-C, --cwd <dir>',
      'run the command in this folder; --input, --output and --metrics paths are relative to it',
    )
    .option(
      '-p, --provenance <file>',
      'where to write the record (default: .pedigree/runs/<time>-<id>.provenance.json in the run folder)',
    )
    .option(
      '-k, --key <file>',
      'sign the record with this private key (a Sigstore bundle, as `pedigree attest` writes)',
    )
    .option('--certificate <file>', 'signing certificate for the key')
    .option('--certificate-chain <file>', 'certificates of the issuing CAs (repeatable)', collect, [])
    .option('--password-file <file>', 'passphrase of an encrypted private key')
    .option('--workers <n>', 'hashing threads (default: all cores)')
    .option('-q, --quiet', 'print no summary on standard error', false)
    .action(async (command: string[], opts: Record<string, unknown>) => {
      setExit(
        await (await import('./commands/run.js')).runRun(
          command,
          {
            input: (opts.input as string[] | undefined) ?? [],
            baseModel: (opts.baseModel as string[] | undefined) ?? [],
            output: (opts.output as string[] | undefined) ?? [],
            ...stringOption(opts, 'metrics'),
            ...stringOption(opts, 'seed'),
            ...stringOption(opts, 'python'),
            noPython: opts.python === false,
            lockfile: (opts.lockfile as string[] | undefined) ?? [],
            recordEnv: (opts.recordEnv as string[] | undefined) ?? [],
            ...stringOption(opts, 'provenance'),
            ...stringOption(opts, 'cwd'),
            ...stringOption(opts, 'key'),
            ...stringOption(opts, 'certificate'),
            certificateChain: (opts.certificateChain as string[] | undefined) ?? [],
            ...stringOption(opts, 'passwordFile'),
            ...stringOption(opts, 'workers'),
            quiet: opts.quiet === true,
          },
          io,
        ),
      );
    });
}

/** Key types of `keygen` (kept here so `--help` does not load node:crypto key code). */
const KEY_TYPE_NAMES = ['ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'ed25519'];

/** Builds the command tree; `setExit` receives the exit code of whatever ran. */
export function createProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('pedigree')
    .description('ML supply-chain security: find code execution in model files without loading them.')
    .version(io.version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    // Options belong to the command they follow, so `deps check -f json` reaches `check`, not `deps`.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
    });

  program
    .command('scan')
    .description('Scan files, directories or archives for unsafe model files.')
    .argument('<paths...>', 'files, directories (walked recursively) or archives to scan')
    .addOption(formatOption())
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .addOption(failOnOption())
    .option(
      '-c, --config <file>',
      'configuration file (default: pedigree.yaml in the scanned directory, applied and reported as SCAN-CONFIG)',
    )
    .option('--no-config', 'read no configuration file, not even one found in the scanned directory')
    .option('-e, --exclude <glob>', 'leave out paths matching this glob (repeatable)', collect, [])
    .option(
      '--no-hash',
      'do not compute SHA-256 of every file (large checkpoints are then read only where needed)',
    )
    .option('-q, --quiet', 'print only the verdict line (text format)', false)
    .option('-v, --verbose', 'show remediation, references and configuration used', false)
    .option('--no-deps', 'do not audit the manifests and lockfiles found (see `pedigree deps`)')
    .option('--db-dir <dir>', 'OSV store for the dependency audit (default: the user cache directory)')
    .option('--no-cards', 'do not audit the model and dataset cards found (see `pedigree card audit`)')
    .action(async (paths: string[], opts: Record<string, unknown>) => {
      const code = await (await import('./commands/scan.js')).runScanCommand(
        paths,
        {
          format: String(opts.format),
          ...stringOption(opts, 'output'),
          ...stringOption(opts, 'failOn'),
          ...stringOption(opts, 'config'),
          noConfig: opts.config === false,
          exclude: (opts.exclude as string[]) ?? [],
          quiet: opts.quiet === true,
          verbose: opts.verbose === true,
          hash: opts.hash !== false,
          deps: opts.deps !== false,
          cards: opts.cards !== false,
          ...stringOption(opts, 'dbDir'),
        },
        io,
      );
      setExit(code);
    });
  const card = program
    .command('card')
    .description(
      'Audit model and dataset cards (completeness, licences, provenance, evaluation), or write a skeleton.',
    )
    .helpCommand(false);
  card
    .command('audit')
    .description(
      'Audit model and dataset cards (README.md, MODEL_CARD.md, DATASET_CARD.md...) with their LICENSE files: rules and a 0-100 completeness score.',
    )
    .argument('[paths...]', 'card files or folders (walked)', ['.'])
    .addOption(formatOption())
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .addOption(failOnOption())
    .option(
      '--min-score <n>',
      'minimum completeness score (0-100); a card below it fails the default threshold',
    )
    .addOption(
      new Option('--kind <kind>', 'audit every card as this kind instead of detecting it').choices([
        'model',
        'dataset',
      ]),
    )
    .option(
      '-c, --config <file>',
      'configuration file (default: pedigree.yaml in the audited directory, applied and reported as CARD-CONFIG)',
    )
    .option('--no-config', 'read no configuration file, not even one found in the audited directory')
    .option('-e, --exclude <glob>', 'leave out paths matching this glob (repeatable)', collect, [])
    .option('-q, --quiet', 'print only the verdict line (text format)', false)
    .option('-v, --verbose', 'show evidence, remediation and references', false)
    .action(async (paths: string[], opts: Record<string, unknown>) => {
      setExit(
        await (await import('./commands/card.js')).runCardAuditCommand(
          paths,
          {
            format: String(opts.format),
            ...stringOption(opts, 'output'),
            ...stringOption(opts, 'failOn'),
            ...stringOption(opts, 'minScore'),
            ...stringOption(opts, 'kind'),
            ...stringOption(opts, 'config'),
            noConfig: opts.config === false,
            exclude: (opts.exclude as string[] | undefined) ?? [],
            quiet: opts.quiet === true,
            verbose: opts.verbose === true,
          },
          io,
        ),
      );
    });
  card
    .command('init')
    .description(
      "Write a model or dataset card skeleton: what the folder's files state, a TODO for the rest.",
    )
    .argument('[path]', 'the model or dataset folder (default: .)')
    .option('-o, --output <file>', 'write the card here instead of PATH/README.md')
    .option('--stdout', 'print the card instead of writing it')
    .option('--force', 'overwrite an existing card')
    .addOption(
      new Option('--kind <kind>', 'card kind (default: from the files)').choices(['model', 'dataset']),
    )
    .option('--name <name>', 'name in the title and model-index (default: the folder name)')
    .option('--no-hash', 'do not compute SHA-256 of weight and data files')
    .action(async (path: string | undefined, opts: Record<string, unknown>) => {
      setExit(
        await (await import('./commands/card-init.js')).runCardInitCommand(
          path,
          {
            ...stringOption(opts, 'output'),
            ...stringOption(opts, 'kind'),
            ...stringOption(opts, 'name'),
            stdout: opts.stdout === true,
            force: opts.force === true,
            hash: opts.hash !== false,
          },
          io,
        ),
      );
    });
  const bom = program
    .command('bom')
    .enablePositionalOptions()
    .helpCommand(false)
    .description(
      'Write the ML-BOM of a project: models (with their model cards), datasets, libraries, container images and files, as CycloneDX or SPDX.',
    )
    .argument('[path]', 'project folder or model file (default: .)', '.')
    .addOption(
      new Option('--spec <spec>', 'standard and version')
        .choices(['cyclonedx-1.6', 'cyclonedx-1.7', 'spdx-3.0'])
        .default('cyclonedx-1.6'),
    )
    .option('-o, --output <file>', 'write the BOM to a file instead of standard output')
    .option('-e, --exclude <glob>', 'leave out paths matching this glob (repeatable)', collect, [])
    .option('--no-hash', 'do not compute SHA-256 of the files of interest')
    .option(
      '--with-findings',
      'also run the model scan, dependency audit and card audit and include findings and advisories (CycloneDX vulnerabilities)',
    )
    .addOption(failOnOption())
    .option('--db-dir <dir>', 'OSV store for --with-findings (default: the user cache directory)')
    .option('-c, --config <file>', 'configuration file for --with-findings (as for `pedigree scan`)')
    .option('--no-config', 'read no configuration file')
    .option(
      '--timestamp [time]',
      'write the creation time (ISO 8601; without a value: now, or SOURCE_DATE_EPOCH when set); left out by default for reproducible output',
    )
    .option(
      '--serial-number <urn>',
      "CycloneDX serial number: urn:uuid:..., or 'random' (default: derived from the content)",
    )
    .option('--name <name>', "name of the project component (default: the root card's or folder's name)")
    .option('--project-version <version>', 'version of the project component')
    .option('-q, --quiet', 'print no summary on standard error', false)
    .action(async (path: string, opts: Record<string, unknown>) => {
      setExit(
        await (await import('./commands/bom.js')).runBomCommand(
          path,
          {
            spec: String(opts.spec),
            ...stringOption(opts, 'output'),
            exclude: (opts.exclude as string[] | undefined) ?? [],
            hash: opts.hash !== false,
            withFindings: opts.withFindings === true,
            ...stringOption(opts, 'failOn'),
            ...(opts.timestamp !== undefined ? { timestamp: opts.timestamp as string | boolean } : {}),
            ...stringOption(opts, 'serialNumber'),
            ...stringOption(opts, 'name'),
            ...(typeof opts.projectVersion === 'string' ? { projectVersion: opts.projectVersion } : {}),
            ...stringOption(opts, 'dbDir'),
            ...stringOption(opts, 'config'),
            noConfig: opts.config === false,
            quiet: opts.quiet === true,
          },
          io,
        ),
      );
    });
  // `bom diff A B`: the diff's readers load only when it runs.
  registerBomDiffCommand(bom, io, setExit);
  registerTrustCommands(program, io, setExit);
  registerAttestationCommands(program, io, setExit);
  registerDataCommands(program, io, setExit);
  registerRunCommand(program, io, setExit);
  registerProvenanceCommands(program, io, setExit);
  const deps = program
    .command('deps')
    // `deps approve`/`deps check` are subcommands and `deps PATH...` audits: a first argument naming a
    // subcommand is one (give a folder named `approve` as `./approve`); no implicit `help` subcommand.
    .enablePositionalOptions()
    .helpCommand(false)
    .description(
      'Check manifests and lockfiles (requirements, pyproject, poetry, uv, Pipfile, pdm, pylock, conda, npm) against OSV advisories.',
    )
    .argument('[paths...]', 'dependency files or folders (walked; node_modules and virtualenvs skipped)', [
      '.',
    ])
    .addOption(formatOption())
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .addOption(failOnOption())
    .addOption(
      new Option(
        '--unknown-severity <severity>',
        'severity of advisories with no CVSS vector or rating (default: high)',
      ).choices([...SEVERITIES]),
    )
    .option(
      '--max-db-age <days>',
      'report the advisory data as stale when its newest record is older (default: 7)',
    )
    .option(
      '--db-dir <dir>',
      'OSV store directory (default: $PEDIGREE_CACHE_DIR/osv or the user cache directory)',
    )
    .option('--no-bundled-db', 'do not fall back to the snapshot bundled with pedigree')
    .option(
      '-c, --config <file>',
      'configuration file (default: pedigree.yaml in the checked directory, applied and reported as DEP-CONFIG)',
    )
    .option('--no-config', 'read no configuration file, not even one found in the checked directory')
    .option('-q, --quiet', 'print only the verdict line (text format)', false)
    .option('-v, --verbose', 'show evidence, references and unresolved packages', false)
    .action(async (paths: string[], opts: Record<string, unknown>) => {
      setExit(
        await (await import('./commands/deps.js')).runDepsCommand(
          paths,
          {
            format: String(opts.format),
            ...stringOption(opts, 'output'),
            ...stringOption(opts, 'failOn'),
            ...stringOption(opts, 'unknownSeverity'),
            ...stringOption(opts, 'maxDbAge'),
            ...stringOption(opts, 'dbDir'),
            ...stringOption(opts, 'config'),
            noConfig: opts.config === false,
            noBundled: opts.bundledDb === false,
            quiet: opts.quiet === true,
            verbose: opts.verbose === true,
          },
          io,
        ),
      );
    });

  const baselineOption = () =>
    new Option(
      '--baseline <file>',
      'baseline file (default: deps.baseline.file of the configuration, else pedigree-baseline.json in the folder given)',
    );
  deps
    .command('approve')
    .description(
      'Record the dependency set the manifests and lockfiles declare (name, version, source, hashes) as the approved baseline.',
    )
    .argument('[paths...]', 'dependency files or folders, as for `pedigree deps`', ['.'])
    .addOption(baselineOption())
    .option('-c, --config <file>', 'configuration file (default: pedigree.yaml in the folder given)')
    .option('--no-config', 'read no configuration file')
    .option('--approver <name>', 'who approves (default: git user.name, else the login name)')
    .option('--note <text>', 'why: recorded with the approval')
    .option('--timestamp', 'record the approval time (off by default so re-approving writes identical bytes)')
    .action(async (paths: string[], opts: Record<string, unknown>) => {
      const { runDepsApprove } = await import('./commands/deps-baseline.js');
      setExit(
        await runDepsApprove(
          paths,
          {
            ...stringOption(opts, 'baseline'),
            ...stringOption(opts, 'config'),
            noConfig: opts.config === false,
            ...stringOption(opts, 'approver'),
            ...stringOption(opts, 'note'),
            timestamp: opts.timestamp === true,
          },
          io,
        ),
      );
    });
  deps
    .command('check')
    .description(
      'Compare the dependency files with the approved baseline: changes of critical packages fail (DEP-BASELINE-*).',
    )
    .argument('[paths...]', 'dependency files or folders, as for `pedigree deps`', ['.'])
    .addOption(baselineOption())
    .addOption(formatOption())
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .addOption(failOnOption())
    .option('-c, --config <file>', 'configuration file (default: pedigree.yaml in the folder given)')
    .option('--no-config', 'read no configuration file')
    .option('-q, --quiet', 'print only the verdict line (text format)', false)
    .option('-v, --verbose', 'show evidence and references', false)
    .action(async (paths: string[], opts: Record<string, unknown>) => {
      const { runDepsCheck } = await import('./commands/deps-baseline.js');
      setExit(
        await runDepsCheck(
          paths,
          {
            format: String(opts.format),
            ...stringOption(opts, 'output'),
            ...stringOption(opts, 'failOn'),
            ...stringOption(opts, 'baseline'),
            ...stringOption(opts, 'config'),
            noConfig: opts.config === false,
            quiet: opts.quiet === true,
            verbose: opts.verbose === true,
          },
          io,
        ),
      );
    });

  const db = program
    .command('db')
    .description('Manage the local OSV vulnerability database used by `pedigree deps`.');
  const dbDir = () =>
    new Option(
      '--db-dir <dir>',
      'store directory (default: $PEDIGREE_CACHE_DIR/osv or the user cache directory)',
    );
  db.command('import')
    .description(
      'Import an OSV all.zip or a directory of OSV JSON/YAML records (e.g. the PyPA advisory database).',
    )
    .argument('<path>', 'all.zip file or directory')
    .addOption(dbDir())
    .action(async (path: string, opts: Record<string, unknown>) => {
      setExit(
        await (await import('./commands/db.js')).runDbImport(
          path,
          typeof opts.dbDir === 'string' ? { storeDir: opts.dbDir } : {},
          io,
        ),
      );
    });
  db.command('update')
    .description(
      "Download OSV's ecosystem exports over HTTPS (conditional requests: unchanged data is not fetched).",
    )
    .option('--ecosystem <name>', 'ecosystem to download (repeatable; default PyPI and npm)', collect, [])
    .option('--url <base>', "base URL of the exports (default $PEDIGREE_OSV_URL or OSV's public bucket)")
    .addOption(dbDir())
    .action(async (opts: Record<string, unknown>) => {
      setExit(
        await (await import('./commands/db.js')).runDbUpdate(
          {
            ...(typeof opts.dbDir === 'string' ? { storeDir: opts.dbDir } : {}),
            ...(typeof opts.url === 'string' ? { url: opts.url } : {}),
            ecosystems: (opts.ecosystem as string[]) ?? [],
          },
          io,
        ),
      );
    });
  db.command('status')
    .description('Show the advisory sources, record counts, newest record and age.')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(dbDir())
    .option('--no-bundled-db', 'leave out the snapshot bundled with pedigree')
    .action(async (opts: Record<string, unknown>) => {
      setExit(
        await (await import('./commands/db.js')).runDbStatus(
          {
            format: String(opts.format),
            ...(typeof opts.dbDir === 'string' ? { storeDir: opts.dbDir } : {}),
            noBundled: opts.bundledDb === false,
          },
          io,
        ),
      );
    });
  return program;
}

/** Runs the CLI with the given arguments (without `node` and the script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const program = createProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return 0;
      }
      return EXIT_USAGE;
    }
    if (error instanceof UsageError) {
      io.stderr(`pedigree: ${error.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`pedigree: internal error: ${describeError(error)}\n`);
    if (process.env.PEDIGREE_DEBUG && error instanceof Error) io.stderr(`${error.stack}\n`);
    return EXIT_USAGE;
  }
}

/** The process entry point: the only place that touches process.argv, the console and process.exit. */
export async function main(): Promise<void> {
  const io: CliIo = {
    version: packageVersion(),
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    stderrStream: process.stderr,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    noColor: process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '',
  };
  const code = await runCli(process.argv.slice(2), io);
  process.exitCode = code;
}
