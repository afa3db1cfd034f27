import type { Principal } from '../core/classroom/model.ts';
import { HttpError } from '../core/errors.ts';

/**
 * Role checks shared by the HTTP routes, socket events and the terminal upgrade, so each asks the same
 * question the same way. Each throws an {@link HttpError} the edge turns into a 401/403.
 */

export function requireSignedIn(p: Principal | undefined): Principal {
  if (!p) throw new HttpError(401, 'Sign in first: open the link your instructor gave you.', { code: 'Unauthorized' });
  return p;
}

export function requireOwner(p: Principal | undefined): void {
  if (requireSignedIn(p).role !== 'owner') throw forbidden();
}

/** The owner, or an instructor of this classroom. */
export function requireStaffOf(p: Principal | undefined, classroomId: string): void {
  const who = requireSignedIn(p);
  if (who.role === 'owner') return;
  if (who.role === 'instructor' && who.classroomId === classroomId) return;
  throw forbidden();
}

export function forbidden(message = 'You may not do this.'): HttpError {
  return new HttpError(403, message, { code: 'Forbidden' });
}
