import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { ecrSdk, ecsSdk } from '../../checkers/lib/sdk.ts';
import type { LearnerAwsAccess } from './aws-target.ts';

/** SDK clients of one region. */
export interface RegionClients {
  readonly region: string;
  readonly ecr: ECRClient;
  readonly ecs: ECSClient;
}

/**
 * The `ctx.aws` checkers receive: clients for the learner's own region, plus clients for other regions
 * (made on first use, then kept) for checks that look across regions (replication, "wrong region" hints).
 */
export interface AwsClients extends RegionClients {
  readonly accountId: string;
  inRegion(region: string): RegionClients;
  /** Destroys every client made (idempotent). */
  dispose(): void;
}

/** Tuning of {@link createAwsClients}; the defaults suit checks, which must answer in seconds. */
export interface AwsClientOptions {
  /** Connecting to the endpoint (ms); default 2000. */
  readonly connectionTimeoutMs?: number;
  /** Waiting for a response (ms); default 5000. */
  readonly requestTimeoutMs?: number;
  /** Tries per call, including the first; default 2. */
  readonly maxAttempts?: number;
}

/**
 * SDK clients for a learner, configured explicitly from their access (endpoint, region, credentials),
 * never from the server's own environment or ~/.aws, so one learner's check cannot see another account.
 * Async because the SDK is loaded on first use (checkers/lib/sdk.ts).
 * @example
 * const aws = await createAwsClients(await target.access(learnerId));
 * try { await aws.ecr.send(new DescribeRepositoriesCommand({}), { abortSignal }); } finally { aws.dispose(); }
 */
export async function createAwsClients(access: LearnerAwsAccess, options: AwsClientOptions = {}): Promise<AwsClients> {
  const [{ ECRClient }, { ECSClient }] = await Promise.all([ecrSdk(), ecsSdk()]);
  return makeAwsClients({ ECRClient, ECSClient }, access, options);
}

/** The client classes, for callers that hold the SDK already (tests). */
export interface AwsClientClasses {
  ECRClient: typeof ECRClient;
  ECSClient: typeof ECSClient;
}

/** {@link createAwsClients} with the SDK's classes given. */
export function makeAwsClients({ ECRClient, ECSClient }: AwsClientClasses, access: LearnerAwsAccess, options: AwsClientOptions = {}): AwsClients {
  const config = (region: string) => ({
    region,
    ...(access.endpoint ? { endpoint: access.endpoint } : {}),
    credentials: {
      accessKeyId: access.credentials.accessKeyId,
      secretAccessKey: access.credentials.secretAccessKey,
      ...(access.credentials.sessionToken ? { sessionToken: access.credentials.sessionToken } : {}),
    },
    maxAttempts: options.maxAttempts ?? 2,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 2000,
      requestTimeout: options.requestTimeoutMs ?? 5000,
      throwOnRequestTimeout: true,
    },
  });
  const regions = new Map<string, RegionClients>();
  const make = (region: string): RegionClients => {
    let clients = regions.get(region);
    if (!clients) {
      clients = { region, ecr: new ECRClient(config(region)), ecs: new ECSClient(config(region)) };
      regions.set(region, clients);
    }
    return clients;
  };
  const home = make(access.region);
  return {
    ...home,
    accountId: access.accountId,
    inRegion: make,
    dispose() {
      for (const c of regions.values()) {
        c.ecr.destroy();
        c.ecs.destroy();
      }
      regions.clear();
    },
  };
}
