import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerImage, splitReference } from '../../checkers/docker-image/index.ts';
import { runChecker } from '../../checkers/lib/run-for-test.ts';
import { ensureDockerApiSocket, type DockerApiSocket } from '../../sandbox/engine/index.ts';

/** Builds a one-file image from scratch through the Engine API, as `docker build -t <tag>` would. */
async function build(docker: Docker, tag: string): Promise<void> {
  const context = pack();
  context.entry({ name: 'Dockerfile' }, 'FROM scratch\nCOPY hello.txt /hello.txt\n');
  context.entry({ name: 'hello.txt' }, `hello ${tag}\n`);
  context.finalize();
  const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, { t: tag });
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
}

describe('docker.image: the learner built the image the lab names', () => {
  let tmp: string;
  let engine: DockerApiSocket;
  let docker: Docker;
  const name = `lr-checkimg-${Math.random().toString(36).slice(2, 8)}`;
  const env = () => ({ DOCKER_HOST: engine.dockerHost, PATH: '/usr/bin:/bin' });

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'labrunner-docker-image-'));
    const found = await ensureDockerApiSocket({ dataDir: tmp });
    if (!found) throw new Error('no container engine: scripts/setup-system installs podman');
    engine = found;
    docker = new Docker({ socketPath: engine.socketPath });
    await build(docker, `${name}:v1`);
  }, 120_000);
  afterAll(async () => {
    for (const tag of [`${name}:v1`]) await docker?.getImage(tag).remove({ force: true }).catch(() => undefined);
    await engine?.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('passes for an image the learner built, by the name they typed', async () => {
    const result = await runChecker(dockerImage, { image: `${name}:v1` }, { env: env() });
    expect(result).toMatchObject({ status: 'pass', message: `Image ${name}:v1 is built.` });
    expect(result.evidence?.id).toMatch(/^sha256:|^[0-9a-f]{12,}/);
  });

  it('names the tag they did build when the wanted tag is missing', async () => {
    const result = await runChecker(dockerImage, { image: name }, { env: env() });
    expect(result.status).toBe('fail');
    expect(result.message).toBe(`There is no image ${name}:latest, but there is ${name}:v1.`);
    expect(result.status === 'fail' && result.hint).toContain(`docker tag ${name}:v1 ${name}:latest`);
  });

  it('names a near-miss image name', async () => {
    const typo = name.replace('checkimg', 'chekimg');
    const result = await runChecker(dockerImage, { image: `${typo}:v1` }, { env: env() });
    expect(result.status).toBe('fail');
    expect(result.message).toContain(`you built ${name}:v1`);
  });

  it('says how to build when nothing like it exists', async () => {
    const result = await runChecker(dockerImage, { image: 'zz-nothing-like-it-at-all' }, { env: env() });
    expect(result).toMatchObject({ status: 'fail', message: 'There is no image zz-nothing-like-it-at-all:latest yet.' });
  });

  it('is an error, not the learner’s mistake, when there is no engine', async () => {
    expect(await runChecker(dockerImage, { image: 'myrepo' }, { env: { PATH: '/usr/bin' } })).toMatchObject({ status: 'error' });
    expect(await runChecker(dockerImage, { image: 'myrepo' }, { env: { DOCKER_HOST: `unix://${tmp}/nothing.sock` } })).toMatchObject({ status: 'error' });
  });

  it('splits references the way docker does', () => {
    expect(splitReference('myrepo')).toEqual({ name: 'myrepo', tag: 'latest' });
    expect(splitReference('localhost:5000/app:v2')).toEqual({ name: 'localhost:5000/app', tag: 'v2' });
    expect(splitReference('localhost:5000/app')).toEqual({ name: 'localhost:5000/app', tag: 'latest' });
  });
});
