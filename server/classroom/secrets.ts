import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH } from '../core/classroom/validation.ts';

/** A bearer secret (session cookie token, instructor key): 32 random bytes, URL-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** What the store keeps instead of a secret: its SHA-256, hex. */
export function digestOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Compares two hex digests in constant time. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** `length` characters drawn uniformly from `alphabet` (rejection sampling inside randomInt, so no bias). */
export function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** A join code: 10 characters of 31, ~49 bits; joins are rate-limited, so it cannot be guessed in practice. */
export function newJoinCode(): string {
  return randomString(JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH);
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A classroom id: short and URL-safe, not secret (it appears in dashboard URLs). */
export function newClassroomId(): string {
  return `c-${randomString(ID_ALPHABET, 8)}`;
}

/** A student's learner id (matches LEARNER_ID_PATTERN); never chosen by the browser. */
export function newStudentLearnerId(): string {
  return `s-${randomString(ID_ALPHABET, 12)}`;
}

export function newSessionId(): string {
  return randomUUID();
}
