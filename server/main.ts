import { randomBytes } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  AwsTargets,
  awsShellVariables,
  LearnerCredentialVault,
  missingTargetError,
  PerLearnerAwsTarget,
  RealAwsTarget,
  writeAwsWrapper,
  type AwsEnvironment,
  type IAwsTarget,
} from './aws/index.ts';
import { DisposableStore, setDisposeErrorHandler, toDisposable } from './core/lifecycle.ts';
import { builtInCheckers, nodeDeadlines } from '../checkers/index.ts';
import type { AwsClients } from './aws/clients.ts';
import { CheckerRegistry } from './core/grading/checker-registry.ts';
import { AutoChecker, GradingService } from './grading/index.ts';
import { createLabRenderer, createLintRegistry, FileLabCatalog, type LearnerContext } from './labs/index.ts';
import { SqliteClassroomStore, SqliteProgressStore } from './store/index.ts';
import { ClassroomService, ShadowGrants } from './classroom/index.ts';
import { loadOrCreateSecret } from './workspace/secret.ts';
import { PtyHost } from './pty/index.ts';
import { Confinement } from './confinement/index.ts';
import { AccessPolicy } from './transport/access-policy.ts';
import { createHttpApp } from './transport/http-app.ts';
import { attachRealtime } from './transport/realtime.ts';
import { bashSpec, prepareWorkspace, shellEnvironment, workspacePath } from './workspace/index.ts';

