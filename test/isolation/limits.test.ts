import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canConfine, startIsolatedShells, type IsolatedShells, type TestShell } from './harness.ts';

const MiB = 1024 * 1024;

/** One learner exhausting what they have must not hurt another: each hits a clear limit of their own. */
describe.skipIf(!canConfine)('per-learner limits', () => {
  let shells: IsolatedShells;
  let bob: TestShell;

  beforeAll(async () => {
    shells = await startIsolatedShells({ limits: { processes: 64, memoryBytes: 192 * MiB, diskBytes: 96 * MiB, tmpBytes: 32 * MiB } });
    bob = await shells.shell('bob');
  });
  afterAll(async () => {
    await shells?.dispose();
  });

  it("contains a fork bomb: it hits the learner's process limit, the other learner's shell still answers, and ending the shell reaps it", async () => {
    const mallory = await shells.shell('mallory-fork');
    const uid = Number((await mallory.run('id -u')).output);
    mallory.type('bomb() { bomb | bomb & }; bomb\r');
    await mallory.waitFor(/fork: (retry: )?Resource temporarily unavailable/, 30_000);
    expect(countProcesses(uid)).toBeLessThanOrEqual(64);
    expect((await bob.run('echo bob-still-here')).output).toBe('bob-still-here');
    mallory.session.dispose();
    await mallory.session.processExit;
    // The shell's PID namespace goes with it: every process of the bomb is gone.
    for (let i = 0; i < 50 && countProcesses(uid) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(countProcesses(uid)).toBe(0);
  }, 90_000);

  it("stops a learner who takes all the memory there is, and nobody else", async () => {
    const mallory = await shells.shell('mallory-mem');
    const r = await mallory.run(`/usr/bin/python3 -c "x = b'x' * (2 * 1024**3); print('allocated')"`, 60_000);
    expect(r.output).not.toContain('allocated');
    // The memory cgroup's OOM killer (bash prints "Killed"), or RLIMIT_AS where there is no memory cgroup.
    expect(r.output).toMatch(/Killed|MemoryError/);
    expect(r.exitCode).not.toBe(0);
    expect((await bob.run('echo bob-still-here')).output).toBe('bob-still-here');
  }, 90_000);

  it('caps a learner\'s disk: a 10 GB file stops at "No space left on device", and the other learner can still write', async () => {
    const mallory = await shells.shell('mallory-disk');
    const r = await mallory.run('head -c 10G /dev/zero > big; echo "exit=$?"; du -m big | cut -f1', 120_000);
    expect(r.output).toContain('No space left on device');
    expect(Number(r.output.split('\n').at(-1))).toBeLessThanOrEqual(96);
    const t = await mallory.run('head -c 1G /dev/zero > /tmp/big', 60_000);
    expect(t.output).toContain('No space left on device');
    const b = await bob.run('head -c 10M /dev/zero > ok.bin && du -m ok.bin | cut -f1');
    expect(b.output).toBe('10');
  }, 180_000);
});

function countProcesses(uid: number): number {
  try {
    return Number(execFileSync('pgrep', ['-c', '-u', String(uid)], { encoding: 'utf8' }).trim());
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
}
