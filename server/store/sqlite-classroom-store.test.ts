import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Classroom } from '../core/classroom/model.ts';
import { MIGRATIONS } from './migrations.ts';
import { SqliteClassroomStore } from './sqlite-classroom-store.ts';
import { SqliteProgressStore } from './sqlite-progress-store.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'labrunner-classroom-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const classroom: Classroom = {
  id: 'c-abc',
  name: 'ECR 101',
  labIds: ['ecr-basics', 'ecr-hello-ecs'],
  joinCode: 'abcdefgh23',
  roster: ['A1', 'b2'],
  stuck: { noProgressMinutes: 7, failedAttempts: 2 },
  createdAt: 100,
};

describe('SqliteClassroomStore', () => {
  it('keeps classrooms, students and sessions across a reopen, and finds roster ids in any case', () => {
    const dir = tmp();
    let store = SqliteClassroomStore.open(dir);
    store.createClassroom(classroom, 'digest-1');
    store.addStudent({ learnerId: 's-ann', classroomId: 'c-abc', displayName: 'Ann', rosterId: 'A1', joinedAt: 200 });
    store.createSession({ id: 'sess-1', role: 'student', classroomId: 'c-abc', learnerId: 's-ann', createdAt: 200 }, 'tok-digest');
    store.dispose();

    store = SqliteClassroomStore.open(dir);
    expect(store.classroomByJoinCode('abcdefgh23')).toEqual(classroom);
    expect(store.instructorKeyDigest('c-abc')).toBe('digest-1');
    expect(store.studentByRosterId('c-abc', 'a1')).toMatchObject({ learnerId: 's-ann', rosterId: 'A1' });
    expect(store.sessionByTokenDigest('tok-digest')).toEqual({ id: 'sess-1', role: 'student', classroomId: 'c-abc', learnerId: 's-ann', createdAt: 200 });
    expect(() => store.addStudent({ learnerId: 's-dup', classroomId: 'c-abc', displayName: 'Dup', rosterId: 'a1', joinedAt: 300 })).toThrow();
    store.dispose();
  });

  it('revokes a student\'s sessions, and another connection (the CLI) sees it', () => {
    const dir = tmp();
    const server = SqliteClassroomStore.open(dir);
    const cli = SqliteClassroomStore.open(dir);
    server.createClassroom(classroom, 'd');
    server.addStudent({ learnerId: 's-ann', classroomId: 'c-abc', displayName: 'Ann', joinedAt: 1 });
    server.createSession({ id: 'a', role: 'student', classroomId: 'c-abc', learnerId: 's-ann', createdAt: 1 }, 'ta');
    server.createSession({ id: 'i', role: 'instructor', classroomId: 'c-abc', createdAt: 1 }, 'ti');
    expect(cli.revokeStudent('c-abc', 's-ann', 50)).toBe(true);
    expect(cli.revokeStudent('c-abc', 's-nobody', 50)).toBe(false);
    expect(server.revokedAmong(['a', 'i', 'unknown'])).toEqual(['a']);
    expect(server.student('s-ann')?.revokedAt).toBe(50);
    cli.replaceInstructorKey('c-abc', 'd2', 60);
    expect(server.revokedAmong(['a', 'i']).sort()).toEqual(['a', 'i']);
    server.dispose();
    cli.dispose();
  });

  it('keeps commands and announcements newest first', () => {
    const store = SqliteClassroomStore.open(tmp());
    store.createClassroom(classroom, 'd');
    store.recordCommand({ learnerId: 's-ann', labId: 'ecr-basics', at: 1, command: 'ls', exitCode: 0 });
    store.recordCommand({ learnerId: 's-ann', labId: 'ecr-basics', at: 2, command: 'false', exitCode: 1 });
    expect(store.commands('s-ann', 10).map((c) => c.command)).toEqual(['false', 'ls']);
    expect(store.lastCommandAt('s-ann')).toBe(2);
    store.addAnnouncement('c-abc', 'first', 1);
    expect(store.addAnnouncement('c-abc', 'second', 2)).toMatchObject({ classroomId: 'c-abc', text: 'second' });
    expect(store.announcements('c-abc', 5).map((a) => a.text)).toEqual(['second', 'first']);
    store.dispose();
  });

  it('migrates a database from before classrooms without losing progress', () => {
    const dir = tmp();
    const old = new Database(path.join(dir, 'labrunner.db'));
    old.exec(MIGRATIONS[0]!);
    old.pragma('user_version = 1');
    old.prepare("INSERT INTO learner_variables VALUES ('ann', 'lab', '{\"suffix\":\"x\"}')").run();
    old.close();
    const progress = SqliteProgressStore.open(dir);
    const classrooms = SqliteClassroomStore.open(dir);
    expect(progress.loadVariables('ann', 'lab')).toEqual({ suffix: 'x' });
    expect(classrooms.listClassrooms()).toEqual([]);
    progress.dispose();
    classrooms.dispose();
  });
});
