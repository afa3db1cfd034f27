import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRandomOciImage, OCI_CONFIG, OCI_LAYER_GZIP, OCI_MANIFEST, type BuiltOciImage } from './lib/registry-image.ts';
import { skopeo, startDistribution, startSandboxProcess, type RegistryProcess } from './lib/registry-servers.ts';
import { cpuSeconds, MiB } from './lib/server-process.ts';
import { median, percentile, round } from './lib/stats.ts';
import type { BenchContext, BenchFigure, BenchReport, BenchSuite } from './lib/suite.ts';

type Sandbox = Awaited<ReturnType<typeof startSandboxProcess>>;

/**
 * The sandbox registry against Debian's CNCF distribution registry 2.8.2: skopeo push and pull of a 256 MiB
 * single-layer image (wall time, server CPU, the sandbox's peak RSS), then DescribeImages latency over SDK v3
 * on a repository of 1,000 images. Each push/pull run starts both registries fresh, so nothing is deduplicated.
 */
const registry: BenchSuite = {
  description: 'registry: skopeo push+pull of a 256 MiB layer vs distribution 2.8.2, DescribeImages on 1,000 images',
  async run(ctx) {
    const s = settings(ctx);
    const work = await mkdtemp(join(tmpdir(), 'bench-registry-'));
    try {
      let image: BuiltOciImage | undefined;
      let transfer: Transfers = { sandbox: [], distribution: [] };
      if (s.parts.includes('transfer')) {
        ctx.log(`building a ${s.layerMiB} MiB random layer as an OCI layout`);
        const t0 = performance.now();
        image = await buildRandomOciImage(join(work, 'image'), s.layerMiB * MiB);
        ctx.log(`built in ${round((performance.now() - t0) / 1000, 1)} s: layer ${image.layerDigest} (${image.layerSize} bytes)`);
        transfer = await measureTransfers(ctx, s, image, work);
      }
      const describe = s.parts.includes('describe') ? await measureDescribe(ctx, s) : undefined;
      return report(s, image, transfer, describe);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  },
};
export default registry;

interface Settings {
  runs: number;
  layerMiB: number;
  images: number;
  calls: number;
  /** Which parts to run (`--set parts=transfer` or `describe`); both by default. */
  parts: string[];
  /** Extra node flags for the sandbox process (`--set sandboxNodeArgs=--cpu-prof` to profile it). */
  sandboxNodeArgs: string[];
}

function settings(ctx: BenchContext): Settings {
  const num = (key: string, fallback: number) => (ctx.settings[key] === undefined ? fallback : Number(ctx.settings[key]));
  return { runs: ctx.runs, layerMiB: num('layerMiB', 256), images: num('images', 1000), calls: num('calls', 1000), parts: (ctx.settings['parts'] ?? 'transfer,describe').split(','),
    sandboxNodeArgs: (ctx.settings['sandboxNodeArgs'] ?? '').split(' ').filter(Boolean),
  };
}

interface TransferSample {
  run: number;
  order: string;
  pushSeconds: number;
  pullSeconds: number;
  serverCpuPushSeconds: number;
  serverCpuPullSeconds: number;
  peakRssPushMiB: number;
  peakRssMiB: number;
  rssBeforeMiB: number;
  loadAverage1m: number;
}

type Transfers = Record<'sandbox' | 'distribution', TransferSample[]>;

async function measureTransfers(ctx: BenchContext, s: Settings, image: BuiltOciImage, work: string): Promise<Transfers> {
  const out: Transfers = { sandbox: [], distribution: [] };
  for (let run = 0; run < s.runs; run++) {
    const sandbox = await startSandboxProcess({ nodeArgs: s.sandboxNodeArgs });
    const distribution = await startDistribution();
    try {
      await prepareSandboxRepository(sandbox, `bench-${run}`);
      // Alternate who goes first, so neither always meets a warmer page cache or a quieter neighbour.
      const order = run % 2 === 0 ? [sandbox, distribution] : [distribution, sandbox];
      for (const reg of order) {
        const sample = await pushPull(reg, image, `bench-${run}`, join(work, `pull-${reg.name}-${run}`));
        sample.run = run;
        sample.order = order.map((r) => r.name).join(' → ');
        out[reg.name as keyof Transfers].push(sample);
        ctx.log(
          `run ${run + 1}/${s.runs} ${reg.name}: push ${round(sample.pushSeconds, 2)} s, pull ${round(sample.pullSeconds, 2)} s, ` +
            `server CPU ${round(sample.serverCpuPushSeconds, 2)}+${round(sample.serverCpuPullSeconds, 2)} s, peak RSS ${sample.peakRssMiB} MiB, load ${sample.loadAverage1m}`,
        );
      }
    } finally {
      await sandbox.stop();
      await distribution.stop();
    }
  }
  return out;
}

async function prepareSandboxRepository(sandbox: Sandbox, repositoryName: string): Promise<void> {
  const ecr = new ECRClient({ endpoint: sandbox.endpoint, region: 'us-east-1', credentials: sandbox.account, maxAttempts: 1 });
  try {
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    const token = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0]?.authorizationToken;
    if (!token) throw new Error('GetAuthorizationToken returned no token');
    sandbox.creds = Buffer.from(token, 'base64').toString('utf8'); // AWS:<password>
  } finally {
    ecr.destroy();
  }
}

