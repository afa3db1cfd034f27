import { describe, expect, it } from 'vitest';
import { assessTask, canTransition, cannotPull, containerReason } from './task-state.ts';

describe('task lifecycle', () => {
  it('moves only forward and never leaves STOPPED', () => {
    expect(canTransition('PROVISIONING', 'PENDING')).toBe(true);
    expect(canTransition('PENDING', 'STOPPED')).toBe(true);
    expect(canTransition('RUNNING', 'PENDING')).toBe(false);
    expect(canTransition('STOPPED', 'RUNNING')).toBe(false);
    expect(canTransition('RUNNING', 'RUNNING')).toBe(false);
  });

  it('is RUNNING only when every essential container runs', () => {
    expect(assessTask([{ name: 'a', essential: true, state: 'running' }, { name: 'b', essential: true, state: 'created' }])).toEqual({ kind: 'starting' });
    expect(assessTask([{ name: 'a', essential: true, state: 'running' }, { name: 'side', essential: false, state: 'exited', exitCode: 0 }])).toEqual({ kind: 'running' });
  });

  it('stops the task when an essential container exits or disappears', () => {
    const stop = { kind: 'stop', stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' };
    expect(assessTask([{ name: 'a', essential: true, state: 'exited', exitCode: 1 }])).toEqual(stop);
    expect(assessTask([{ name: 'a', essential: true, state: 'missing' }])).toEqual(stop);
  });

  it("gives ECS's container reasons", () => {
    expect(containerReason({ name: 'a', essential: true, state: 'exited', exitCode: 137, oomKilled: true })).toBe('OutOfMemoryError: Container killed due to memory usage');
    expect(containerReason({ name: 'a', essential: true, state: 'exited', exitCode: 0 })).toBeUndefined();
    expect(cannotPull('manifest unknown: Requested image not found\n')).toBe('CannotPullContainerError: manifest unknown: Requested image not found');
  });
});
