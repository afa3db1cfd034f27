import type { Command } from 'commander';
import path from 'node:path';
import { EmbeddedSandbox, RealAwsTarget, type IAwsTarget } from '../../server/aws/index.ts';
import { generateToken, isLoopback, startServer } from '../../server/main.ts';
import { Confinement } from '../../server/confinement/index.ts';
import { ensureClientBuilt } from '../client-bundle.ts';
import { BIN, CLIENT_DIST, LABS_DIR } from '../paths.ts';
import { preflight } from '../preflight.ts';

interface ServeOptions {
  host: string;
  port: string;
  dataDir: string;
  token?: string;
  idleTimeout: string;
  setup: boolean;
  sandbox: boolean;
  sandboxPort: string;
  labsDir: string;
  awsProfile?: string;
  awsRegion?: string;
  awsEndpointUrl?: string;
  /** `labrunner dev`: evidence and lint problems on the page, live reload of lab files. */
  authorMode?: boolean;
  isolation: string;
}

/** `labrunner serve`: the lab runner on http://127.0.0.1:3000 (what `npm start` runs). */
export function registerServeCommand(program: Command): void {
  program
    .command('serve', { isDefault: true })
    .description('serve the labs in the browser, each beside a live shell')
    .option('--host <address>', 'address to listen on (env LABRUNNER_HOST)', process.env.LABRUNNER_HOST ?? '127.0.0.1')
    .option('--port <number>', 'port to listen on (env LABRUNNER_PORT)', process.env.LABRUNNER_PORT ?? '3000')
    .option('--data-dir <path>', 'where workspaces, the database and sandbox state live (env LABRUNNER_DATA_DIR)', process.env.LABRUNNER_DATA_DIR ?? './data')
    .option('--labs-dir <path>', 'folder of labs to serve (env LABRUNNER_LABS_DIR)', process.env.LABRUNNER_LABS_DIR ?? LABS_DIR)
    .option('--token <token>', 'access token; required beyond loopback, generated when absent (env LABRUNNER_TOKEN)', process.env.LABRUNNER_TOKEN)
    .option('--idle-timeout <minutes>', 'end a shell nobody has been attached to for this long', process.env.LABRUNNER_IDLE_TIMEOUT ?? '30')
    .option('--no-setup', 'do not install missing system tools')
    .option('--sandbox-port <number>', 'port of the embedded AWS sandbox (env LABRUNNER_SANDBOX_PORT)', process.env.LABRUNNER_SANDBOX_PORT ?? '4580')
    .option('--no-sandbox', 'do not start the embedded AWS sandbox (shells get no AWS settings)')
    .option('--aws-profile <name>', 'credential profile for labs with `environment: aws` (real AWS, one account every learner shares) (env LABRUNNER_AWS_PROFILE)', process.env.LABRUNNER_AWS_PROFILE)
    .option('--aws-region <region>', "region of those labs; default: the profile's, else us-east-1 (env LABRUNNER_AWS_REGION)", process.env.LABRUNNER_AWS_REGION)
    .option('--aws-endpoint-url <url>', 'send the real-AWS labs\' API calls here instead of AWS (for testing, e.g. the sandbox) (env LABRUNNER_AWS_ENDPOINT_URL)', process.env.LABRUNNER_AWS_ENDPOINT_URL)
    .option('--isolation <mode>', 'confine learners\' shells, checks and docker (docs/security.md): auto = classroom students on loopback, everyone beyond it; on; off (env LABRUNNER_ISOLATION)', process.env.LABRUNNER_ISOLATION ?? 'auto')
    .option('--author-mode', 'show checker evidence and lint problems, and re-render pages when lab files change (what labrunner dev uses)')
    .action((opts: ServeOptions) => runServe(opts));
}

