import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LearnerAwsAccess } from './aws-target.ts';

/** The AWS CLI the wrapper runs: Debian's v2 (an `aws` earlier on PATH may be another version). */
export const REAL_AWS_CLI = '/usr/bin/aws';

const NICE = '/usr/bin/nice';
/**
 * The AWS CLI is a Python program (~0.5 s of CPU per call here). When a class of 100 runs it within seconds of
 * each other, learners' shells (nice 10) would wait behind it for the CPU and every keystroke's echo with them
 * (docs/benchmarks.md, Classroom); at 9 steps nicer than the shell, the shells come first.
 */
export const AWS_CLI_NICENESS = 9;

/**
 * Writes `<dir>/aws`, a wrapper that adds `--endpoint-url` when AWS_ENDPOINT_URL is set: Debian's AWS CLI
 * 2.9 predates AWS_ENDPOINT_URL (2.13), and the labs' commands must stay exactly as the course teaches them.
 * Without the variable (real AWS) it runs the CLI unchanged.
 */
export async function writeAwsWrapper(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'aws');
  await writeFile(
    file,
    [
      '#!/bin/sh',
      '# Written by labrunner. AWS CLI 2.9 ignores AWS_ENDPOINT_URL (added in 2.13), so pass it on.',
      '# The CLI runs 9 steps nicer than its caller: a class starting it at once must not delay echo in the shells.',
      'if [ -n "$AWS_ENDPOINT_URL" ]; then',
      `  exec ${NICE} -n ${AWS_CLI_NICENESS} ${REAL_AWS_CLI} --endpoint-url "$AWS_ENDPOINT_URL" "$@"`,
      'fi',
      `exec ${NICE} -n ${AWS_CLI_NICENESS} ${REAL_AWS_CLI} "$@"`,
      '',
    ].join('\n'),
  );
  await chmod(file, 0o755);
  return dir;
}

/** Environment variables that point a shell's AWS CLI, SDKs and docker at the learner's target. */
export function awsShellVariables(access: LearnerAwsAccess, wrapperDir: string, basePath: string): Record<string, string> {
  const vars: Record<string, string> = {
    AWS_ACCESS_KEY_ID: access.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: access.credentials.secretAccessKey,
    AWS_DEFAULT_REGION: access.region,
    AWS_REGION: access.region,
    // The account id labs refer to (`{{accountId}}`), handy in commands as $AWS_ACCOUNT_ID.
    AWS_ACCOUNT_ID: access.accountId,
    AWS_PAGER: '',
    PATH: `${wrapperDir}:${basePath}`,
  };
  if (access.credentials.sessionToken) vars.AWS_SESSION_TOKEN = access.credentials.sessionToken;
  if (access.endpoint) vars.AWS_ENDPOINT_URL = access.endpoint;
  if (access.dockerHost) {
    vars.DOCKER_HOST = access.dockerHost;
    // The compat API has no buildx; the classic builder works through podman.
    vars.DOCKER_BUILDKIT = '0';
  }
  return vars;
}
