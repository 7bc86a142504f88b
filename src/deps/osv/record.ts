import { z } from 'zod';

/**
 * OSV records (https://ossf.github.io/osv-schema/, schema 1.6/1.7), validated from untrusted JSON or YAML.
 * Only the fields matching, severity, fixes and reports use are kept; unknown fields are dropped, so a
 * newer schema version still loads.
 */

/** One range event: exactly one of the four keys (OSV spec, "affected[].ranges[].events"). */
const EventSchema = z.union([
  z.object({ introduced: z.string() }),
  z.object({ fixed: z.string() }),
  z.object({ last_affected: z.string() }),
  z.object({ limit: z.string() }),
]);

const RangeSchema = z.object({
  type: z.string(),
  repo: z.string().optional(),
  events: z.array(EventSchema).max(10_000),
});

const SeveritySchema = z.object({ type: z.string(), score: z.string() });

const AffectedSchema = z.object({
  package: z.object({ ecosystem: z.string(), name: z.string(), purl: z.string().optional() }).optional(),
  severity: z.array(SeveritySchema).optional(),
  ranges: z.array(RangeSchema).max(1_000).optional(),
  versions: z.array(z.string()).max(100_000).optional(),
  database_specific: z.record(z.string(), z.unknown()).optional(),
  ecosystem_specific: z.record(z.string(), z.unknown()).optional(),
});

export const OsvRecordSchema = z.object({
  id: z.string().min(1).max(256),
  modified: z.string().optional(),
  published: z.string().optional(),
  withdrawn: z.string().optional(),
  aliases: z.array(z.string()).max(1_000).optional(),
  related: z.array(z.string()).max(1_000).optional(),
  summary: z.string().optional(),
  details: z.string().optional(),
  severity: z.array(SeveritySchema).optional(),
  affected: z.array(AffectedSchema).max(10_000).optional(),
  references: z.array(z.object({ type: z.string(), url: z.string() })).optional(),
  database_specific: z.record(z.string(), z.unknown()).optional(),
});

export type OsvRecord = z.infer<typeof OsvRecordSchema>;
export type OsvAffected = z.infer<typeof AffectedSchema>;
export type OsvRange = z.infer<typeof RangeSchema>;
export type OsvEvent = z.infer<typeof EventSchema>;
export type OsvSeverity = z.infer<typeof SeveritySchema>;

/** A record that validated, or the reasons it did not (with the field path of each). */
export type OsvParseResult =
  | { readonly ok: true; readonly record: OsvRecord }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Validates an already-parsed JSON/YAML value as an OSV record; never throws. */
export function toOsvRecord(value: unknown): OsvParseResult {
  const parsed = OsvRecordSchema.safeParse(value);
  if (parsed.success) return { ok: true, record: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`),
  };
}
