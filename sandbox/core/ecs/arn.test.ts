import { describe, expect, it } from 'vitest';
import { clusterNameOf, ecsArn, parseTaskDefinitionRef, serviceNameOf, taskIdOf } from './arn.ts';

const scope = { accountId: '123456789012', region: 'eu-west-1' };

describe('ECS ARNs', () => {
  it('formats the long ARN format', () => {
    expect(ecsArn.task(scope, 'lab', 'a'.repeat(32))).toBe(`arn:aws:ecs:eu-west-1:123456789012:task/lab/${'a'.repeat(32)}`);
    expect(ecsArn.service(scope, 'lab', 'web')).toBe('arn:aws:ecs:eu-west-1:123456789012:service/lab/web');
    expect(ecsArn.taskDefinition(scope, 'web', 3)).toBe('arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3');
  });

  it('reads names, ids and task definition references from names or ARNs', () => {
    expect(clusterNameOf('lab')).toBe('lab');
    expect(clusterNameOf(ecsArn.cluster(scope, 'lab'))).toBe('lab');
    expect(clusterNameOf(ecsArn.service(scope, 'lab', 'web'))).toBeUndefined();
    expect(taskIdOf(ecsArn.task(scope, 'lab', 'abc'))).toBe('abc');
    expect(taskIdOf('arn:aws:ecs:eu-west-1:123456789012:task/abc')).toBe('abc');
    expect(serviceNameOf(ecsArn.service(scope, 'lab', 'web'))).toBe('web');
    expect(parseTaskDefinitionRef('web')).toEqual({ family: 'web' });
    expect(parseTaskDefinitionRef('web:7')).toEqual({ family: 'web', revision: 7 });
    expect(parseTaskDefinitionRef(ecsArn.taskDefinition(scope, 'web', 2))).toEqual({ family: 'web', revision: 2 });
    expect(parseTaskDefinitionRef('bad name')).toBeUndefined();
  });
});