/** Everything `labrunner serve` needs to know. */
export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  labsDir: string;
  clientDir: string;
  /** Required when `host` is not loopback; optional on loopback (then every request needs it too). */
  token?: string;
  idleTimeoutMs: number;
  /** `labrunner dev`: show authors checker evidence and lint problems, and re-render pages when lab files change. */
  authorMode?: boolean;
  /**
   * Learner isolation (docs/security.md): 'on' confines every learner's shell, checks and docker; 'students'
   * only classroom students'; 'off' none (a learner's shell runs as the server's user).
   */
  isolation?: 'on' | 'students' | 'off';
  /**
   * Where learners' AWS commands go: the embedded sandbox and/or real AWS (at most one of each). Each lab uses
   * the target its `environment` names; a lab on real AWS without that target cannot open its shell or run its
   * checks, and a sandbox lab without the sandbox gets shells with no AWS settings.
   */
  aws?: IAwsTarget | readonly IAwsTarget[];
  /** Classrooms: how often stuck flags and revocations from other processes are looked at, and join rate limits (tests lower them). */
  classroom?: { sweepMs?: number; limits?: { failures: number; windowMs: number } };
  log?: (msg: string, err?: unknown) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  ptyHost: PtyHost;
  /** Closes sockets, ends every shell and stops listening. */
  dispose(): Promise<void>;
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** A fresh access token: 32 random bytes, URL-safe. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The composition root: builds every adapter, wires them by hand and owns them all. */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const log = config.log ?? ((msg, err) => console.error(`labrunner: ${msg}`, err ?? ''));
  setDisposeErrorHandler((err) => log('cleanup failed', err));
  if (!isLoopback(config.host) && !config.token) {
    throw new Error(`refusing to listen on ${config.host} without an access token (--token or LABRUNNER_TOKEN)`);
  }
  const root = new DisposableStore();
  const dataDir = path.resolve(config.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });

  const checkers = new CheckerRegistry<AwsClients>(nodeDeadlines);
  checkers.registerAll(builtInCheckers);
  const labs = new FileLabCatalog(config.labsDir, {
    checkers: createLintRegistry(builtInCheckers),
    // Per-learner lab variables are derived from this, so one learner cannot compute another's.
    variableSecret: await loadOrCreateSecret(path.join(dataDir, 'variables-secret')),
  });
  const store = root.add(SqliteProgressStore.open(dataDir));
  const classrooms = root.add(new ClassroomService({ store: root.add(SqliteClassroomStore.open(dataDir)), progress: store, labs, now: Date.now, log }));
  const confinement = config.isolation && config.isolation !== 'off' ? await Confinement.start({ dataDir, log }) : undefined;
  /** Whose shell, checks and docker are confined: everyone's ('on') or classroom students' ('students'). */
  const confined = (learnerId: string) => !!confinement && (config.isolation === 'on' || classrooms.student(learnerId) !== undefined);
  const wrapperDir = await writeAwsWrapper(path.join(dataDir, 'bin'));
  const basePath = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
  const workspaceOf = (key: { learnerId: string; labId: string }) => workspacePath(dataDir, key.learnerId, key.labId);
  const configured = AwsTargets.of(config.aws);
  const serverAws = configured.get('aws');
  // Classroom students on real-AWS labs work in their own account (credentials they enter, in memory only);
  // everyone else uses the server's profile, if it has one. Same endpoint as the server's target (tests: the sandbox).
  const vault = new LearnerCredentialVault(serverAws instanceof RealAwsTarget && serverAws.endpoint ? { endpoint: serverAws.endpoint } : {});
  const isStudent = (learnerId: string) => classrooms.student(learnerId) !== undefined;
  const realAws = new PerLearnerAwsTarget(vault, isStudent, serverAws, () => missingTargetError('aws'));
  const targets = new AwsTargets([...(configured.get('sandbox') ? [configured.get('sandbox')!] : []), realAws]);
  /** Whether this learner can reach real AWS now (their own credentials, or the server's profile). */
  const canUseRealAws = (learnerId: string) => (isStudent(learnerId) ? vault.has(learnerId) : serverAws !== undefined);
  /** Where a lab's AWS work goes (its front matter's `environment`; a lab that cannot be read: the sandbox). */
  const environmentOf = async (labId: string): Promise<AwsEnvironment> => {
    const lab = await labs.get(labId);
    return lab?.definition?.environment ?? lab?.environment ?? 'sandbox';
  };
  /** The environment a learner's shell in a lab has, and `shell` checks run with (throws AwsTargetMissing). */
  const envOf = async (learnerId: string, labId: string, home: string) => {
    const target = targets.forLab(await environmentOf(labId));
    const aws = target ? awsShellVariables(await target.access(learnerId), wrapperDir, basePath) : {};
    const env = shellEnvironment(home, aws);
    // A confined learner's docker runs containers only in labs that declare them (a broken lab does not).
    return confined(learnerId) ? confinement!.environment(learnerId, env, { containers: (await labs.get(labId))?.definition?.containers ?? false }) : env;
  };
  const learnerContext = async (learnerId: string, labId: string): Promise<LearnerContext> => {
    const access = await targets.get(await environmentOf(labId))?.access(learnerId).catch(() => undefined);
    return { learnerId, ...(access ? { accountId: access.accountId, region: access.region, ...(access.registry ? { registry: access.registry } : {}) } : {}) };
  };
  const render = createLabRenderer();
  const grading = root.add(
    new GradingService({
      labs,
      store,
      checkers,
      aws: targets,
      workspaceOf: (learnerId, labId) => workspaceOf({ learnerId, labId }),
      shellEnvOf: (learnerId, labId) => envOf(learnerId, labId, workspaceOf({ learnerId, labId })),
      runAsLearnerOf: (learnerId) =>
        confined(learnerId)
          ? async (command) => {
              const spec = await confinement!.wrapCommand(learnerId, { ...command, args: [...command.args], env: { ...command.env }, cols: 80, rows: 24 });
              return { file: spec.file, args: spec.args, cwd: spec.cwd, env: spec.env };
            }
          : undefined,
      renderMarkdown: render,
      now: Date.now,
      authorMode: config.authorMode ?? false,
    }),
  );
  const autoChecker = root.add(
    new AutoChecker({
      // A lab whose AWS target is missing is not watched (its checks would only be refused, again and again).
      currentStep: async (learnerId, labId) =>
        (await environmentOf(labId)) === 'aws' && !canUseRealAws(learnerId) ? undefined : grading.currentStep(learnerId, labId),
      check: (learnerId, labId, stepId) => grading.checkStep(learnerId, labId, stepId, 'auto'),
      isBusy: (learnerId) => grading.isBusy(learnerId),
      log,
    }),
  );
  const ptyHost = root.add(
    new PtyHost({
      idleTimeoutMs: config.idleTimeoutMs,
      async shellFor(key, size) {
        const home = workspaceOf(key);
        // Before the workspace: a lab whose AWS target is missing refuses its shell with the reason.
        const env = await envOf(key.learnerId, key.labId, home);
        const lab = await labs.get(key.labId);
        // Confined: the learner's own disk is mounted on their workspace before anything is put in it.
        if (confined(key.learnerId)) await confinement!.prepare(key.learnerId);
        await prepareWorkspace(home, lab?.dir);
        // Classroom students' shells report each command for the instructor's timeline (their page says so).
        const spec = bashSpec(home, size, env, { recordCommands: classrooms.student(key.learnerId) !== undefined });
        return confined(key.learnerId) ? confinement!.wrap(key.learnerId, spec, { containers: lab?.definition?.containers ?? false }) : spec;
      },
    }),
  );
  root.add(
    ptyHost.onCommand((c) => {
      try {
        classrooms.recordCommand({ learnerId: c.key.learnerId, labId: c.key.labId, at: c.at, command: c.command, exitCode: c.exitCode });
      } catch (err) {
        log('command not recorded', err);
      }
    }),
  );

  const http: HttpServer = createServer();
  let port = config.port;
  const policy = new AccessPolicy(config.token ? 'token' : 'local', config.token, () => port, (token) => classrooms.authenticate(token));
  const app = createHttpApp({
    policy,
    labs,
    learnerContext,
    labsDir: config.labsDir,
    clientDir: config.clientDir,
    classrooms,
    authorMode: config.authorMode ?? false,
    ...(config.classroom?.limits ? { limits: config.classroom.limits } : {}),
    log,
  });
  http.on('request', app);
  root.add(
    attachRealtime({
      http,
      policy,
      ptyHost,
      labs,
      workspaceOf,
      grading,
      autoChecker,
      authorMode: config.authorMode ?? false,
      labsDir: config.labsDir,
      classrooms,
      grants: new ShadowGrants(),
      onAwsCredentials: (student, request) => vault.submit(student.learnerId, request),
      ...(config.classroom?.sweepMs ? { sweepMs: config.classroom.sweepMs } : {}),
      log,
    }),
  );
  root.add(toDisposable(() => http.closeAllConnections()));
  await listen(http, config.port, config.host);
  port = (http.address() as { port: number }).port;

  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    ptyHost,
    async dispose() {
      await ptyHost.shutdown();
      root.dispose();
      // After the shells: unmounts learners' disks, stops their docker gates and engines.
      await confinement?.dispose();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function listen(http: HttpServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
}
