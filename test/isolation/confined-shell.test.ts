import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canConfine, startIsolatedShells, type IsolatedShells, type TestShell } from './harness.ts';

if (!canConfine) console.warn('skipping isolation tests: they need root, bubblewrap, podman, docker and the AWS CLI (scripts/setup-system)');

describe.skipIf(!canConfine)('two confined learners on one server', () => {
  let shells: IsolatedShells;
  let alice: TestShell;
  let bob: TestShell;

  beforeAll(async () => {
    shells = await startIsolatedShells({ limits: { processes: 64, memoryBytes: 256 * 1024 * 1024, diskBytes: 128 * 1024 * 1024 } });
    alice = await shells.shell('alice');
    bob = await shells.shell('bob');
  });
  afterAll(async () => {
    await shells?.dispose();
  });

  it('runs each learner as their own unprivileged user, at home in their workspace', async () => {
    const a = await alice.run('id -u; id -un; pwd; cat hello.txt >/dev/null && echo lab-files-readable; touch mine && echo can-write');
    const b = await bob.run('id -u');
    expect(a.output).toMatch(/^7\d{4}\r?\nlr7\d{4}\n.*workspaces\/alice\/welcome\nlab-files-readable\ncan-write$/);
    expect(Number(b.output)).not.toBe(Number(a.output.split('\n')[0]));
    expect(Number(b.output)).toBeGreaterThanOrEqual(70_000);
  });

  it("refuses to read the other learner's workspace, and does not even show it", async () => {
    const bobsFile = path.join(shells.dataDir, 'workspaces', 'bob', 'welcome', 'secret.txt');
    await bob.run('echo bobs-secret > secret.txt');
    expect(readFileSync(bobsFile, 'utf8')).toBe('bobs-secret\n');
    const r = await alice.run(`cat ${bobsFile}; ls ${path.join(shells.dataDir, 'workspaces')}`);
    expect(r.output).toMatch(/secret\.txt: (No such file or directory|Permission denied)/);
    expect(r.output).not.toContain('bobs-secret');
    expect(r.output).not.toMatch(/^bob$/m);
  });

  it("does not show the other learner's processes (nor the server's)", async () => {
    bob.type('sleep 4242 &\r');
    await bob.run('true');
    const r = await alice.run('ps ax -o user=,args=');
    expect(r.output).not.toContain('sleep 4242');
    expect(r.output).not.toContain('node');
    expect(r.output).toMatch(/bash -i/);
    const mine = await bob.run('ps ax -o args= | grep -c "[s]leep 4242"');
    expect(mine.output).toBe('1');
  });

  it("cannot read or write the server's data dir (database, secrets, sandbox state)", async () => {
    const r = await alice.run(
      `ls ${shells.dataDir}; cat ${path.join(shells.dataDir, 'isolation', 'identities.json')}; touch ${path.join(shells.dataDir, 'planted')}; ls /root`,
    );
    expect(r.output).toMatch(/identities\.json: (No such file or directory|Permission denied)/);
    expect(r.output).toMatch(/cannot touch '[^']*planted': (No such file or directory|Permission denied)/);
    expect(r.output).toMatch(/\/root.*No such file or directory/);
    expect(r.output).not.toContain('learnerId');
  });

  it('gives each learner a private /tmp and keeps other learners out of /etc/passwd', async () => {
    await alice.run('echo alice-tmp > /tmp/note');
    const r = await bob.run('cat /tmp/note; grep -c "^lr" /etc/passwd; su -c id root </dev/null');
    expect(r.output).not.toContain('alice-tmp');
    expect(r.output).toMatch(/No such file or directory\n1\n/);
  });

  it('keeps job control (Ctrl-Z, fg) in the confined shell', async () => {
    alice.type('sleep 30\r');
    await new Promise((r) => setTimeout(r, 300));
    alice.type('\x1a');
    await alice.waitFor(/Stopped\s+sleep 30/);
    const r = await alice.run('jobs; kill %1');
    expect(r.output).toMatch(/\[1\]\+\s+Stopped\s+sleep 30/);
  });
});
