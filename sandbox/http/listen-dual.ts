/**
 * TLS and plain HTTP on the sandbox's one port. The AWS CLI/SDKs keep calling `http://127.0.0.1:PORT`,
 * while registry clients reach `https://<account>.dkr.ecr.<region>.localhost:PORT`: `docker login`
 * through podman's Docker-compatible API insists on verified TLS for every registry that is not
 * `localhost:...` (containers/podman pkg/api/handlers/compat/auth.go sets DockerInsecureSkipTLSVerify to
 * false and ignores registries.conf `insecure = true`), so plain HTTP alone cannot serve it.
 *
 * Each new connection is sniffed: a first byte of 0x16 (a TLS handshake record) gets a server-side TLS
 * socket, anything else is plain HTTP. Both end up in the same `http.Server` and its request handler.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';

/** PEM files of the registry's certificate (with any chain) and its private key. */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** PEM contents of a certificate and its key. */
export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
}

/** First byte of a TLS record carrying a handshake (ClientHello): RFC 8446 §5.1 ContentType.handshake. */
const TLS_HANDSHAKE_RECORD = 0x16;
/** A connection must send its first byte and finish any TLS handshake within this time. */
const HANDSHAKE_TIMEOUT_MS = 30_000;

/** Reads the PEM files; throws (naming the file) when one is unreadable. */
export function readTlsFiles(files: TlsFiles): TlsMaterial {
  return { cert: readFileSync(files.certFile, 'utf8'), key: readFileSync(files.keyFile, 'utf8') };
}

/**
 * Makes `server` (created, not yet listening) also accept TLS on its port. Plain connections go to the
 * server's own connection handling untouched; TLS connections are handed over once their handshake is
 * done, so `req.socket.encrypted` tells them apart. `closeAllConnections()` also ends connections still
 * being sniffed or handshaking.
 */
export function serveTlsOnSamePort(server: Server, tls: TlsMaterial): void {
  // Throws now (bad PEM, key not matching the certificate) rather than on a learner's first connection.
  const secureContext = createSecureContext({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' });
  const httpConnectionListeners = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  const handOver = (socket: Socket) => {
    for (const listener of httpConnectionListeners) listener.call(server, socket);
  };

  const pending = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    pending.add(socket);
    const onError = () => socket.destroy();
    socket.on('error', onError);
    socket.once('close', () => pending.delete(socket));
    const timer = setTimeout(() => socket.destroy(), HANDSHAKE_TIMEOUT_MS);
    timer.unref();
    const settle = () => {
      clearTimeout(timer);
      pending.delete(socket);
    };

    socket.once('readable', () => {
      const first = socket.read(1) as Buffer | null;
      if (first === null) {
        // EOF before a single byte: nothing to serve.
        settle();
        socket.destroy();
        return;
      }
      socket.unshift(first);
      if (first[0] !== TLS_HANDSHAKE_RECORD) {
        settle();
        socket.off('error', onError);
        handOver(socket);
        return;
      }
      // TLSSocket takes over the raw socket and replays what is buffered (the unshifted ClientHello).
      const secure = new TLSSocket(socket, { isServer: true, secureContext, ALPNProtocols: ['http/1.1'] });
      const onTlsError = () => {
        // e.g. a client that does not trust the CA aborts the handshake: just close.
        settle();
        secure.destroy();
        socket.destroy();
      };
      secure.on('error', onTlsError);
      secure.once('secure', () => {
        settle();
        secure.off('error', onTlsError);
        handOver(secure);
      });
    });
  });

  const closeAll = server.closeAllConnections.bind(server);
  server.closeAllConnections = () => {
    closeAll();
    for (const socket of pending) socket.destroy();
    pending.clear();
  };
}