async function pushPull(reg: RegistryProcess, image: BuiltOciImage, repo: string, pullDir: string): Promise<TransferSample> {
  const ref = `docker://${reg.host}/${repo}:${image.tag}`;
  const rssBefore = reg.memory().rss;
  reg.resetPeak();
  const cpu0 = cpuSeconds(reg.pid);
  const t0 = performance.now();
  await skopeo(['copy', '--quiet', '--dest-tls-verify=false', ...(reg.creds ? ['--dest-creds', reg.creds] : []), image.ref, ref]);
  const t1 = performance.now();
  const cpu1 = cpuSeconds(reg.pid);
  const peakPush = reg.memory().peakRss;
  await skopeo(['copy', '--quiet', '--src-tls-verify=false', ...(reg.creds ? ['--src-creds', reg.creds] : []), ref, `oci:${pullDir}:${image.tag}`]);
  const t2 = performance.now();
  const cpu2 = cpuSeconds(reg.pid);
  const peak = reg.memory().peakRss;
  // skopeo verified the digest while pulling; check the layer really landed whole.
  const pulled = statSync(join(pullDir, 'blobs', 'sha256', image.layerDigest.slice(7)));
  if (pulled.size !== image.layerSize) throw new Error(`${reg.name}: pulled layer is ${pulled.size} bytes, pushed ${image.layerSize}`);
  await rm(pullDir, { recursive: true, force: true });
  return {
    run: 0,
    order: '',
    pushSeconds: round((t1 - t0) / 1000, 3),
    pullSeconds: round((t2 - t1) / 1000, 3),
    serverCpuPushSeconds: round(cpu1 - cpu0, 2),
    serverCpuPullSeconds: round(cpu2 - cpu1, 2),
    peakRssPushMiB: round(peakPush / MiB, 1),
    peakRssMiB: round(peak / MiB, 1),
    rssBeforeMiB: round(rssBefore / MiB, 1),
    loadAverage1m: round(loadavg()[0]!, 2),
  };
}

interface DescribeResult {
  fillSeconds: number;
  pageMs: number[];
  /** Default page, each read right after a tag moved (not served from the sandbox's kept pages). */
  changedMs: number[];
  oneMs: number[];
  pageSize: number;
  rssMiB: number;
  /** Mean CPU milliseconds per call, sandbox process and this (client) process. */
  cpu: Record<string, { serverMs: number; clientMs: number }>;
  loadAverage: number[];
}

/** How long each DescribeImages series warms up before it is timed. */
const WARM_UP_MS = 2000;

