/**
 * The parts of the OSV schema (https://ossf.github.io/osv-schema/) the scanner reads, and a
 * lenient parser: unknown fields are ignored, a malformed record becomes a reported problem
 * rather than an exception, and withdrawn records are dropped.
 */
import { z } from 'zod';

const SeveritySchema = z.object({ type: z.string(), score: z.string() });

const EventSchema = z.object({
  introduced: z.string().optional(),
  fixed: z.string().optional(),
  last_affected: z.string().optional(),
  limit: z.string().optional(),
});

const RangeSchema = z.object({ type: z.string(), events: z.array(EventSchema) });

const AffectedSchema = z.object({
  package: z.object({ ecosystem: z.string(), name: z.string() }).optional(),
  severity: z.array(SeveritySchema).optional(),
  ranges: z.array(RangeSchema).optional(),
  versions: z.array(z.string()).optional(),
  ecosystem_specific: z.record(z.string(), z.unknown()).optional(),
  database_specific: z.record(z.string(), z.unknown()).optional(),
});

const AdvisorySchema = z.object({
  id: z.string().min(1),
  modified: z.string().optional(),
  withdrawn: z.string().optional(),
  aliases: z.array(z.string()).optional(),
  upstream: z.array(z.string()).optional(),
  related: z.array(z.string()).optional(),
  summary: z.string().optional(),
  details: z.string().optional(),
  severity: z.array(SeveritySchema).optional(),
  affected: z.array(AffectedSchema).optional(),
  references: z.array(z.object({ type: z.string().optional(), url: z.string() })).optional(),
  database_specific: z.record(z.string(), z.unknown()).optional(),
});

/** One OSV severity entry: a CVSS vector string (CVSS_V2/V3/V4) or an ecosystem rating. */
export type OsvSeverity = z.infer<typeof SeveritySchema>;
/** One `affected[]` entry. */
export type OsvAffected = z.infer<typeof AffectedSchema>;
/** One `ranges[].events[]` entry. */
export type OsvEvent = z.infer<typeof EventSchema>;
/** One OSV record, reduced to the fields the scanner reads. */
export type OsvAdvisory = z.infer<typeof AdvisorySchema>;

/** Something wrong with one feed file or record; reported, never fatal. */
export interface FeedProblem {
  readonly source: string; // file name, with `[index]` for a record inside an array
  readonly message: string;
}

/** Records parsed from one file, and what could not be used. */
export interface ParsedOsvDocument {
  readonly advisories: OsvAdvisory[];
  readonly problems: FeedProblem[];
}

/**
 * Parses one OSV JSON document: a single record or an array of records.
 * @param source names the document in problem reports (e.g. the file name)
 */
export function parseOsvDocument(text: string, source: string): ParsedOsvDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { advisories: [], problems: [{ source, message: `not JSON: ${(err as Error).message}` }] };
  }
  const items = Array.isArray(json) ? json : [json];
  const advisories: OsvAdvisory[] = [];
  const problems: FeedProblem[] = [];
  items.forEach((item, i) => {
    const where = Array.isArray(json) ? `${source}[${i}]` : source;
    const parsed = AdvisorySchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = issue && issue.path.length > 0 ? issue.path.join('.') : '(record)';
      problems.push({ source: where, message: `not an OSV record: ${path}: ${issue?.message ?? 'invalid'}` });
      return;
    }
    if (parsed.data.withdrawn !== undefined) return; // withdrawn records must not produce findings
    advisories.push(parsed.data);
  });
  return { advisories, problems };
}
