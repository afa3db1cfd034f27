/**
 * ECS's errors with the names and messages AWS returns (aws-sandbox-spec.md, "ECS operations").
 * Where AWS's exact wording is not documented the message says so in a comment, and follows ECS's style.
 */
import { AwsError } from '../aws-error.ts';

/** Factories for ECS error responses. */
export const ecsErrors = {
  clusterNotFound: () => new AwsError('ClusterNotFoundException', 'Cluster not found.'),
  serviceNotFound: () => new AwsError('ServiceNotFoundException', 'Service not found.'),
  serviceNotActive: () => new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.'),
  clusterContainsServices: () =>
    new AwsError('ClusterContainsServicesException', 'The Cluster cannot be deleted while Services are active.'),
  clusterContainsTasks: () => new AwsError('ClusterContainsTasksException', 'The Cluster cannot be deleted while Tasks are active.'),
  /** DescribeTaskDefinition / DeregisterTaskDefinition of one that does not exist. */
  unableToDescribeTaskDefinition: () => new AwsError('ClientException', 'Unable to describe task definition.'),
  /** RunTask / StartTask / CreateService naming one that does not exist. */
  taskDefinitionNotFound: () => new AwsError('ClientException', 'TaskDefinition not found.'),
  /** ResourceNotFoundException for tagging an unknown resource. */
  resourceNotFound: () => new AwsError('ResourceNotFoundException', 'The specified resource is not found.'),
  client: (message: string) => new AwsError('ClientException', message),
  invalidParameter: (message: string) => new AwsError('InvalidParameterException', message),
  /** The sandbox cannot run containers: no Docker Engine API (podman service or Docker) was found. */
  noContainerEngine: (operation: string) =>
    new AwsError(
      'ClientException',
      `${operation} cannot place tasks: the sandbox has no container engine (no Docker Engine API socket: start Docker, ` +
        `or install podman so the sandbox can run 'podman system service'), so tasks cannot run here.`,
    ),
} as const;