/** Fills one repository with `images` manifests over one tiny config and layer, then times DescribeImages. */
async function measureDescribe(ctx: BenchContext, s: Settings): Promise<DescribeResult> {
  const sandbox = await startSandboxProcess({ nodeArgs: s.sandboxNodeArgs });
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const ecr = new ECRClient({ endpoint: sandbox.endpoint, region: 'us-east-1', credentials: sandbox.account, maxAttempts: 1 });
  try {
    const repositoryName = 'describe';
    await prepareSandboxRepository(sandbox, repositoryName);
    const auth = `Basic ${Buffer.from(sandbox.creds!).toString('base64')}`;
    const send = (method: string, path: string, body: Buffer, contentType?: string) =>
      new Promise<number>((resolve, reject) => {
        const headers: Record<string, string | number> = { Authorization: auth, 'Content-Length': body.length };
        if (contentType) headers['Content-Type'] = contentType;
        const req = request({ host: '127.0.0.1', port: Number(sandbox.host.split(':')[1]), method, path, headers, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(body);
      });
    const blob = async (bytes: Buffer, mediaType: string) => {
      const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      const status = await send('POST', `/v2/${repositoryName}/blobs/uploads/?digest=${digest}`, bytes, 'application/octet-stream');
      if (status !== 201) throw new Error(`blob upload answered ${status}`);
      return { mediaType, digest, size: bytes.length };
    };
    const layer = await blob(Buffer.from('tiny layer'), OCI_LAYER_GZIP);
    const config = await blob(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })), OCI_CONFIG);
    const manifestOf = (i: number) => Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer], annotations: { 'org.labrunner.bench.n': String(i) } }));
    const t0 = performance.now();
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < s.images; i = next++) {
        const status = await send('PUT', `/v2/${repositoryName}/manifests/t${i}`, manifestOf(i), OCI_MANIFEST);
        if (status !== 201) throw new Error(`manifest PUT t${i} answered ${status}`);
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    const fillSeconds = (performance.now() - t0) / 1000;
    ctx.log(`${s.images} images pushed in ${round(fillSeconds, 2)} s`);

    const first = await ecr.send(new DescribeImagesCommand({ repositoryName }));
    const pageSize = first.imageDetails?.length ?? 0;
    const cpu: Record<string, { serverMs: number; clientMs: number }> = {};
    const timed = async (
      label: string,
      input: () => ConstructorParameters<typeof DescribeImagesCommand>[0],
      expect: number,
      calls = s.calls,
      before?: (i: number) => Promise<void>,
    ): Promise<number[]> => {
      const ms: number[] = [];
      let server0 = 0;
      let client0 = process.cpuUsage();
      const call = async (i: number): Promise<number> => {
        await before?.(i);
        const cmd = new DescribeImagesCommand(input());
        const t = performance.now();
        const out = await ecr.send(cmd);
        const elapsed = performance.now() - t;
        if (out.imageDetails?.length !== expect) throw new Error(`DescribeImages returned ${out.imageDetails?.length} images, expected ${expect}`);
        return elapsed;
      };
      // Warm-up: at least 100 calls and WARM_UP_MS. Both processes compile their hot code during the first
      // ~0.7 s of a call loop (on 2 cores the compiler threads take turns with the request), which a
      // loopback ping-pong measured here shows as 2–4 ms stalls every few dozen calls, then about one a second.
      const warmUpUntil = performance.now() + WARM_UP_MS;
      for (let i = 0; i < 100 || performance.now() < warmUpUntil; i++) await call(-1 - i);
      server0 = cpuSeconds(sandbox.pid);
      client0 = process.cpuUsage();
      for (let i = 0; i < calls; i++) ms.push(await call(i));
      // CPU per call, which the machine's load does not inflate the way it does wall-clock tails.
      const client = process.cpuUsage(client0);
      cpu[label] = { serverMs: round(((cpuSeconds(sandbox.pid) - server0) * 1000) / calls), clientMs: round((client.user + client.system) / 1000 / calls) };
      return ms;
    };
    const pageMs = await timed('page', () => ({ repositoryName }), pageSize);
    ctx.log(`DescribeImages (default page, ${pageSize} images): p50 ${round(percentile(pageMs, 50))} ms, p99 ${round(percentile(pageMs, 99))} ms, CPU per call ${JSON.stringify(cpu['page'])}`);
    // The sandbox keeps pages it served until the repository changes (checkers poll); this series reads the page
    // right after a change each time: a tag moved between two images over /v2/ (untimed, and in the CPU figures).
    const changedMs = await timed('changed', () => ({ repositoryName }), pageSize, Math.min(s.calls, 200), async (i) => {
      const status = await send('PUT', `/v2/${repositoryName}/manifests/moving`, manifestOf(i % 2), OCI_MANIFEST);
      if (status !== 201) throw new Error(`moving a tag answered ${status}`);
    });
    ctx.log(`DescribeImages (default page, first read after a change): p50 ${round(percentile(changedMs, 50))} ms, p99 ${round(percentile(changedMs, 99))} ms`);
    let n = 0;
    const oneMs = await timed('one', () => ({ repositoryName, imageIds: [{ imageTag: `t${(n++ * 7919) % s.images}` }] }), 1);
    ctx.log(`DescribeImages (one imageId): p50 ${round(percentile(oneMs, 50))} ms, p99 ${round(percentile(oneMs, 99))} ms, CPU per call ${JSON.stringify(cpu['one'])}`);
    return { fillSeconds, pageMs, changedMs, oneMs, pageSize, rssMiB: round(sandbox.memory().rss / MiB, 1), cpu, loadAverage: loadavg().map((l) => round(l, 2)) };
  } finally {
    ecr.destroy();
    agent.destroy();
    await sandbox.stop();
  }
}