/** What `serve` does, for `dev` to reuse; `onReady` gets the server's URL. */
export async function runServe(opts: ServeOptions, onReady?: (url: string) => void): Promise<void> {
  const log = (msg: string) => console.log(`labrunner: ${msg}`);
  const port = Number(opts.port);
  const idleMinutes = Number(opts.idleTimeout);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, not '${opts.port}'`);
  if (!(idleMinutes > 0)) fail(`--idle-timeout must be a positive number of minutes, not '${opts.idleTimeout}'`);
  const sandboxPort = Number(opts.sandboxPort);
  if (!Number.isInteger(sandboxPort) || sandboxPort < 0 || sandboxPort > 65535) fail(`--sandbox-port must be a port number, not '${opts.sandboxPort}'`);
  const dataDir = path.resolve(opts.dataDir);

  preflight(log, { install: opts.setup });
  await ensureClientBuilt(log);

  let token = opts.token;
  let generated = false;
  if (!token && !isLoopback(opts.host)) {
    token = generateToken();
    generated = true;
  }
  const sandbox = opts.sandbox
    ? await EmbeddedSandbox.start({ bin: BIN, dataDir: path.join(dataDir, 'sandbox'), port: sandboxPort, log }).catch((err: Error) =>
        fail(`the embedded AWS sandbox did not start: ${err.message}`),
      )
    : undefined;
  if (sandbox) log(`AWS sandbox at ${sandbox.endpoint}`);
  if (opts.awsEndpointUrl && !opts.awsProfile) fail('--aws-endpoint-url needs --aws-profile');
  if (opts.awsEndpointUrl && !/^https?:\/\/[^\s]+$/.test(opts.awsEndpointUrl)) fail(`--aws-endpoint-url must be an http(s) URL, not '${opts.awsEndpointUrl}'`);
  const realAws = opts.awsProfile
    ? await RealAwsTarget.fromProfile({
        profile: opts.awsProfile,
        ...(opts.awsRegion ? { region: opts.awsRegion } : {}),
        ...(opts.awsEndpointUrl ? { endpoint: opts.awsEndpointUrl } : {}),
        // docker for those labs: the sandbox's engine when it runs, else whatever this server was given.
        ...(await dockerHostFor(sandbox)),
      }).catch(async (err: Error) => {
        await sandbox?.dispose();
        return fail(err.message);
      })
    : undefined;
  if (realAws) {
    // The account id and region are not secrets; the credentials are never printed.
    log(`real AWS for labs with environment: aws — account ${realAws.accountId}, region ${realAws.region}, profile '${realAws.profile}'${realAws.endpoint ? `, endpoint ${realAws.endpoint}` : ''}`);
    if (!isLoopback(opts.host)) log('warning: every learner of this server shares that one AWS account');
  }
  const targets: IAwsTarget[] = [...(sandbox ? [sandbox] : []), ...(realAws ? [realAws] : [])];
  const isolation = isolationMode(opts.isolation, opts.host, log);
  const server = await startServer({
    host: opts.host,
    port,
    aws: targets,
    dataDir,
    labsDir: path.resolve(opts.labsDir),
    clientDir: CLIENT_DIST,
    token,
    idleTimeoutMs: idleMinutes * 60_000,
    authorMode: opts.authorMode ?? false,
    isolation,
  }).catch((err: Error) => fail(err.message));

  console.log(`labrunner ready at ${server.url}`);
  // Printed once, so whoever started the server can hand out the link; never logged anywhere else.
  if (generated) console.log(`access token (shown once): open ${server.url}/?token=${token}`);
  else if (token) console.log(`access token required: open ${server.url}/?token=<your token>`);
  onReady?.(server.url);

  const stop = async () => {
    await server.dispose();
    await sandbox?.dispose();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** The options `serve` takes, for commands that share them. */
export type { ServeOptions };

/** The Docker Engine API learners on real AWS get: the sandbox's (its podman), else this server's DOCKER_HOST. */
async function dockerHostFor(sandbox: EmbeddedSandbox | undefined): Promise<{ dockerHost?: string }> {
  const fromSandbox = sandbox ? (await sandbox.access('default').catch(() => undefined))?.dockerHost : undefined;
  const dockerHost = fromSandbox ?? process.env.DOCKER_HOST;
  return dockerHost ? { dockerHost } : {};
}

/**
 * What `--isolation` means here. auto: classroom students are confined on loopback, every learner beyond it.
 * Confinement needs root (a user per learner) and a few tools; a server that cannot confine and is not on
 * loopback refuses to start rather than hand out unconfined shells to a network, unless told `--isolation off`.
 */
function isolationMode(mode: string, host: string, log: (msg: string) => void): 'on' | 'students' | 'off' {
  if (mode === 'on' || mode === 'off') return mode;
  if (mode !== 'auto') fail(`--isolation must be auto, on or off, not '${mode}'`);
  const unavailable = Confinement.unavailable();
  if (isLoopback(host)) {
    if (unavailable) log(`classroom students will not be confined: ${unavailable} (docs/security.md)`);
    return unavailable ? 'off' : 'students';
  }
  if (unavailable) fail(`${unavailable}; to serve ${host} with every learner's shell running as this user, pass --isolation off`);
  return 'on';
}

function fail(message: string): never {
  console.error(`labrunner: ${message}`);
  process.exit(2);
}
