/**
 * The AWS JSON 1.1 front door: `POST /` with `X-Amz-Target: <prefix>.<Operation>`. Generic over services
 * (ECR now, ECS later): each {@link AwsJsonService} brings its target prefix, SigV4 signing name and
 * operation table. Errors leave as AWS sends them: status 400 (500 for ServerException), body
 * `{"__type","message"}` and an `x-amzn-ErrorType` header (SDK v3 reads the header first, botocore the body).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Scope } from '../contracts.ts';
import { AwsError, isAwsError } from '../core/aws-error.ts';
import { readBody } from './body.ts';
import { verifySigV4 } from './sigv4-verifier.ts';

/** Who is calling, resolved from the signature. */
export interface CallContext {
  /** The caller's account and the region from the credential scope. */
  readonly scope: Scope;
  readonly accessKeyId: string;
  readonly requestId: string;
}

/** One operation: validated JSON in, JSON-serialisable out; throws AwsError for request errors. */
export type Operation = (input: unknown, ctx: CallContext) => unknown;

/** A service spoken over AWS JSON 1.1. */
export interface AwsJsonService {
  /** e.g. `AmazonEC2ContainerRegistry_V20150921`. */
  readonly targetPrefix: string;
  /** SigV4 signing name, e.g. `ecr`. */
  readonly signingName: string;
  readonly operations: ReadonlyMap<string, Operation>;
}

/** Resolves an access key id to its secret and account. */
export interface CredentialLookup {
  find(accessKeyId: string): { secretAccessKey: string; accountId: string } | undefined;
}

/** Largest API body accepted (PutImage carries manifests up to 4 MiB). */
export const MAX_API_BODY_BYTES = 6 * 1024 * 1024;

/** Creates the handler for `POST /` over the given services. */
export function createAwsJsonHandler(
  services: readonly AwsJsonService[],
  credentials: CredentialLookup,
  realNow: () => number,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const byPrefix = new Map(services.map((s) => [s.targetPrefix, s]));
  return async (req, res) => {
    const requestId = randomUUID();
    try {
      const body = await readBody(req, MAX_API_BODY_BYTES);
      if (!body.ok) {
        throw new AwsError('RequestEntityTooLargeException', `Request body must not exceed ${MAX_API_BODY_BYTES} bytes`, 413);
      }
      if (req.method !== 'POST') throw new AwsError('UnknownOperationException', 'Only POST is supported', 400);
      const target = String(req.headers['x-amz-target'] ?? '');
      const dot = target.lastIndexOf('.');
      const service = dot > 0 ? byPrefix.get(target.slice(0, dot)) : undefined;
      const operation = service?.operations.get(target.slice(dot + 1));
      if (!service || !operation) throw new AwsError('UnknownOperationException', target ? `Unknown operation ${target}` : 'Missing X-Amz-Target header');

      const url = new URL(req.url ?? '/', 'http://sandbox');
      const query: Record<string, string | string[]> = {};
      for (const [k, v] of url.searchParams) {
        const prev = query[k];
        query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
      }
      let accountId = '';
      const caller = await verifySigV4(
        { method: req.method, path: url.pathname, query, headers: req.headers, body: body.bytes },
        {
          service: service.signingName,
          nowMs: realNow(),
          lookupSecret: (akid) => {
            const found = credentials.find(akid);
            accountId = found?.accountId ?? '';
            return found?.secretAccessKey;
          },
        },
      );
      const input = parseJson(body.bytes);
      const output = await operation(input, { scope: { accountId, region: caller.region }, accessKeyId: caller.accessKeyId, requestId });
      send(res, 200, requestId, output ?? {});
    } catch (err) {
      sendError(res, requestId, err);
    }
  };
}

function parseJson(bytes: Buffer): unknown {
  const text = bytes.toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AwsError('SerializationException', `Could not parse request body into json: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
  }
  return value;
}

function send(res: ServerResponse, status: number, requestId: string, body: unknown, errorType?: string): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
    // SDK v3 corrects its clock from this when it sees a skew error.
    date: new Date().toUTCString(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    ...(status === 413 ? { connection: 'close' } : {}),
  });
  res.end(text);
}

/** Sends an error the AWS way; anything that is not an AwsError is a bug and becomes a 500 ServerException. */
export function sendError(res: ServerResponse, requestId: string, err: unknown): void {
  if (isAwsError(err)) {
    send(res, err.status, requestId, { __type: err.name, message: err.message }, err.name);
    return;
  }
  console.error('sandbox: unexpected error in API request', err);
  send(res, 500, requestId, { __type: 'ServerException', message: 'An internal service error occurred.' }, 'ServerException');
}
