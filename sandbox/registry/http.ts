/**
 * Small HTTP helpers shared by the registry's routes: the common headers, JSON and error responses,
 * and reading a bounded request body (manifests only; blobs are always streamed).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RegistryError } from '../core/registry/index.ts';

/** Sent on every registry response; clients use it to recognise a v2 registry. */
export const API_VERSION_HEADER = ['Docker-Distribution-Api-Version', 'registry/2.0'] as const;

/** Ends a response with no body (HEAD-safe). */
export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, { ...headers, 'Content-Length': headers['Content-Length'] ?? 0 });
  res.end();
}

/** Sends a JSON body (omitted for HEAD requests by Node itself). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | number> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Sends a registry error as `{"errors":[...]}` with its status. */
export function sendRegistryError(res: ServerResponse, err: RegistryError, headers: Record<string, string | number> = {}): void {
  sendJson(res, err.status, err.toBody(), { ...err.headers, ...headers });
}

/** The request's Content-Length, or undefined when absent or not a number. */
export function contentLength(req: IncomingMessage): number | undefined {
  const raw = req.headers['content-length'];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** True when the request carries a body (a non-zero Content-Length or a chunked one). */
export function hasBody(req: IncomingMessage): boolean {
  const len = contentLength(req);
  if (len !== undefined) return len > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

/**
 * Reads the whole body, refusing more than `limit` bytes with `tooLarge` (checked against
 * Content-Length first, so an oversized body is not read at all).
 */
export async function readBody(req: IncomingMessage, limit: number, tooLarge: () => RegistryError): Promise<Buffer> {
  const declared = contentLength(req);
  if (declared !== undefined && declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** A single query parameter (the first when repeated). */
export function queryParam(url: URL, name: string): string | undefined {
  return url.searchParams.get(name) ?? undefined;
}

/** `Host` header made safe to echo back in a header (realm) — anything odd becomes `localhost`. */
export function safeHost(req: IncomingMessage): string {
  const host = req.headers.host ?? '';
  return /^[A-Za-z0-9.\-:[\]]{1,300}$/.test(host) ? host : 'localhost';
}
