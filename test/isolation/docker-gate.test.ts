import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerGates, MAX_CONTAINERS_PER_LEARNER, RegistryAllowlist } from '../../server/docker-gate/index.ts';
import { canConfine, startIsolatedShells, type IsolatedShells, type TestShell } from './harness.ts';

const BASE = 'localhost/labrunner/busybox-httpd:latest';
const NOT_ALLOWED = 'is not allowed in this classroom';

/** The seed lab's docker flow, and the crossings, through each learner's own gate and engine. */
describe.skipIf(!canConfine)("each learner's docker goes through their own gate", () => {
  let shells: IsolatedShells;
  const learners: Record<'alice' | 'bob', TestShell> = {} as never;
  const imageIds: Record<string, string> = {};

  beforeAll(async () => {
    shells = await startIsolatedShells({ sandbox: true });
    learners.alice = await shells.shell('alice');
    learners.bob = await shells.shell('bob');
  });
  afterAll(async () => {
    await shells?.dispose();
  });

  it('builds, tags, logs in and pushes to their own sandbox registry: both learners, the same image name', async () => {
    await Promise.all(
      (['alice', 'bob'] as const).map(async (name) => {
        const t = learners[name];
        const repo = await t.run('aws ecr create-repository --repository-name myrepo --query repository.repositoryUri --output text', 60_000);
        expect(repo.exitCode).toBe(0);
        const uri = repo.output.split('\n').at(-1)!;
        await t.run(`printf 'FROM ${BASE}\\nCOPY index.html /www/index.html\\n' > Dockerfile && echo "${name} was here" > index.html`);
        const build = await t.run('docker build -q -t myrepo . 2>&1', 120_000);
        expect(build.exitCode, build.output).toBe(0);
        imageIds[name] = (await t.run('docker image inspect --format "{{.Id}}" myrepo')).output.replace(/^sha256:/, '');
        const login = await t.run(`aws ecr get-login-password | docker login --username AWS --password-stdin ${uri.split('/')[0]} 2>&1`, 60_000);
        expect(login.output).toContain('Login Succeeded');
        const push = await t.run(`docker tag myrepo:latest ${uri}:latest && docker push ${uri}:latest 2>&1 | tail -1`, 120_000);
        expect(push.exitCode, push.output).toBe(0);
        const described = await t.run('aws ecr describe-images --repository-name myrepo --query "imageDetails[0].imageTags[0]" --output text', 60_000);
        expect(described.output).toBe('latest');
      }),
    );
    expect(imageIds.alice).toMatch(/^[0-9a-f]{64}$/);
    expect(imageIds.bob).not.toBe(imageIds.alice);
  }, 300_000);

  it("lists only the learner's own images (and the shared bases), never the other's", async () => {
    const a = await learners.alice.run('docker images --no-trunc --format "{{.Repository}}:{{.Tag}} {{.ID}}"');
    expect(a.output).toContain(imageIds.alice!);
    expect(a.output).not.toContain(imageIds.bob!);
    expect(a.output).toContain(BASE);
    // The server's checkers use the same endpoint (DOCKER_HOST of the learner's environment) and see the same.
    const env = await shells.envOf('alice');
    const listed = await getJson(env.DOCKER_HOST!.slice('unix://'.length), '/images/json');
    expect(JSON.stringify(listed)).toContain(imageIds.alice!);
    expect(JSON.stringify(listed)).not.toContain(imageIds.bob!);
  });

  it("cannot remove the other learner's image, nor the shared base", async () => {
    const r = await learners.alice.run(`docker rmi ${imageIds.bob!.slice(0, 12)} 2>&1`);
    expect(r.exitCode).not.toBe(0);
    expect(r.output).toMatch(/No such image|image not known/i);
    expect((await learners.bob.run(`docker image inspect --format ok ${imageIds.bob}`)).output).toBe('ok');
    const base = await learners.alice.run(`docker rmi ${BASE} 2>&1`);
    expect(base.exitCode).not.toBe(0);
    expect((await learners.bob.run(`docker image inspect --format ok ${BASE}`)).output).toBe('ok');
  });

  it('refuses docker run (privileged, host folders, host network) and other engine calls with a clear message', async () => {
    for (const cmd of [`docker run --privileged ${BASE}`, `docker run -v /:/host ${BASE}`, `docker run --network host ${BASE}`, 'docker ps', 'docker volume ls', 'docker network ls']) {
      const r = await learners.bob.run(`${cmd} 2>&1`);
      expect(r.exitCode, cmd).not.toBe(0);
      expect(r.output, cmd).toContain(NOT_ALLOWED);
    }
    const build = await learners.bob.run('docker build --network host -t hostnet . 2>&1');
    expect(build.output).toContain(`docker build --network host ${NOT_ALLOWED}`);
    const pull = await learners.bob.run('docker pull docker.io/library/alpine 2>&1');
    expect(pull.output).toContain(NOT_ALLOWED);
  });

  it("cannot reach the sandbox's own engine, nor any other learner's gate", async () => {
    const sandboxSocket = path.join(shells.dataDir, 'sandbox', 'podman.sock');
    const r = await learners.bob.run(`DOCKER_HOST=unix://${sandboxSocket} docker images 2>&1; ls ${path.join(shells.dataDir, 'docker-gate')} 2>&1`);
    expect(r.output).toMatch(/Cannot connect|no such file/i);
    expect(r.output).not.toMatch(/^alice$/m);
  });
});

