/**
 * Code both the lab server and the sandbox use, with no dependency on either (the server never imports the
 * sandbox, nor the sandbox the server's adapters).
 */
import { request } from 'node:http';

/** `GET /_ping` over a unix socket: the Docker Engine API's own liveness probe (true when it answers 200 within 1 s). */
export function pingDockerApi(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}
