import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { LAB_ID_PATTERN } from '../../server/core/protocol.ts';
import { LABS_DIR } from '../paths.ts';
import { runServe } from './serve.ts';

/**
 * `labrunner dev <lab>`: a lab in author mode. Saving lab.md (or anything in the lab's folder) re-renders the
 * page without touching the terminal, each check shows its raw result and timing beside the learner's hint,
 * and lint problems appear above the instructions.
 */
export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description('open a lab in author mode: live reload, check evidence, lint problems on the page')
    .argument('<lab>', "a lab's folder, or the id of a lab in labs/")
    .option('--port <number>', 'port to listen on', '3000')
    .option('--data-dir <path>', 'where workspaces and state live', './data')
    .option('--sandbox-port <number>', 'port of the embedded AWS sandbox', '4580')
    .option('--no-sandbox', 'do not start the embedded AWS sandbox')
    .action(async (lab: string, opts: { port: string; dataDir: string; sandboxPort: string; sandbox: boolean }) => {
      const dir = resolveLabDir(lab);
      if (!dir) {
        console.error(`labrunner: '${lab}' is not a lab folder (one with a lab.md, named like a lab id) nor a lab in ${LABS_DIR}`);
        process.exit(2);
      }
      const labId = path.basename(dir);
      await runServe(
        {
          host: '127.0.0.1',
          port: opts.port,
          dataDir: opts.dataDir,
          idleTimeout: '30',
          setup: true,
          sandbox: opts.sandbox,
          sandboxPort: opts.sandboxPort,
          labsDir: path.dirname(dir),
          authorMode: true,
          // One author on their own machine: their shell is theirs.
          isolation: 'off',
        },
        (url) => console.log(`author mode: open ${url}/lab/${labId} — saving ${path.join(dir, 'lab.md')} updates the page`),
      );
    });
}

function resolveLabDir(lab: string): string | undefined {
  const candidates = [path.resolve(lab), path.join(LABS_DIR, lab)];
  return candidates.find((d) => existsSync(path.join(d, 'lab.md')) && statSync(d).isDirectory() && LAB_ID_PATTERN.test(path.basename(d)));
}