/** A lab that declares containers may run them, but never with anything that reaches the host. */
describe.skipIf(!canConfine)('a gate that allows containers', () => {
  let dir: string;
  let gates: DockerGates;
  let dockerHost: string;
  const docker = (args: string[]) =>
    promisify(execFile)('docker', args, { timeout: 30_000, env: { PATH: process.env.PATH, DOCKER_HOST: dockerHost, DOCKER_BUILDKIT: '0', HOME: dir } }).then(
      (r) => ({ ok: true, out: r.stdout + r.stderr }),
      (e: { stdout?: string; stderr?: string }) => ({ ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
    );

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'labrunner-gate-'));
    gates = new DockerGates({ dir: path.join(dir, 'gates'), registries: new RegistryAllowlist(), log: () => undefined });
    const gate = await gates.open({ learnerId: 'runner', uid: 0, gid: 0, user: 'lrtest-runner' }, path.join(dir, 'engine'), { allowContainers: true });
    dockerHost = gate.dockerHost;
  });
  afterAll(async () => {
    await gates?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const sh = (script: string) =>
    promisify(execFile)('sh', ['-c', script], { timeout: 60_000, env: { PATH: process.env.PATH, DOCKER_HOST: dockerHost, DOCKER_BUILDKIT: '0', HOME: dir } }).then(
      (r) => r.stdout.trim(),
    );

  it('streams both ways: stdin until it ends, then all of the output (docker run -i)', async () => {
    expect(await sh(`printf 'one\\ntwo\\n' | docker run -i --rm ${BASE} /bin/busybox wc -l`)).toBe('2');
    expect(await sh(`docker run --rm ${BASE} /bin/busybox seq 1 200000 | tail -1`)).toBe('200000');
  }, 120_000);

  it(`allows ${MAX_CONTAINERS_PER_LEARNER} containers at a time, then says so`, async () => {
    for (let i = 0; i < MAX_CONTAINERS_PER_LEARNER; i++) expect((await docker(['create', '--name', `c${i}`, BASE])).ok).toBe(true);
    const over = await docker(['create', BASE]);
    expect(over.ok).toBe(false);
    expect(over.out).toContain(`more than ${MAX_CONTAINERS_PER_LEARNER} containers at a time ${NOT_ALLOWED}`);
    expect((await docker(['rm', '-f', ...Array.from({ length: MAX_CONTAINERS_PER_LEARNER }, (_, i) => `c${i}`)])).ok).toBe(true);
    expect((await docker(['create', '--name', 'again', BASE])).ok).toBe(true);
    expect((await docker(['rm', 'again'])).ok).toBe(true);
  }, 120_000);

  it('refuses --privileged, -v /:/host, --network host, --pid host, --cap-add, seccomp=unconfined, host ports below 1024 and more than the memory and process caps', async () => {
    for (const args of [
      ['--privileged'],
      ['-v', '/:/host'],
      ['--mount', 'type=bind,source=/etc,target=/h'],
      ['--network', 'host'],
      ['--pid', 'host'],
      ['--cap-add', 'SYS_ADMIN'],
      ['--security-opt', 'seccomp=unconfined'],
      ['-p', '443:80'],
      ['--memory', '2g'],
      ['--pids-limit', '100000'],
    ]) {
      const r = await docker(['run', '--rm', ...args, BASE, '/bin/busybox', 'true']);
      expect(r.ok, args.join(' ')).toBe(false);
      expect(r.out, args.join(' ')).toContain(NOT_ALLOWED);
    }
  }, 120_000);

  // Last: it stops the gate. Containers run under conmon, not the engine's service, so they would outlive it.
  it("removes the learner's containers when their engine stops (a server that stops leaves none running)", async () => {
    expect((await docker(['run', '-d', BASE])).ok).toBe(true);
    const running = () => promisify(execFile)('pgrep', ['-f', `conmon.*${dir}`]).then((r) => r.stdout.trim(), () => '');
    expect(await running()).not.toBe('');
    await gates.dispose();
    expect(await running()).toBe('');
    const mounts = await readFile('/proc/self/mounts', 'utf8');
    expect(mounts).not.toContain(dir);
  }, 120_000);
});

function getJson(socketPath: string, urlPath: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    request({ socketPath, path: urlPath }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(JSON.parse(body)));
    })
      .on('error', reject)
      .end();
  });
}
