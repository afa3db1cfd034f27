import { describe, expect, it } from 'vitest';
import { planService, restartBackoffMs, startedEvent, stoppedEvent, type DeploymentState, type ServicePlanInput, type ServiceTaskView } from './service-plan.ts';

const dep = (id: string, status: 'PRIMARY' | 'ACTIVE', over: Partial<DeploymentState> = {}): DeploymentState => ({
  id,
  status,
  taskDefinition: `td:${id}`,
  desiredCount: 2,
  pendingCount: 0,
  runningCount: 0,
  failedTasks: 0,
  rolloutState: 'IN_PROGRESS',
  rolloutStateReason: '',
  createdAt: 0,
  updatedAt: 0,
  ...over,
});
const task = (taskId: string, deploymentId: string, lastStatus: ServiceTaskView['lastStatus'] = 'RUNNING', desiredStatus: ServiceTaskView['desiredStatus'] = 'RUNNING'): ServiceTaskView => ({
  taskId,
  deploymentId,
  lastStatus,
  desiredStatus,
});
const input = (over: Partial<ServicePlanInput>): ServicePlanInput => ({
  serviceName: 'web',
  status: 'ACTIVE',
  desiredCount: 2,
  deployments: [dep('d1', 'PRIMARY')],
  tasks: [],
  steady: false,
  startBlockedUntil: 0,
  now: 1000,
  ...over,
});

describe('planService', () => {
  it('starts the missing tasks of the PRIMARY deployment', () => {
    const p = planService(input({ tasks: [task('a', 'd1')] }));
    expect(p.start).toEqual({ deploymentId: 'd1', taskDefinition: 'td:d1', count: 1 });
    expect(p.stop).toEqual([]);
    expect(p.steady).toBe(false);
  });

  it('does not count stopping or stopped tasks, so a dead task is replaced', () => {
    const p = planService(input({ tasks: [task('a', 'd1'), task('b', 'd1', 'STOPPED', 'STOPPED'), task('c', 'd1', 'RUNNING', 'STOPPED')] }));
    expect(p.start?.count).toBe(1);
  });

  it('waits out the restart backoff before starting', () => {
    const p = planService(input({ tasks: [], startBlockedUntil: 5000, now: 1000 }));
    expect(p.start).toBeUndefined();
  });

  it('scales in by stopping not-yet-running tasks first, then the newest', () => {
    const p = planService(input({ desiredCount: 1, tasks: [task('old', 'd1'), task('new', 'd1'), task('pending', 'd1', 'PENDING')] }));
    expect(p.stop.map((s) => s.taskId)).toEqual(['pending', 'new']);
  });

  it('reports COMPLETED and a steady state once, when the only deployment runs desiredCount tasks', () => {
    const first = planService(input({ tasks: [task('a', 'd1'), task('b', 'd1')] }));
    expect(first.deployments[0]).toMatchObject({ rolloutState: 'COMPLETED', runningCount: 2 });
    expect(first.events).toEqual(['(service web) (deployment d1) deployment completed.', '(service web) has reached a steady state.']);
    expect(first.steady).toBe(true);
    const again = planService(input({ deployments: first.deployments, tasks: [task('a', 'd1'), task('b', 'd1')], steady: true }));
    expect(again.events).toEqual([]);
  });

  it('keeps old deployments running until the new PRIMARY runs desiredCount tasks, then stops them and drops the drained deployment', () => {
    const deployments = [dep('d2', 'PRIMARY'), dep('d1', 'ACTIVE', { rolloutState: 'COMPLETED' })];
    const early = planService(input({ deployments, tasks: [task('a', 'd1'), task('b', 'd1'), task('c', 'd2', 'PENDING'), task('d', 'd2', 'PENDING')] }));
    expect(early.stop).toEqual([]);
    expect(early.start).toBeUndefined();
    expect(early.deployments.map((d) => d.id)).toEqual(['d2', 'd1']);

    const replaced = planService(input({ deployments, tasks: [task('a', 'd1'), task('b', 'd1'), task('c', 'd2'), task('d', 'd2')] }));
    expect(replaced.stop.map((s) => s.taskId)).toEqual(['a', 'b']);
    expect(replaced.deployments[1]?.desiredCount).toBe(0);
    expect(replaced.deployments[0]?.rolloutState).toBe('IN_PROGRESS');

    const drained = planService(input({ deployments, tasks: [task('a', 'd1', 'STOPPED', 'STOPPED'), task('c', 'd2'), task('d', 'd2')] }));
    expect(drained.deployments.map((d) => d.id)).toEqual(['d2']);
    expect(drained.deployments[0]?.rolloutState).toBe('COMPLETED');
  });

  it('drains a DRAINING service and retires it once no task is left', () => {
    const draining = planService(input({ status: 'DRAINING', desiredCount: 0, tasks: [task('a', 'd1'), task('b', 'd1', 'STOPPING', 'STOPPED')] }));
    expect(draining.status).toBe('DRAINING');
    expect(draining.stop.map((s) => s.taskId)).toEqual(['a']);
    expect(planService(input({ status: 'DRAINING', desiredCount: 0, tasks: [task('a', 'd1', 'STOPPED', 'STOPPED')] })).status).toBe('INACTIVE');
  });
});

describe('service events and backoff', () => {
  it("formats ECS's started/stopped events", () => {
    expect(startedEvent('web', ['a', 'b'])).toBe('(service web) has started 2 tasks: (task a) (task b).');
    expect(stoppedEvent('web', ['a'])).toBe('(service web) has stopped 1 running tasks: (task a).');
  });
  it('restarts the first failure at once, then backs off exponentially up to 5 minutes', () => {
    expect([1, 2, 3, 4, 20].map(restartBackoffMs)).toEqual([0, 5000, 10_000, 20_000, 300_000]);
  });
});
