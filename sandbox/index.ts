/**
 * The sandbox: a local ECR (+ OCI registry, later ECS) on one port, speaking AWS's wire protocols.
 * @example
 * const sandbox = await startSandbox({ port: 0, dataDir: '/tmp/sbx' });
 * const creds = sandbox.accounts.provision('alice');
 * new ECRClient({ endpoint: sandbox.endpoint, region: 'us-east-1', credentials: creds });
 * await sandbox.dispose();
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { IBlobStore, IImageScanner, IImageService, IRegistryAuth, RegistryHttpHandler, Scope } from './contracts.ts';
import { AccountService, DEFAULT_LEARNER_ID, RegistryTokenService, SandboxClock } from './accounts/index.ts';
import { formatRegistryHost, type RegistryHostNaming } from './core/registry-host.ts';
import { createEcrService, ImageService, type EcrDeps } from './ecr/index.ts';
import { applyLifecyclePolicies, lifecycleOperations } from './ecr/lifecycle.ts';
import { createAdminHandler, createAwsJsonHandler, createSandboxServer } from './http/index.ts';
import { detectRegistryHostNaming } from './http/registry-naming.ts';
import { readTlsFiles, serveTlsOnSamePort, type TlsFiles } from './http/listen-dual.ts';
import { MetadataStore } from './storage/metadata-store.ts';
import { ScanCoordinator, scanningOperations } from './ecr/scanning.ts';
import { Replicator, replicationOperations } from './ecr/replication.ts';
import { createStsHandler } from './sts/index.ts';
import { createEcsService, createTaskLogsHandler, isTaskLogsRequest, ownRegistryPullAuth, startEcsRuntime, type EcsRuntime } from './ecs/index.ts';
import type { IContainerEngine } from './engine/index.ts';

export { DEFAULT_LEARNER_ID } from './accounts/index.ts';
export type { ProvisionedAccount } from './accounts/index.ts';
export { parseRegistryHost, formatRegistryHost, type RegistryHostNaming } from './core/registry-host.ts';

/** What the registry needs from the sandbox (for `createRegistryHandler`). */
export interface RegistryParts {
  readonly imageService: IImageService;
  readonly registryAuth: IRegistryAuth;
}

/** Options of {@link startSandbox}. */
export interface SandboxOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Listen address; default 127.0.0.1. */
  readonly host?: string;
  /** Where sandbox.db, admin-token (and the blob store's files) live; created if missing. */
  readonly dataDir: string;
  /** Serves `/v2/...`; without it (or createRegistryHandler) those answer 404. */
  readonly registryHandler?: RegistryHttpHandler;
  /** Builds the registry handler from the sandbox's own image service and auth (wins over registryHandler). */
  readonly createRegistryHandler?: (parts: RegistryParts) => RegistryHttpHandler;
  /** Layer/config blobs: PutImage checks layers exist, replication copies blobs across accounts. */
  readonly blobs?: IBlobStore;
  /** Vulnerability scanner; without it scans end FAILED ("scanner not configured"). */
  readonly scanner?: IImageScanner;
  /** Host clock (epoch ms), for tests; sandbox time adds the admin clock offset to it. */
  readonly now?: () => number;
  /**
   * Forces the registry host naming. Default: ECR-shaped when `*.localhost` resolves to loopback AND `tls`
   * is given (`docker login` via podman's compat API needs TLS for any host but `localhost:`), else fallback.
   */
  readonly registryHostNaming?: RegistryHostNaming;
  /** Certificate + key: the port then also speaks TLS (sniffed per connection), and proxyEndpoints are https. */
  readonly tls?: TlsFiles;
  /** The Docker Engine API the sandbox uses (`unix://…`), reported by health so shells can set DOCKER_HOST. */
  readonly dockerHost?: string;
  /** Runs ECS tasks as containers; without it RunTask/CreateService fail saying the engine is missing. */
  readonly containerEngine?: IContainerEngine;
  /** Largest desiredCount of a service (default 20: every task is a real container on this machine). */
  readonly ecsMaxServiceTasks?: number;
  /** How often ECS inspects task containers (default 1000 ms). */
  readonly ecsIntervalMs?: number;
  /**
   * How often lifecycle policies are applied, in ms; 0 (the default for embedding) applies them only on
   * `POST /_sandbox/lifecycle/apply` and clock advances. AWS applies a policy "within 24 hours"; a lab
   * can't wait that long, so `labrunner sandbox` applies them every minute (`--lifecycle-interval`).
   */
  readonly lifecycleIntervalMs?: number;
}

/** A running sandbox. */
export interface SandboxHandle {
  readonly port: number;
  /** `http://127.0.0.1:PORT` (the API endpoint for SDKs and `--endpoint-url`). */
  readonly endpoint: string;
  /** Bearer token of the admin API (also in `<dataDir>/admin-token`, mode 0600). */
  readonly adminToken: string;
  readonly imageService: IImageService;
  readonly registryAuth: IRegistryAuth;
  readonly registryHostNaming: RegistryHostNaming;
  /** True when the port also serves TLS (registry clients then use `https://<registry host>`). */
  readonly registryTls: boolean;
  /** Registry host (no scheme) for a scope, e.g. `123456789012.dkr.ecr.us-east-1.localhost:4580`. */
  registryHost(scope: Scope): string;
  /** Accounts: `provision(learnerId)` is what `POST /_sandbox/accounts` does. */
  readonly accounts: AccountService;
  /** Applies lifecycle policies now (what `POST /_sandbox/lifecycle/apply` does). */
  applyLifecyclePolicies(): Promise<unknown[]>;
  /** Resolves when no background work (scans, replication) is running. */
  idle(): Promise<void>;
  /** ECS task runtime (logs, idle); undefined when the sandbox has no container engine. */
  readonly ecs: Pick<EcsRuntime, 'logs' | 'idle' | 'instanceId'> | undefined;
  dispose(): Promise<void>;
}

