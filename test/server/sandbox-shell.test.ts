import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedSandbox } from '../../server/aws/index.ts';
import { BIN } from '../../cli/paths.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const hasTools = ['/usr/bin/aws', '/usr/bin/podman', '/bin/busybox'].every((p) => existsSync(p));
if (!hasTools) console.warn('skipping sandbox shell tests: the AWS CLI, podman or busybox is missing (run scripts/setup-system)');

/** The seed lab's commands, typed into a learner's terminal, against the embedded sandbox. */
describe.skipIf(!hasTools)('a learner shell on the embedded sandbox', () => {
  let sandboxDir: string;
  let sandbox: EmbeddedSandbox;
  let server: TestServer;
  const clients: TerminalClient[] = [];

  beforeAll(async () => {
    sandboxDir = mkdtempSync(path.join(os.tmpdir(), 'labrunner-sbx-'));
    sandbox = await EmbeddedSandbox.start({ bin: BIN, dataDir: sandboxDir, port: 0, log: () => undefined });
    server = await startTestServer({ aws: sandbox });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server?.dispose();
    await sandbox?.dispose();
    rmSync(sandboxDir, { recursive: true, force: true });
  });

  async function shell(learner: string): Promise<TerminalClient> {
    const t = await TerminalClient.connect(server.url, { learner, cols: 200 });
    clients.push(t);
    await t.waitForMessage('attached');
    return t;
  }

  it('creates myrepo, logs docker in, builds, tags and pushes, and sees the image listed', async () => {
    const t = await shell('seed-learner');
    t.type('aws ecr create-repository --repository-name myrepo --image-scanning-configuration scanOnPush=true --query repository.repositoryUri --output text\r');
    await t.waitFor(/\d{12}\.dkr\.ecr\.us-east-1\.[^\s/]+\/myrepo/, 30_000);
    t.type('URI=$(aws ecr describe-repositories --repository-names myrepo --query "repositories[0].repositoryUri" --output text); REGISTRY=${URI%%/*}; echo "registry=$REGISTRY"\r');
    await t.waitFor(/registry=\d{12}\.dkr/);
    t.type('aws ecr get-login-password | docker login --username AWS --password-stdin "$REGISTRY"\r');
    await t.waitFor('Login Succeeded', 60_000);

    t.type(
      'mkdir -p web && cp /bin/busybox . && echo "Hello From ECS" > web/index.html && ' +
        `printf 'FROM scratch\\nCOPY busybox /bin/busybox\\nCOPY web /www\\nEXPOSE 80\\nENTRYPOINT ["/bin/busybox","httpd","-f","-p","80","-h","/www"]\\n' > Dockerfile && echo files-ready\r`,
    );
    await t.waitFor('files-ready');
    t.type('docker build -q -t myrepo-seed-test . && docker tag myrepo-seed-test:latest "$URI:latest" && docker push "$URI:latest" && echo push-finished\r');
    await t.waitFor('push-finished', 120_000);
    t.type('aws ecr describe-images --repository-name myrepo --query "imageDetails[0].imageTags" --output text; echo described\r');
    await t.waitFor(/latest\s*\r\ndescribed/, 30_000);
    t.type('docker rmi -f myrepo-seed-test "$URI:latest" >/dev/null 2>&1; echo cleaned\r');
    await t.waitFor('cleaned', 30_000);
  }, 300_000);

  it("gives each learner their own account: one learner's repository is not another's", async () => {
    const other = await shell('other-learner');
    other.type('aws ecr describe-repositories --repository-names myrepo 2>&1; echo "exit=$?"\r');
    await other.waitFor(/RepositoryNotFoundException[\s\S]*exit=254/, 30_000);
    other.type('aws ecr create-repository --repository-name myrepo --query repository.repositoryUri --output text\r');
    await other.waitFor(/myrepo\r\n/, 30_000);
  });
});
