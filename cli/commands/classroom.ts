import type { Command } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { builtInCheckers } from '../../checkers/index.ts';
import { ClassroomService } from '../../server/classroom/index.ts';
import { gradebookCsv } from '../../server/core/classroom/gradebook.ts';
import { HttpError } from '../../server/core/errors.ts';
import type { GradebookView } from '../../server/core/protocol.ts';
import { createLintRegistry, FileLabCatalog } from '../../server/labs/index.ts';
import { SqliteClassroomStore, SqliteProgressStore } from '../../server/store/index.ts';
import { loadOrCreateSecret } from '../../server/workspace/secret.ts';
import { LABS_DIR } from '../paths.ts';

interface StoreOptions {
  dataDir: string;
  labsDir: string;
}

/**
 * `labrunner classroom …`: classrooms from the command line. Works on labrunner.db directly, so it works
 * whether or not a server runs; a running server reads classrooms from the same file and applies revocations
 * at its next sweep.
 */
export function registerClassroomCommand(program: Command): void {
  const classroom = program.command('classroom').description('create and run classrooms: join links, instructor links, gradebooks, revocations');
  const withStore = (cmd: Command) =>
    cmd
      .option('--data-dir <path>', 'the server\'s data dir (env LABRUNNER_DATA_DIR)', process.env.LABRUNNER_DATA_DIR ?? './data')
      .option('--labs-dir <path>', 'folder of labs (env LABRUNNER_LABS_DIR)', process.env.LABRUNNER_LABS_DIR ?? LABS_DIR);

  withStore(classroom.command('create'))
    .description('create a classroom; prints its join link, join code and instructor link')
    .requiredOption('--lab <id...>', 'the labs the class does, in order')
    .requiredOption('--name <text>', 'the classroom\'s name')
    .option('--roster <file>', 'only these ids may join (one per line)')
    .option('--stuck-minutes <n>', 'flag a student after this many minutes without a passed step', '10')
    .option('--stuck-failures <n>', 'flag a student after this many failed checks on a step', '3')
    .option('--url <server url>', 'the server as students reach it', 'http://127.0.0.1:3000')
    .action((opts: StoreOptions & { lab: string[]; name: string; roster?: string; stuckMinutes: string; stuckFailures: string; url: string }) =>
      withService(opts, async (service) => {
        const roster = opts.roster ? await readFile(opts.roster, 'utf8').catch(() => fail(`cannot read the roster file '${opts.roster}'`)) : undefined;
        const { classroom, instructorKey } = await service.create({
          name: opts.name,
          labIds: opts.lab,
          roster,
          stuckMinutes: Number(opts.stuckMinutes),
          stuckFailures: Number(opts.stuckFailures),
        });
        const origin = serverOrigin(opts.url);
        const summary = service.summary(classroom, origin);
        console.log(`classroom ${classroom.id} created: ${classroom.name}`);
        console.log(`join link:        ${summary.joinUrl}`);
        console.log(`join code:        ${classroom.joinCode}`);
        // Shown once: only its digest is stored.
        console.log(`instructor link:  ${service.instructorUrl(classroom.id, instructorKey, origin)}  (shown once; keep it private)`);
      }),
    );

  withStore(classroom.command('list'))
    .description('every classroom, newest first')
    .action((opts: StoreOptions) =>
      withService(opts, async (service) => {
        const rows = service.list();
        if (!rows.length) return void console.log('no classrooms');
        for (const c of rows) {
          const s = service.summary(c, '');
          console.log(`${c.id}  ${c.closedAt ? 'closed' : 'open  '}  ${String(s.studentCount).padStart(3)} students  ${c.joinCode}  ${c.labIds.join(',')}  ${c.name}`);
        }
      }),
    );

  withStore(classroom.command('show'))
    .description('a classroom and its students\' scores')
    .argument('<id>')
    .option('--url <server url>', 'the server as students reach it', 'http://127.0.0.1:3000')
    .action((id: string, opts: StoreOptions & { url: string }) =>
      withService(opts, async (service) => {
        const view = await service.dashboard(id, serverOrigin(opts.url));
        const c = view.classroom;
        console.log(`${c.id}: ${c.name}${c.closedAt ? ' (closed)' : ''}`);
        console.log(`join link: ${c.joinUrl}  code: ${c.joinCode}${c.hasRoster ? '  (roster)' : ''}`);
        console.log(`labs: ${c.labIds.join(', ')}  stuck after ${c.stuck.noProgressMinutes} min or ${c.stuck.failedAttempts} failed checks`);
        for (const s of view.students) {
          const score = Object.values(s.labs).reduce((sum, l) => ({ earned: sum.earned + l.score.earned, total: sum.total + l.score.total }), { earned: 0, total: 0 });
          const flags = [s.revoked ? 'revoked' : '', s.stuck ? `stuck: ${s.stuck.message}` : ''].filter(Boolean).join('; ');
          console.log(`  ${s.learnerId}  ${s.rosterId ?? '-'}  ${score.earned}/${score.total}  ${s.displayName}${flags ? `  (${flags})` : ''}`);
        }
      }),
    );

  withStore(classroom.command('export'))
    .description('the gradebook: one row per student and step (points, attempts, first pass, total)')
    .argument('<id>')
    .option('--format <csv|json>', 'csv or json', 'csv')
    .option('--output <file>', 'write here instead of standard output')
    .action((id: string, opts: StoreOptions & { format: string; output?: string }) =>
      withService(opts, async (service) => {
        if (opts.format !== 'csv' && opts.format !== 'json') fail(`--format must be csv or json, not '${opts.format}'`);
        const c = service.get(id);
        const rows = await service.gradebook(id);
        const view: GradebookView = { classroom: { id: c.id, name: c.name }, exportedAt: new Date().toISOString(), rows };
        const text = opts.format === 'csv' ? gradebookCsv(rows) : `${JSON.stringify(view, null, 2)}\n`;
        if (opts.output) {
          await writeFile(opts.output, text);
          console.log(`wrote ${rows.length} rows to ${opts.output}`);
        } else {
          process.stdout.write(text);
        }
      }),
    );

  withStore(classroom.command('revoke'))
    .description("end a student's access (by learner id or roster id); their work stays")
    .argument('<id>')
    .argument('<student>', 'learner id or roster id')
    .action((id: string, who: string, opts: StoreOptions) =>
      withService(opts, async (service) => {
        const student = service.revoke(id, who);
        console.log(`revoked ${student.learnerId} (${student.displayName}); a running server ends their connections at its next sweep`);
      }),
    );

  withStore(classroom.command('close'))
    .description('close a classroom: no more joins, students\' sessions end')
    .argument('<id>')
    .action((id: string, opts: StoreOptions) =>
      withService(opts, async (service) => {
        service.close(id);
        console.log(`closed ${id}`);
      }),
    );

  withStore(classroom.command('instructor-link'))
    .description('replace the instructor link (the old one and its sessions stop working)')
    .argument('<id>')
    .option('--url <server url>', 'the server as instructors reach it', 'http://127.0.0.1:3000')
    .action((id: string, opts: StoreOptions & { url: string }) =>
      withService(opts, async (service) => {
        const key = service.rotateInstructorKey(id);
        console.log(`instructor link: ${service.instructorUrl(id, key, serverOrigin(opts.url))}  (shown once; keep it private)`);
      }),
    );
}

/** Opens the stores on the data dir, runs `work`, and always closes them; expected errors print and exit 2. */
async function withService(opts: StoreOptions, work: (service: ClassroomService) => Promise<void>): Promise<void> {
  const dataDir = path.resolve(opts.dataDir);
  const progress = SqliteProgressStore.open(dataDir);
  const store = SqliteClassroomStore.open(dataDir);
  const labs = new FileLabCatalog(path.resolve(opts.labsDir), {
    checkers: createLintRegistry(builtInCheckers),
    // The same secret as the server's, so hints in `show` read as the students saw them.
    variableSecret: await loadOrCreateSecret(path.join(dataDir, 'variables-secret')),
  });
  const service = new ClassroomService({ store, progress, labs, now: Date.now });
  try {
    await work(service);
  } catch (err) {
    if (err instanceof HttpError) fail(err.message);
    throw err;
  } finally {
    service.dispose();
    store.dispose();
    progress.dispose();
  }
}

function serverOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return fail(`--url must be the server's URL, like http://127.0.0.1:3000, not '${url}'`);
  }
}

function fail(message: string): never {
  console.error(`labrunner: ${message}`);
  process.exit(2);
}