/** Starts the sandbox and resolves once it listens. */
export async function startSandbox(opts: SandboxOptions): Promise<SandboxHandle> {
  mkdirSync(opts.dataDir, { recursive: true });
  const adminToken = loadOrCreateAdminToken(opts.dataDir);
  const tls = opts.tls && readTlsFiles(opts.tls);
  const naming = opts.registryHostNaming ?? (tls ? await detectRegistryHostNaming() : 'fallback');
  const registryScheme = tls && naming === 'ecr' ? 'https' : 'http';
  const store = MetadataStore.open(opts.dataDir);
  let ecsRuntime: EcsRuntime | undefined;
  try {
    const clock = new SandboxClock(store, opts.now ?? Date.now);
    const now = () => clock.now();
    const accounts = new AccountService(store, now);
    accounts.provision(DEFAULT_LEARNER_ID);
    const tokens = new RegistryTokenService(store, now);
    const images = new ImageService(store, now);
    let port = opts.port;
    const registryHost = (scope: Scope) => formatRegistryHost(scope, port, naming);
    const deps: EcrDeps = { store, images, now, registryHost, registryScheme, tokens, blobs: opts.blobs };
    const scans = new ScanCoordinator(deps, opts.scanner);
    const replicator = new Replicator(deps);
    const subscriptions = [images.onImagePushed((e) => scans.onImagePushed(e)), images.onImagePushed((e) => replicator.onImagePushed(e))];
    scans.resumeInterrupted();
    if (opts.containerEngine) {
      ecsRuntime = await startEcsRuntime({
        store,
        engine: opts.containerEngine,
        now,
        pullAuth: (scope, image) => ownRegistryPullAuth(image, scope, port, (s) => tokens.issue(s).password),
        ...(opts.ecsIntervalMs !== undefined ? { intervalMs: opts.ecsIntervalMs } : {}),
      });
    }
    const ecs = createEcsService({ store, now, launcher: ecsRuntime, maxServiceTasks: opts.ecsMaxServiceTasks ?? 20 });

    const ecr = createEcrService(deps, [lifecycleOperations(deps), scanningOperations(deps, scans), replicationOperations(deps)]);
    const apply = async () => applyLifecyclePolicies(deps);
    const registry =
      opts.createRegistryHandler?.({ imageService: images, registryAuth: tokens }) ?? opts.registryHandler;
    const taskLogs = createTaskLogsHandler({ adminToken, runtime: ecsRuntime });
    const server = createSandboxServer({
      api: createAwsJsonHandler([ecr, ecs], { find: (akid) => accounts.findByAccessKey(akid) }, opts.now ?? Date.now),
      query: createStsHandler({ find: (akid) => accounts.findByAccessKey(akid) }, opts.now ?? Date.now),
      admin: adminWithTaskLogs(taskLogs, createAdminHandler({
        adminToken,
        accounts,
        clock,
        applyLifecyclePolicies: apply,
        health: () => ({ registryHostNaming: naming, registryTls: !!tls, clockOffsetMs: clock.offsetMs, dockerHost: opts.dockerHost ?? null }),
      })),
      registry,
    });
    if (tls) serveTlsOnSamePort(server, tls);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    port = (server.address() as AddressInfo).port;

    let applying: Promise<unknown> = Promise.resolve();
    const lifecycleTimer =
      opts.lifecycleIntervalMs && opts.lifecycleIntervalMs > 0
        ? setInterval(() => {
            applying = apply().catch((err: unknown) => console.error('sandbox: applying lifecycle policies failed', err));
          }, opts.lifecycleIntervalMs)
        : undefined;
    lifecycleTimer?.unref();

    let disposed: Promise<void> | undefined;
    return {
      port,
      endpoint: `http://127.0.0.1:${port}`,
      adminToken,
      imageService: images,
      registryAuth: tokens,
      registryHostNaming: naming,
      registryTls: !!tls,
      registryHost,
      accounts,
      applyLifecyclePolicies: apply,
      ecs: ecsRuntime,
      idle: async () => {
        await Promise.all([scans.idle(), replicator.idle()]);
      },
      dispose() {
        disposed ??= (async () => {
          if (lifecycleTimer) clearInterval(lifecycleTimer);
          await applying;
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          });
          await Promise.all([scans.idle(), replicator.idle()]);
          // Stopping the sandbox stops its tasks' containers (they become STOPPED).
          await ecsRuntime?.dispose();
          subscriptions.forEach((s) => s.dispose());
          images.dispose();
          store.dispose();
        })();
        return disposed;
      },
    };
  } catch (err) {
    await ecsRuntime?.dispose();
    store.dispose();
    throw err;
  }
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The admin API plus `GET /_sandbox/tasks/<task>/logs` (served by ECS). */
function adminWithTaskLogs(taskLogs: Handler, admin: Handler): Handler {
  return (req, res) => (isTaskLogsRequest(req) ? taskLogs(req, res) : admin(req, res));
}

/** Reads `<dataDir>/admin-token`, creating it (mode 0600) on first start. */
function loadOrCreateAdminToken(dataDir: string): string {
  const path = join(dataDir, 'admin-token');
  if (existsSync(path)) {
    const token = readFileSync(path, 'utf8').trim();
    if (token) return token;
  }
  const token = randomBytes(32).toString('hex');
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return token;
}
