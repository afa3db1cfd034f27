import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { builtInCheckers } from '../../checkers/index.ts';
import { ClassroomService } from '../../server/classroom/index.ts';
import type { DashboardStudentView } from '../../server/core/protocol.ts';
import { createLintRegistry, FileLabCatalog } from '../../server/labs/index.ts';
import { SqliteClassroomStore, SqliteProgressStore } from '../../server/store/index.ts';
import { CLASS_LABS } from './helpers.ts';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).reverse().forEach((c) => c()));

describe('the stuck sweep', () => {
  it('sends a row once when time alone makes a student stuck, and not again while nothing changes', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'labrunner-sweep-'));
    const progress = SqliteProgressStore.open(dir);
    const store = SqliteClassroomStore.open(dir);
    let clock = 1_000_000;
    const service = new ClassroomService({ store, progress, labs: new FileLabCatalog(CLASS_LABS, { checkers: createLintRegistry(builtInCheckers) }), now: () => clock });
    cleanups.push(() => {
      service.dispose();
      store.dispose();
      progress.dispose();
      rmSync(dir, { recursive: true, force: true });
    });
    const { classroom } = await service.create({ name: 'Sweep', labIds: ['class-files'], stuckMinutes: 10 });
    const { principal } = service.join({ code: classroom.joinCode, displayName: 'Ann' });
    await service.dashboard(classroom.id, 'http://x');
    const rows: DashboardStudentView[] = [];
    service.onStudentRow((u) => rows.push(u.student));

    await service.sweepStuck([classroom.id]);
    expect(rows).toEqual([]);
    clock += 10 * 60_000;
    await service.sweepStuck([classroom.id]);
    expect(rows.map((r) => [r.learnerId, r.stuck?.reason, r.stuck?.stepId])).toEqual([[principal.role === 'student' && principal.learnerId, 'no-progress', 'answer']]);
    clock += 60_000;
    await service.sweepStuck([classroom.id]);
    expect(rows).toHaveLength(1);
  });
});