function report(s: Settings, image: BuiltOciImage | undefined, t: Transfers, d: DescribeResult | undefined): BenchReport {
  const figures: BenchFigure[] = [...(image && t.sandbox.length > 0 ? transferFigures(t) : []), ...(d ? describeFigures(s, d) : [])];
  const ratios = t.sandbox.map((x, i) => total(x) / total(t.distribution[i]!));
  return {
    figures,
    method: {
      image: `OCI layout, one layer: a tar of one ${s.layerMiB} MiB file of random bytes, gzip level 0 framing (${image?.layerSize} bytes), so skopeo sends it unchanged`,
      transfer: 'skopeo 1.9.3 `copy oci:… docker://127.0.0.1:<port>/…` (push), then `copy docker://… oci:<fresh dir>` (pull); wall time of each skopeo process',
      sandbox: '`labrunner sandbox --port <free> --data-dir <tmp>` as its own process, plain HTTP (LABRUNNER_SANDBOX_TLS_DIR empty), repository from CreateRepository, Basic credentials from GetAuthorizationToken',
      distribution: '/usr/bin/docker-registry serve (CNCF distribution 2.8.2+ds1), filesystem storage in a temp dir, blobdescriptor cache inmemory, log level error, no auth',
      runs: `${s.runs}; both registries start fresh for every run (no blob is already there), and the order alternates`,
      rss: 'VmHWM of the sandbox process after writing 5 to /proc/<pid>/clear_refs right before the push; read after the pull',
      describeImages: `${s.images} OCI manifests (distinct annotations, one shared tiny config and layer) PUT through /v2/ with 4 concurrent keep-alive connections; then ${s.calls} sequential DescribeImages calls (SDK v3 @aws-sdk/client-ecr, SigV4, loopback), after a warm-up of at least 100 calls and ${WARM_UP_MS / 1000} s (JIT tiering on both sides), with no maxResults (the default page; the sandbox serves it from the pages it keeps until the repository changes), the default page right after a tag moved (${Math.min(s.calls, 200)} calls; the move is untimed), and with imageIds of one tag`,
      latency: 'client-side: ECRClient.send() start to resolved output, so SigV4 signing and JSON parsing on the client are included',
      parts: s.parts,
    },
    samples: {
      transfers: t,
      ratios: ratios.map((r) => round(r, 3)),
      ...(d ? { describe: { fillSeconds: round(d.fillSeconds, 2), pageSize: d.pageSize, sandboxRssAfterMiB: d.rssMiB, cpuPerCallMs: d.cpu, loadAverageAfter: d.loadAverage, pageMs: d.pageMs.map((v) => round(v, 3)), changedPageMs: d.changedMs.map((v) => round(v, 3)), oneImageMs: d.oneMs.map((v) => round(v, 3)) } } : {}),
    },
  };
}

const total = (x: TransferSample) => x.pushSeconds + x.pullSeconds;

