import { describe, expect, it } from 'vitest';
import type { RequestReader } from '../request-reader.ts';
import { parseTaskDefinition, parseUnits } from './task-definition.ts';

const noTags = (_r: RequestReader) => undefined;
const parse = (input: Record<string, unknown>) => parseTaskDefinition(input, noTags);
const failure = (input: Record<string, unknown>): string => {
  try {
    parse(input);
  } catch (err) {
    const e = err as { name: string; message: string };
    return `${e.name}: ${e.message}`;
  }
  throw new Error('expected a rejection');
};
const web = { name: 'web', image: 'repo/web:1' };

describe('parseTaskDefinition', () => {
  it('fills ECS defaults: bridge, essential, tcp, cpu 0, empty lists, EC2 compatibility; keeps unknown members', () => {
    const td = parse({ family: 'f', executionRoleArn: 'arn:aws:iam::1:role/x', containerDefinitions: [{ ...web, memory: 64, portMappings: [{ containerPort: 80 }], dockerLabels: { a: 'b' } }] });
    expect(td.networkMode).toBe('bridge');
    expect(td.compatibilities).toEqual(['EC2']);
    expect(td.extra).toEqual({ executionRoleArn: 'arn:aws:iam::1:role/x' });
    expect(td.containerDefinitions[0]).toMatchObject({ essential: true, cpu: 0, environment: [], mountPoints: [], volumesFrom: [], dockerLabels: { a: 'b' } });
    expect(td.containerDefinitions[0]!.portMappings).toEqual([{ containerPort: 80, protocol: 'tcp' }]);
  });

  it('accepts a Fargate definition, sets hostPort = containerPort and reports FARGATE compatibility', () => {
    const td = parse({ family: 'f', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '0.25 vCPU', memory: '0.5 GB', containerDefinitions: [{ ...web, portMappings: [{ containerPort: 8080 }] }] });
    expect([td.cpu, td.memory]).toEqual(['256', '512']);
    expect(td.compatibilities).toEqual(['EC2', 'FARGATE']);
    expect(td.containerDefinitions[0]!.portMappings[0]).toEqual({ containerPort: 8080, hostPort: 8080, protocol: 'tcp' });
  });

  it("applies Fargate's rules", () => {
    const base = { family: 'f', requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '256', memory: '512', containerDefinitions: [web] };
    expect(failure({ ...base, networkMode: 'bridge' })).toBe('ClientException: Fargate only supports network mode \u2018awsvpc\u2019.');
    expect(failure({ ...base, cpu: undefined })).toBe("ClientException: Fargate requires that 'cpu' be defined at the task level.");
    expect(failure({ ...base, memory: undefined })).toBe("ClientException: Fargate requires that 'memory' be defined at the task level.");
    expect(failure({ ...base, memory: '4096' })).toMatch(/^ClientException: No Fargate configuration exists for given values: 256 CPU, 4096 memory/);
  });

  it('rejects what ECS rejects about containers', () => {
    expect(failure({ family: 'f', containerDefinitions: [] })).toBe('ClientException: Container list cannot be empty.');
    expect(failure({ family: 'f', containerDefinitions: [null] })).toBe('ClientException: Container.name should not be null or empty.');
    expect(failure({ family: 'f', containerDefinitions: [web] })).toBe(
      "ClientException: Invalid setting for container 'web'. At least one of 'memory' or 'memoryReservation' must be specified.",
    );
    expect(failure({ family: 'f', containerDefinitions: [{ ...web, memory: 8 }, { ...web, memory: 8 }] })).toMatch(/^ClientException: Duplicate container name 'web'/);
    expect(failure({ family: 'f', containerDefinitions: [{ ...web, memory: 8, essential: false }] })).toBe('ClientException: At least one essential container is required.');
    expect(failure({ family: 'f', networkMode: 'host', containerDefinitions: [{ ...web, memory: 8, portMappings: [{ containerPort: 80, hostPort: 81 }] }] })).toBe(
      'ClientException: When networkMode=host, the host ports and container ports in port mappings must match.',
    );
    expect(failure({ family: 'f', containerDefinitions: [{ ...web, memory: 8, portMappings: [{ containerPort: 70000 }] }] })).toBe("ClientException: Invalid 'containerPort' setting for container 'web'.");
  });

  it('reports shape problems as one ValidationException', () => {
    expect(failure({ containerDefinitions: 'nope' })).toBe(
      "ValidationException: 2 validation errors detected: Value null at 'family' failed to satisfy constraint: Member must not be null; Value 'nope' at 'containerDefinitions' failed to satisfy constraint: Member must be a list",
    );
  });
});

describe('parseUnits', () => {
  it('reads CPU units and memory in MiB in the forms ECS accepts', () => {
    expect(parseUnits('1 vCPU', 'cpu')).toBe(1024);
    expect(parseUnits('512', 'cpu')).toBe(512);
    expect(parseUnits('2GB', 'memory')).toBe(2048);
    expect(() => parseUnits('2GB', 'cpu')).toThrow("Invalid 'cpu' setting for task: '2GB'.");
  });
});
