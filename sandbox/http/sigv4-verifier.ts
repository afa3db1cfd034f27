/**
 * Verifies AWS Signature Version 4 on incoming API requests by recomputing the signature with
 * @smithy/signature-v4 over exactly the headers the client signed, and reports failures with AWS's error
 * names and messages (MissingAuthenticationTokenException, IncompleteSignatureException,
 * InvalidSignatureException, UnrecognizedClientException).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { AwsError } from '../core/aws-error.ts';

/** The parts of a request that SigV4 covers. */
export interface SignedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string | string[]>;
  readonly headers: IncomingHttpHeaders;
  readonly body: Uint8Array;
}

/** Who signed, and for which region (the credential scope's region is the request's region). */
export interface VerifiedCaller {
  readonly accessKeyId: string;
  readonly region: string;
}

/** AWS's tolerance between the signing time and its own clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const INVALID_SIGNATURE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const UNRECOGNIZED = 'The security token included in the request is invalid.';

/**
 * Verifies the request's Authorization header. `lookupSecret` maps an access key id to its secret.
 * Throws an AwsError on any failure.
 */
export async function verifySigV4(
  req: SignedRequest,
  opts: { service: string; lookupSecret: (accessKeyId: string) => string | undefined; nowMs: number },
): Promise<VerifiedCaller> {
  const auth = header(req.headers, 'authorization');
  if (!auth) throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const parsed = parseAuthorization(auth, header(req.headers, 'x-amz-date') ?? header(req.headers, 'date'));
  const { accessKeyId, date, region, service, terminator } = parsed.credential;

  if (terminator !== 'aws4_request') {
    throw new AwsError('IncompleteSignatureException', `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `);
  }
  if (service !== opts.service) {
    throw new AwsError('InvalidSignatureException', `Credential should be scoped to correct service: '${opts.service}'. `);
  }
  if (!/^[a-z0-9-]{2,25}$/.test(region)) {
    throw new AwsError('InvalidSignatureException', `Credential should be scoped to a valid region, not '${region}'. `);
  }
  if (!parsed.signedHeaders.includes('host')) {
    throw new AwsError('IncompleteSignatureException', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  const amzDate = header(req.headers, 'x-amz-date');
  const signingDate = amzDate ? parseAmzDate(amzDate) : undefined;
  if (!amzDate || !signingDate) {
    throw new AwsError(
      'IncompleteSignatureException',
      `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${auth}`,
    );
  }
  if (date !== amzDate.slice(0, 8)) {
    throw new AwsError(
      'InvalidSignatureException',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
  const skew = signingDate.getTime() - opts.nowMs;
  if (skew < -MAX_CLOCK_SKEW_MS) {
    throw new AwsError(
      'InvalidSignatureException',
      `Signature expired: ${amzDate} is now earlier than ${fmt(opts.nowMs - MAX_CLOCK_SKEW_MS)} (${fmt(opts.nowMs)} - 15 min.)`,
    );
  }
  if (skew > MAX_CLOCK_SKEW_MS) {
    throw new AwsError(
      'InvalidSignatureException',
      `Signature not yet current: ${amzDate} is still later than ${fmt(opts.nowMs + MAX_CLOCK_SKEW_MS)} (${fmt(opts.nowMs)} + 15 min.)`,
    );
  }
  const secret = opts.lookupSecret(accessKeyId);
  // The sandbox issues no session tokens, so any token is one AWS would not recognise either.
  if (secret === undefined || header(req.headers, 'x-amz-security-token') !== undefined) {
    throw new AwsError('UnrecognizedClientException', UNRECOGNIZED);
  }
  const declaredHash = header(req.headers, 'x-amz-content-sha256');
  if (declaredHash && declaredHash !== 'UNSIGNED-PAYLOAD' && declaredHash !== createHash('sha256').update(req.body).digest('hex')) {
    throw new AwsError('InvalidSignatureException', INVALID_SIGNATURE);
  }

  const signedHeaders: Record<string, string> = {};
  for (const name of parsed.signedHeaders) {
    const value = header(req.headers, name);
    if (value !== undefined) signedHeaders[name] = value;
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: secret },
    region,
    service,
    sha256: Sha256,
    applyChecksum: false,
    uriEscapePath: true,
  });
  const signed = await signer.sign(
    new HttpRequest({ method: req.method, protocol: 'http:', hostname: 'sandbox', path: req.path, query: req.query, headers: signedHeaders, body: req.body }),
    { signingDate, signingRegion: region, signingService: service, signableHeaders: new Set(parsed.signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]+)/.exec(String(signed.headers['authorization'] ?? ''))?.[1] ?? '';
  const recomputedHeaders = /SignedHeaders=([^,]+)/.exec(String(signed.headers['authorization'] ?? ''))?.[1] ?? '';
  if (recomputedHeaders !== parsed.signedHeaders.join(';') || !safeEqual(expected, parsed.signature)) {
    throw new AwsError('InvalidSignatureException', INVALID_SIGNATURE);
  }
  return { accessKeyId, region };
}

interface ParsedAuthorization {
  credential: { accessKeyId: string; date: string; region: string; service: string; terminator: string };
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(auth: string, dateHeader: string | undefined): ParsedAuthorization {
  const space = auth.indexOf(' ');
  const algorithm = space < 0 ? auth : auth.slice(0, space);
  const rest = space < 0 ? '' : auth.slice(space + 1);
  if (algorithm !== 'AWS4-HMAC-SHA256') {
    throw new AwsError('IncompleteSignatureException', `Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter.${dateHeader ? '' : " Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."} Authorization=${auth}`);
  }
  const fields = new Map<string, string>();
  for (const part of rest.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      throw new AwsError('IncompleteSignatureException', `'${part}' not a valid key=value pair (missing equal-sign) in Authorization header: '${auth}'.`);
    }
    fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders']
    .filter((k) => !fields.get(k))
    .map((k) => `Authorization header requires '${k}' parameter.`);
  if (!dateHeader) missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (missing.length > 0) throw new AwsError('IncompleteSignatureException', `${missing.join(' ')} Authorization=${auth}`);
  const scope = fields.get('Credential')!.split('/');
  if (scope.length !== 5 || scope.some((s) => s === '')) {
    throw new AwsError('IncompleteSignatureException', `Credential should be scoped to a valid region. `);
  }
  const [accessKeyId, date, region, service, terminator] = scope as [string, string, string, string, string];
  return {
    credential: { accessKeyId, date, region, service, terminator },
    signedHeaders: fields.get('SignedHeaders')!.split(';').map((h) => h.toLowerCase()),
    signature: fields.get('Signature')!,
  };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se] = m.map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, se));
}

function fmt(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