function transferFigures(t: Transfers): BenchFigure[] {
  const med = (reg: keyof Transfers, f: (x: TransferSample) => number) => median(t[reg].map(f));
  // The ratio per run (both registries measured back to back), then its median.
  const ratios = t.sandbox.map((x, i) => total(x) / total(t.distribution[i]!));
  return [
    { metric: 'sandbox push (median)', value: round(med('sandbox', (x) => x.pushSeconds), 2), unit: 's', reference: `distribution ${round(med('distribution', (x) => x.pushSeconds), 2)} s` },
    { metric: 'sandbox pull (median)', value: round(med('sandbox', (x) => x.pullSeconds), 2), unit: 's', reference: `distribution ${round(med('distribution', (x) => x.pullSeconds), 2)} s` },
    { metric: 'sandbox push+pull (median)', value: round(med('sandbox', total), 2), unit: 's', reference: `distribution ${round(med('distribution', total), 2)} s` },
    { metric: 'distribution push (median)', value: round(med('distribution', (x) => x.pushSeconds), 2), unit: 's' },
    { metric: 'distribution pull (median)', value: round(med('distribution', (x) => x.pullSeconds), 2), unit: 's' },
    { metric: 'distribution push+pull (median)', value: round(med('distribution', total), 2), unit: 's' },
    { metric: 'push+pull time sandbox / distribution (median of runs)', value: round(median(ratios), 2), unit: '×', target: { max: 1.0 } },
    { metric: 'push time sandbox / distribution', value: round(med('sandbox', (x) => x.pushSeconds) / med('distribution', (x) => x.pushSeconds), 2), unit: '×' },
    { metric: 'pull time sandbox / distribution', value: round(med('sandbox', (x) => x.pullSeconds) / med('distribution', (x) => x.pullSeconds), 2), unit: '×' },
    { metric: 'sandbox peak RSS, push+pull (worst run)', value: Math.max(...t.sandbox.map((x) => x.peakRssMiB)), unit: 'MiB', target: { max: round(150_000_000 / MiB, 1) }, reference: `distribution ${Math.max(...t.distribution.map((x) => x.peakRssMiB))} MiB` },
    { metric: 'sandbox RSS before push (median)', value: round(med('sandbox', (x) => x.rssBeforeMiB), 1), unit: 'MiB' },
    { metric: 'sandbox CPU push (median)', value: round(med('sandbox', (x) => x.serverCpuPushSeconds), 2), unit: 's', reference: `distribution ${round(med('distribution', (x) => x.serverCpuPushSeconds), 2)} s` },
    { metric: 'sandbox CPU pull (median)', value: round(med('sandbox', (x) => x.serverCpuPullSeconds), 2), unit: 's', reference: `distribution ${round(med('distribution', (x) => x.serverCpuPullSeconds), 2)} s` },
  ];
}

function describeFigures(s: Settings, d: DescribeResult): BenchFigure[] {
  return [
    { metric: `DescribeImages default page (${d.pageSize} of ${s.images}) p50`, value: round(percentile(d.pageMs, 50)), unit: 'ms' },
    { metric: `DescribeImages default page (${d.pageSize} of ${s.images}) p99`, value: round(percentile(d.pageMs, 99)), unit: 'ms', target: { max: 5 } },
    { metric: 'DescribeImages default page, first read after a change, p50', value: round(percentile(d.changedMs, 50)), unit: 'ms' },
    { metric: 'DescribeImages default page, first read after a change, p99', value: round(percentile(d.changedMs, 99)), unit: 'ms' },
    { metric: 'DescribeImages one imageId p50', value: round(percentile(d.oneMs, 50)), unit: 'ms' },
    { metric: 'DescribeImages one imageId p99', value: round(percentile(d.oneMs, 99)), unit: 'ms', target: { max: 5 } },
    { metric: 'DescribeImages default page: sandbox CPU per call', value: d.cpu['page']!.serverMs, unit: 'ms', reference: `client (SDK) ${d.cpu['page']!.clientMs} ms` },
    { metric: 'DescribeImages one imageId: sandbox CPU per call', value: d.cpu['one']!.serverMs, unit: 'ms', reference: `client (SDK) ${d.cpu['one']!.clientMs} ms` },
  ];
}
