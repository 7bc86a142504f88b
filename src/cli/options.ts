import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { TrustCommandOptions } from './commands/sign.js';

/**
 * Option helpers shared by `main.ts` and the commands registered outside it. A light module (commander
 * types only), so registering the commands loads no command code.
 */

/** `{ [key]: value }` when commander parsed a string for the option, else nothing. */
export function stringOption(opts: Record<string, unknown>, key: string): Record<string, string> {
  const value = opts[key];
  return typeof value === 'string' ? { [key]: value } : {};
}

/** A positive integer option (`--workers`, `--shard-size`); undefined when not given, a usage error otherwise. */
export function positiveIntegerOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw new UsageError('BAD_ARGUMENT', `${name} must be a positive integer, got '${value}'`);
  return Number(value);
}

/** A repeatable option's values, in order. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Help texts of the trust options where a command words them its own way. */
export interface TrustOptionsHelp {
  readonly key?: string;
  readonly certificateChain?: string;
  readonly identity?: string;
  readonly trustedRoot?: string;
}

/**
 * The options that say whom to trust: `-k/--key`, `--certificate-chain`, Sigstore keyless `--identity`,
 * `--identity-regex`, `--issuer`, `--issuer-regex` and `--trusted-root` (`verify`, `verify-attestation`,
 * `lineage`, `repro`). Read back with `trustOptionsFrom`.
 */
export function addTrustOptions(command: Command, help: TrustOptionsHelp = {}): Command {
  return command
    .option('-k, --key <file>', help.key ?? 'public key (PEM)')
    .option(
      '--certificate-chain <file>',
      help.certificateChain ?? 'trusted CA certificates (PEM, repeatable)',
      collect,
      [],
    )
    .option('--identity <identity>', help.identity ?? 'Sigstore keyless: the signer identity to require')
    .option(
      '--identity-regex <regex>',
      'Sigstore keyless: a regular expression the whole identity must match',
    )
    .option('--issuer <url>', 'Sigstore keyless: the OIDC issuer to require')
    .option('--issuer-regex <regex>', 'Sigstore keyless: a regular expression the whole issuer must match')
    .option(
      '--trusted-root <file>',
      help.trustedRoot ?? 'Sigstore trusted root (default: the bundled public-good root)',
    );
}

/** The values of the options `addTrustOptions` declared. */
export function trustOptionsFrom(opts: Record<string, unknown>): TrustCommandOptions {
  return {
    ...stringOption(opts, 'key'),
    certificateChain: (opts.certificateChain as string[] | undefined) ?? [],
    ...stringOption(opts, 'identity'),
    ...stringOption(opts, 'identityRegex'),
    ...stringOption(opts, 'issuer'),
    ...stringOption(opts, 'issuerRegex'),
    ...stringOption(opts, 'trustedRoot'),
  };
}
