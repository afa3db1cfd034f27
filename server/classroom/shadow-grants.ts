import { randomUUID } from 'node:crypto';

/** An instructor's request to type in a student's terminal, waiting for the student's answer. */
export interface WriteRequest {
  requestId: string;
  classroomId: string;
  learnerId: string;
  labId: string;
  /** The instructor's session (`owner` for the server's owner). */
  instructorSession: string;
}

/**
 * Who may type in whose terminal (docs/architecture.md#classrooms). A shadow view is read-only; an instructor
 * session gets write access to one student's shell in one lab only when that student accepts, until the student
 * takes it back or the instructor's session or socket goes.
 */
export class ShadowGrants {
  private readonly _pending = new Map<string, WriteRequest>();
  private readonly _granted = new Map<string, WriteRequest>();

  request(r: Omit<WriteRequest, 'requestId'>): WriteRequest {
    // One pending request per instructor, student and lab: asking again replaces the old one.
    for (const [id, p] of this._pending) if (grantKey(p) === grantKey(r)) this._pending.delete(id);
    const request = { ...r, requestId: randomUUID() };
    this._pending.set(request.requestId, request);
    return request;
  }

  /** The student's answer; undefined when there is no such request (or it was for another student). */
  respond(requestId: string, learnerId: string, accept: boolean): WriteRequest | undefined {
    const request = this._pending.get(requestId) ?? [...this._granted.values()].find((g) => g.requestId === requestId);
    if (!request || request.learnerId !== learnerId) return undefined;
    this._pending.delete(requestId);
    if (accept) this._granted.set(grantKey(request), request);
    else this._granted.delete(grantKey(request));
    return request;
  }

  canWrite(instructorSession: string, learnerId: string, labId: string): boolean {
    return this._granted.has(grantKey({ instructorSession, learnerId, labId }));
  }

  /** Drops everything of an instructor session (it disconnected or ended); returns the grants it held. */
  dropInstructor(instructorSession: string): WriteRequest[] {
    for (const [id, p] of this._pending) if (p.instructorSession === instructorSession) this._pending.delete(id);
    const dropped = [...this._granted.values()].filter((g) => g.instructorSession === instructorSession);
    for (const g of dropped) this._granted.delete(grantKey(g));
    return dropped;
  }

  /** Drops everything about a student (revoked); returns the grants removed. */
  dropStudent(learnerId: string): WriteRequest[] {
    for (const [id, p] of this._pending) if (p.learnerId === learnerId) this._pending.delete(id);
    const dropped = [...this._granted.values()].filter((g) => g.learnerId === learnerId);
    for (const g of dropped) this._granted.delete(grantKey(g));
    return dropped;
  }
}

function grantKey(r: Pick<WriteRequest, 'instructorSession' | 'learnerId' | 'labId'>): string {
  return `${r.instructorSession}\u0000${r.learnerId}\u0000${r.labId}`;
}
