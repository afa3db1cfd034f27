/**
 * What a browser or the CLI may say about a classroom, checked before anything is stored. Every function
 * returns the cleaned value or throws an {@link HttpError} 400 whose message names the field, so a bad
 * request gets a clear answer and never reaches the store.
 */
import { HttpError } from '../errors.ts';
import { DEFAULT_STUCK, type StuckThresholds } from './model.ts';

export const LIMITS = {
  DISPLAY_NAME: 60,
  CLASSROOM_NAME: 100,
  ROSTER_ID: 64,
  ROSTER_SIZE: 2000,
  ANNOUNCEMENT: 500,
  LABS: 50,
} as const;

/** Join codes are typed by people: lowercase letters and digits without look-alikes (no i, l, o, 0, 1). */
export const JOIN_CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
export const JOIN_CODE_LENGTH = 10;

/** Control characters (C0, DEL, C1) and the bidi overrides that make a name render as something else. */
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const badRequest = (message: string) => new HttpError(400, message, { code: 'BadRequest' });

/** A student's display name: 1–60 characters once trimmed, no control characters. */
export function validateDisplayName(raw: unknown): string {
  if (typeof raw !== 'string') throw badRequest('displayName: a name is required.');
  const name = raw.trim();
  if (!name) throw badRequest('displayName: a name is required.');
  if ([...name].length > LIMITS.DISPLAY_NAME) throw badRequest(`displayName: at most ${LIMITS.DISPLAY_NAME} characters.`);
  if (UNSAFE_CHARS.test(name)) throw badRequest('displayName: control characters are not allowed.');
  return name;
}

/** A classroom's name: 1–100 characters once trimmed, no control characters. */
export function validateClassroomName(raw: unknown): string {
  if (typeof raw !== 'string' || !raw.trim()) throw badRequest('name: a classroom name is required.');
  const name = raw.trim();
  if ([...name].length > LIMITS.CLASSROOM_NAME) throw badRequest(`name: at most ${LIMITS.CLASSROOM_NAME} characters.`);
  if (UNSAFE_CHARS.test(name)) throw badRequest('name: control characters are not allowed.');
  return name;
}

/** A roster id as a student types it (a student number, an e-mail): trimmed, printable, at most 64 characters. */
export function validateRosterId(raw: unknown, field = 'rosterId'): string {
  if (typeof raw !== 'string' || !raw.trim()) throw badRequest(`${field}: your id from the class list is required.`);
  const id = raw.trim();
  if ([...id].length > LIMITS.ROSTER_ID) throw badRequest(`${field}: at most ${LIMITS.ROSTER_ID} characters.`);
  if (UNSAFE_CHARS.test(id)) throw badRequest(`${field}: control characters are not allowed.`);
  return id;
}

/** Roster ids are matched case-insensitively: a student typing `A123` for `a123` is the same student. */
export function rosterKey(id: string): string {
  return id.trim().toLowerCase();
}

/** A roster from a request or a file: distinct ids, empty lines and `#` comments skipped. */
export function parseRoster(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  const lines = typeof raw === 'string' ? raw.split(/\r?\n/).filter((l) => !l.trim().startsWith('#')) : raw;
  if (!Array.isArray(lines)) throw badRequest('roster: a list of ids is required.');
  const seen = new Set<string>();
  const ids: string[] = [];
  for (const line of lines) {
    if (typeof line === 'string' && !line.trim()) continue;
    const id = validateRosterId(line, 'roster');
    if (seen.has(rosterKey(id))) continue;
    seen.add(rosterKey(id));
    ids.push(id);
  }
  if (ids.length > LIMITS.ROSTER_SIZE) throw badRequest(`roster: at most ${LIMITS.ROSTER_SIZE} ids.`);
  return ids.length ? ids : undefined;
}

/** A join code as typed (any case, spaces or dashes between groups); undefined when it cannot be one. */
export function normalizeJoinCode(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const code = raw.replace(/[\s-]/g, '').toLowerCase();
  return /^[a-z0-9]{4,32}$/.test(code) ? code : undefined;
}

/** The lab ids of a new classroom: at least one, each a known lab (`exists`), no duplicates, order kept. */
export function validateLabIds(raw: unknown, exists: (id: string) => boolean): string[] {
  if (!Array.isArray(raw) || raw.length === 0) throw badRequest('labIds: at least one lab is required.');
  if (raw.length > LIMITS.LABS) throw badRequest(`labIds: at most ${LIMITS.LABS} labs.`);
  const ids: string[] = [];
  for (const id of raw) {
    if (typeof id !== 'string' || !exists(id)) throw badRequest(`labIds: there is no lab '${String(id).slice(0, 64)}'.`);
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** Stuck thresholds from optional numbers (minutes 1–600, failures 1–100); the defaults fill the gaps. */
export function validateStuck(minutes: unknown, failures: unknown): StuckThresholds {
  const pick = (v: unknown, field: string, max: number, fallback: number) => {
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) throw badRequest(`${field}: a whole number from 1 to ${max}.`);
    return v;
  };
  return {
    noProgressMinutes: pick(minutes, 'stuckMinutes', 600, DEFAULT_STUCK.noProgressMinutes),
    failedAttempts: pick(failures, 'stuckFailures', 100, DEFAULT_STUCK.failedAttempts),
  };
}

/** An announcement: 1–500 characters once trimmed; line breaks allowed, other control characters not. */
export function validateAnnouncement(raw: unknown): string {
  if (typeof raw !== 'string' || !raw.trim()) throw badRequest('text: the announcement is empty.');
  const text = raw.trim().replace(/\r\n?/g, '\n');
  if ([...text].length > LIMITS.ANNOUNCEMENT) throw badRequest(`text: at most ${LIMITS.ANNOUNCEMENT} characters.`);
  if (UNSAFE_CHARS.test(text.replace(/\n/g, ''))) throw badRequest('text: control characters are not allowed.');
  return text;
}
