import { Option, type Command } from 'commander';
import path from 'node:path';
import { BIN, CLIENT_DIST, LABS_DIR } from '../paths.ts';

interface TestCommandOptions {
  labsDir: string;
  json?: boolean;
  timeout: string;
  settle: string;
  isolation: 'auto' | 'on' | 'off';
}

/**
 * `labrunner test [lab…]`: solves each lab with its solve/ scripts against a sandbox and server of its own,
 * checking that every graded step fails before its solution and passes after it. Exit code 1 on any failure.
 */
export function registerTestCommand(program: Command): void {
  program
    .command('test')
    .description("solve labs with their solve/<step>.sh scripts and check that each step's checks fail before and pass after; default: every lab")
    .argument('[labs...]', 'lab ids (folder names in the labs folder)')
    .option('--labs-dir <path>', 'the folder the labs are in', LABS_DIR)
    .option('--json', 'print the report as JSON instead of a table')
    .option('--timeout <seconds>', 'how long one solve script may run', '300')
    .option('--settle <seconds>', 'how long checks that still fail after a solution are retried', '10')
    .addOption(
      new Option('--isolation <mode>', "confine the test learner like a classroom student (own OS user, sandbox, container engine); auto = when this machine can (root)")
        .choices(['auto', 'on', 'off'])
        .default('auto'),
    )
    .action(async (labs: string[], opts: TestCommandOptions, command: Command) => {
      const stepTimeoutMs = Number(opts.timeout) * 1000;
      const settleMs = Number(opts.settle) * 1000;
      if (!(stepTimeoutMs > 0)) command.error(`error: --timeout must be a number of seconds, not '${opts.timeout}'`);
      if (!(settleMs >= 0)) command.error(`error: --settle must be a number of seconds, not '${opts.settle}'`);
      // Loaded here: the other commands need not carry the server and the SDK.
      const { testLabs, formatReport } = await import('../../server/authoring/index.ts');
      if (opts.isolation === 'on') {
        const { Confinement } = await import('../../server/confinement/index.ts');
        const unavailable = Confinement.unavailable();
        if (unavailable) command.error(`error: --isolation on: ${unavailable}`);
      }
      // Ctrl-C stops the run but still cleans up (containers, images, the temporary sandbox); a second one quits.
      const interrupt = new AbortController();
      process.once('SIGINT', () => {
        process.stderr.write('labrunner test: interrupted; cleaning up (Ctrl-C again to quit at once)\n');
        interrupt.abort();
        process.once('SIGINT', () => process.exit(130));
      });
      const report = await testLabs(labs, {
        signal: interrupt.signal,
        labsDir: path.resolve(opts.labsDir),
        bin: BIN,
        clientDir: CLIENT_DIST,
        stepTimeoutMs,
        settleMs,
        isolation: opts.isolation,
        progress: (line) => process.stderr.write(`labrunner test: ${line}\n`),
      });
      if (opts.json) console.log(JSON.stringify(report, null, 2));
      else for (const line of formatReport(report)) console.log(line);
      process.exitCode = interrupt.signal.aborted ? 130 : report.ok ? 0 : 1;
    });
}
