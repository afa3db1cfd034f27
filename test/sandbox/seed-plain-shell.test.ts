import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../../cli/paths.ts';

const hasTools = ['/usr/bin/aws', '/usr/bin/podman', '/bin/busybox'].every((p) => existsSync(p));
if (!hasTools) console.warn('skipping the plain-shell seed test: the AWS CLI, podman or busybox is missing (run scripts/setup-system)');

/**
 * The seed course's commands, run in a plain bash after `eval "$(labrunner sandbox env)"`, against
 * `labrunner sandbox` running on its own: no lab server involved.
 */
describe.skipIf(!hasTools)('the seed commands from a plain shell', () => {
  let dataDir: string;
  let work: string;
  let sandbox: ChildProcess;
  let port: number;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'labrunner-plain-'));
    work = mkdtempSync(path.join(os.tmpdir(), 'labrunner-plain-work-'));
    sandbox = spawn(process.execPath, [BIN, 'sandbox', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const onData = (d: Buffer) => {
        out += d.toString();
        const m = /sandbox ready at http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      };
      sandbox.stdout!.on('data', onData);
      sandbox.stderr!.on('data', onData);
      sandbox.once('exit', (code) => reject(new Error(`sandbox exited ${code}: ${out}`)));
    });
  });

  afterAll(async () => {
    // The task's container engine pulled this run's image; it names this run's registry port.
    spawnSync('bash', ['-c', `podman images --format '{{.Repository}}:{{.Tag}}' | grep -F ':${port}/' | xargs -r podman rmi -f`], { stdio: 'ignore' });
    if (sandbox && sandbox.exitCode === null) {
      const exited = new Promise((r) => sandbox.once('exit', r));
      sandbox.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  /** Runs a bash script with the sandbox's environment; returns its output and exit code. */
  function bash(script: string): { code: number | null; out: string } {
    const env = spawnSync(process.execPath, [BIN, 'sandbox', 'env', '--port', String(port), '--data-dir', dataDir], { encoding: 'utf8' });
    expect(env.status, env.stderr).toBe(0);
    const health = `curl -s http://127.0.0.1:${port}/_sandbox/health | sed -n 's/.*"dockerHost":"\\([^"]*\\)".*/\\1/p'`;
    const full = `set -eo pipefail\n${env.stdout}\nexport DOCKER_HOST="\${DOCKER_HOST:-$(${health})}" DOCKER_BUILDKIT=0 HOME=${work}\ncd ${work}\n${script}`;
    const r = spawnSync('bash', ['-c', full], { encoding: 'utf8', timeout: 240_000 });
    return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
  }

  it('creates myrepo with scan on push, logs docker in, builds, tags, pushes and lists the image', () => {
    writeFileSync(path.join(work, 'index.html'), 'Hello From ECS\n');
    writeFileSync(
      path.join(work, 'Dockerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\nCOPY index.html /www/index.html\nEXPOSE 80\nENTRYPOINT ["/bin/busybox","httpd","-f","-p","80","-h","/www"]\n',
    );
    const r = bash(`
      cp /bin/busybox .
      aws ecr create-repository --repository-name myrepo --image-scanning-configuration scanOnPush=true >/dev/null
      URI=$(aws ecr describe-repositories --repository-names myrepo --query 'repositories[0].repositoryUri' --output text)
      aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin "\${URI%%/*}"
      docker build -q -t plain-seed-image:v1 .
      docker tag plain-seed-image:v1 "$URI:v1"
      docker push "$URI:v1" >/dev/null
      echo "tags: $(aws ecr describe-images --repository-name myrepo --query 'imageDetails[0].imageTags[0]' --output text)"
      docker rmi -f plain-seed-image:v1 "$URI:v1" >/dev/null
    `);
    expect(r.out).toContain('Login Succeeded');
    expect(r.out).toContain('tags: v1');
    expect(r.code, r.out).toBe(0);
  });

  it('puts a lifecycle policy, previews it, and replicates to another region', () => {
    writeFileSync(
      path.join(work, 'policy.json'),
      JSON.stringify({
        rules: [
          { rulePriority: 1, description: 'expire untagged', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: { type: 'expire' } },
        ],
      }),
    );
    const r = bash(`
      aws ecr put-lifecycle-policy --repository-name myrepo --lifecycle-policy-text file://policy.json --query lifecyclePolicyText --output text
      aws ecr start-lifecycle-policy-preview --repository-name myrepo --query status --output text
      aws ecr get-lifecycle-policy-preview --repository-name myrepo --query status --output text
      ACCOUNT=$(aws ecr describe-registry --query registryId --output text)
      aws ecr put-replication-configuration --replication-configuration "rules=[{destinations=[{region=us-west-2,registryId=$ACCOUNT}]}]" >/dev/null
      aws ecr describe-registry --query 'replicationConfiguration.rules[0].destinations[0].region' --output text
      # A tagged rule with no tag list: long enough for the CLI's own checks, so the sandbox must reject it.
      aws ecr put-lifecycle-policy --repository-name myrepo --lifecycle-policy-text '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}' 2>&1 || echo "rejected as expected"
    `);
    expect(r.out).toContain('{"rules":[{"rulePriority":1');
    expect(r.out).toMatch(/COMPLETE/);
    expect(r.out).toContain('us-west-2');
    expect(r.out).toContain('InvalidParameterException');
    expect(r.out).toContain('rejected as expected');
    expect(r.code, r.out).toBe(0);
  });

  it('runs the pushed image as an ECS task whose page says "Hello From ECS", then stops it', () => {
    writeFileSync(
      path.join(work, 'taskdef.json'),
      JSON.stringify({
        family: 'hello-ecs',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'web', image: 'IMAGE', essential: true, portMappings: [{ containerPort: 80, protocol: 'tcp' }] }],
      }),
    );
    const r = bash(`
      URI=$(aws ecr describe-repositories --repository-names myrepo --query 'repositories[0].repositoryUri' --output text)
      sed -i "s|IMAGE|$URI:v1|" taskdef.json
      aws ecs create-cluster --cluster-name hello-cluster --query cluster.status --output text
      aws ecs register-task-definition --cli-input-json file://taskdef.json --query taskDefinition.revision --output text
      TASK=$(aws ecs run-task --cluster hello-cluster --task-definition hello-ecs --launch-type FARGATE \
        --network-configuration 'awsvpcConfiguration={subnets=[subnet-0abc],securityGroups=[sg-0abc],assignPublicIp=ENABLED}' \
        --query 'tasks[0].taskArn' --output text)
      aws ecs wait tasks-running --cluster hello-cluster --tasks "$TASK"
      PORT=$(aws ecs describe-tasks --cluster hello-cluster --tasks "$TASK" --query 'tasks[0].containers[0].networkBindings[0].hostPort' --output text)
      echo "page: $(curl -s --max-time 5 "http://127.0.0.1:$PORT/")"
      aws ecs stop-task --cluster hello-cluster --task "$TASK" --query task.desiredStatus --output text
      aws ecs wait tasks-stopped --cluster hello-cluster --tasks "$TASK"
      aws ecs describe-tasks --cluster hello-cluster --tasks "$TASK" --query 'tasks[0].lastStatus' --output text
    `);
    expect(r.out).toContain('page: Hello From ECS');
    expect(r.out).toMatch(/STOPPED\s*$/m);
    expect(r.code, r.out).toBe(0);
  });
});
