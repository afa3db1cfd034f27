/**
 * STS in the sandbox: `GetCallerIdentity` over the Query protocol (what `aws sts get-caller-identity` and
 * `STSClient` send), signed with SigV4 under the signing name `sts` and verified by the same verifier as the
 * JSON APIs. Each sandbox account is presented as an IAM user named after its learner:
 * `arn:aws:iam::<account>:user/<learner>`. Every other action is `InvalidAction`, as STS answers one it lacks.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, isAwsError } from '../core/aws-error.ts';
import { readBody } from '../http/body.ts';
import { verifySigV4 } from '../http/sigv4-verifier.ts';
import { errorXml, queryParameters, resultXml, sendXml, xmlFields } from './query-protocol.ts';

export const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';
export const STS_VERSION = '2011-06-15';
/** STS requests are small; anything bigger is not one. */
const MAX_STS_BODY_BYTES = 64 * 1024;

/** Resolves an access key id to its secret, account and learner. */
export interface StsCredentialLookup {
  find(accessKeyId: string): { secretAccessKey: string; accountId: string; learnerId: string } | undefined;
}

/** The caller as GetCallerIdentity reports it. */
export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
  readonly userId: string;
}

/** The IAM user a sandbox account stands for: named after the learner, with a stable `AIDA…` unique id. */
export function callerIdentity(accountId: string, learnerId: string): CallerIdentity {
  // IAM user names allow [\w+=,.@-], up to 64 characters; learner ids are a subset, but may be longer.
  const userName = learnerId.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  const digest = createHash('sha256').update(`${accountId}/${learnerId}`).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const unique = Array.from(digest.subarray(0, 17), (b) => alphabet[b % 32]).join('');
  return { account: accountId, arn: `arn:aws:iam::${accountId}:user/${userName}`, userId: `AIDA${unique}` };
}

/**
 * The SigV4 verifier speaks the JSON protocols' error names; the Query protocol names the same failures
 * differently (what `aws sts` prints against AWS), with these statuses.
 */
const QUERY_ERROR_NAMES: Record<string, { code: string; status: number }> = {
  MissingAuthenticationTokenException: { code: 'MissingAuthenticationToken', status: 403 },
  IncompleteSignatureException: { code: 'IncompleteSignature', status: 400 },
  InvalidSignatureException: { code: 'SignatureDoesNotMatch', status: 403 },
  UnrecognizedClientException: { code: 'InvalidClientTokenId', status: 403 },
};

/** Creates the handler for Query-protocol requests to `/` (route them here with `isQueryProtocolRequest`). */
export function createStsHandler(
  credentials: StsCredentialLookup,
  realNow: () => number,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const requestId = randomUUID();
    try {
      const body = await readBody(req, MAX_STS_BODY_BYTES);
      if (!body.ok) throw new AwsError('RequestEntityTooLarge', `Request body must not exceed ${MAX_STS_BODY_BYTES} bytes`, 413);
      if (req.method !== 'POST' && req.method !== 'GET') throw new AwsError('InvalidAction', `The method ${req.method} is not supported.`);
      const url = new URL(req.url ?? '/', 'http://sandbox');
      const params = queryParameters(url, body.bytes, req.headers['content-type']);
      const query: Record<string, string | string[]> = {};
      for (const [k, v] of url.searchParams) {
        const prev = query[k];
        query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
      }
      let caller: { accountId: string; learnerId: string } | undefined;
      await verifySigV4(
        { method: req.method, path: url.pathname, query, headers: req.headers, body: body.bytes },
        {
          service: 'sts',
          nowMs: realNow(),
          lookupSecret: (akid) => {
            const found = credentials.find(akid);
            caller = found;
            return found?.secretAccessKey;
          },
        },
      );
      const action = params.get('Action') ?? '';
      const version = params.get('Version') ?? '';
      if (action === '') throw new AwsError('MissingAction', 'Missing Action');
      if (action !== 'GetCallerIdentity' || (version !== '' && version !== STS_VERSION)) {
        throw new AwsError('InvalidAction', `Could not find operation ${action} for version ${version || 'NO_VERSION_SPECIFIED'}`);
      }
      const id = callerIdentity(caller!.accountId, caller!.learnerId);
      const result = xmlFields([
        ['Arn', id.arn],
        ['UserId', id.userId],
        ['Account', id.account],
      ]);
      sendXml(res, 200, requestId, resultXml(action, STS_XMLNS, result, requestId));
    } catch (err) {
      sendStsError(res, requestId, err);
    }
  };
}

function sendStsError(res: ServerResponse, requestId: string, err: unknown): void {
  if (isAwsError(err)) {
    const mapped = QUERY_ERROR_NAMES[err.name];
    const code = mapped?.code ?? err.name;
    const status = mapped?.status ?? err.status;
    sendXml(res, status, requestId, errorXml(STS_XMLNS, status >= 500 ? 'Receiver' : 'Sender', code, err.message, requestId));
    return;
  }
  console.error('sandbox: unexpected error in STS request', err);
  sendXml(res, 500, requestId, errorXml(STS_XMLNS, 'Receiver', 'InternalFailure', 'An internal service error occurred.', requestId));
}
