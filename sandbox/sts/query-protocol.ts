/**
 * The AWS Query protocol as STS speaks it: `POST /` with a form-encoded body (`Action=…&Version=…`), or the
 * same parameters in a GET's query string; XML responses. A result leaves as
 * `<{Action}Response xmlns><{Action}Result>…</{Action}Result><ResponseMetadata><RequestId/></ResponseMetadata>`,
 * an error as `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>` — the shapes
 * the SDK's awsQuery parser and botocore's query parser read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** True for requests in the Query protocol: no `X-Amz-Target`, and a form body or an `Action` in the URL. */
export function isQueryProtocolRequest(req: IncomingMessage): boolean {
  if (req.headers['x-amz-target'] !== undefined) return false;
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (req.method === 'POST' && type === 'application/x-www-form-urlencoded') return true;
  return /[?&]Action=/.test(req.url ?? '');
}

/** The request's parameters: the URL's query string, then the form body (the body wins on a repeated name). */
export function queryParameters(url: URL, body: Buffer, contentType: string | undefined): Map<string, string> {
  const params = new Map<string, string>();
  for (const [k, v] of url.searchParams) params.set(k, v);
  if ((contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded') {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.set(k, v);
  }
  return params;
}

/** XML text with the five special characters escaped (attribute-safe too). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** `<name>escaped value</name>` for each field, in order. */
export function xmlFields(fields: ReadonlyArray<readonly [string, string]>): string {
  return fields.map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`).join('');
}

/** A successful Query response around the result's (already built) inner XML. */
export function resultXml(action: string, xmlns: string, resultInnerXml: string, requestId: string): string {
  return (
    `<${action}Response xmlns="${escapeXml(xmlns)}">` +
    `<${action}Result>${resultInnerXml}</${action}Result>` +
    `<ResponseMetadata>${xmlFields([['RequestId', requestId]])}</ResponseMetadata>` +
    `</${action}Response>\n`
  );
}

/** An error in the Query protocol's shape. `type` is `Sender` for the caller's mistakes, `Receiver` for ours. */
export function errorXml(xmlns: string, type: 'Sender' | 'Receiver', code: string, message: string, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${escapeXml(xmlns)}">` +
    `<Error>${xmlFields([['Type', type], ['Code', code], ['Message', message]])}</Error>` +
    `${xmlFields([['RequestId', requestId]])}` +
    `</ErrorResponse>\n`
  );
}

/** Sends an XML body with the headers AWS's Query services send. */
export function sendXml(res: ServerResponse, status: number, requestId: string, xml: string): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(xml),
    'x-amzn-requestid': requestId,
    date: new Date().toUTCString(),
  });
  res.end(xml);
}
