/**
 * Where the registry's TLS certificate lives: `scripts/setup-system` issues one leaf for
 * `*.dkr.ecr.<region>.localhost` (every commercial region), `localhost`, 127.0.0.1 and ::1 from a
 * name-constrained local CA that the system trusts, and writes it to /var/lib/labrunner/tls.
 */
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import type { TlsFiles } from './listen-dual.ts';

/** Default folder of `registry.crt`, `registry.key` and `ca.crt` (setup-system writes it). */
export const DEFAULT_REGISTRY_TLS_DIR = '/var/lib/labrunner/tls';

/** The TLS folder: `LABRUNNER_SANDBOX_TLS_DIR` when set, else {@link DEFAULT_REGISTRY_TLS_DIR}. */
export function registryTlsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['LABRUNNER_SANDBOX_TLS_DIR'] || DEFAULT_REGISTRY_TLS_DIR;
}

/**
 * The certificate and key in `dir` when this process can read both; else undefined and, through
 * `warn`, why (the sandbox then names its registry `localhost:<port>` and serves plain HTTP only).
 */
export function findRegistryTls(dir: string = registryTlsDir(), warn?: (message: string) => void): TlsFiles | undefined {
  const files: TlsFiles = { certFile: join(dir, 'registry.crt'), keyFile: join(dir, 'registry.key') };
  for (const file of [files.certFile, files.keyFile]) {
    try {
      accessSync(file, constants.R_OK);
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'not readable by this user';
      warn?.(
        `sandbox: no registry TLS (${file} ${why}; scripts/setup-system creates it): registry host is localhost:<port>, ` +
          'ECR-shaped hosts are off because `docker login` through podman needs TLS for them',
      );
      return undefined;
    }
  }
  return files;
}
