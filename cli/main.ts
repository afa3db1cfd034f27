import { Command } from 'commander';
import { registerBenchCommand } from './commands/bench.ts';
import { registerClassroomCommand } from './commands/classroom.ts';
import { registerDevCommand } from './commands/dev.ts';
import { registerLintCommand } from './commands/lint.ts';
import { registerSandboxCommand } from './commands/sandbox.ts';
import { registerServeCommand } from './commands/serve.ts';
import { registerTestCommand } from './commands/test.ts';

/** `labrunner <command>`: every entry point of the product. */
const program = new Command('labrunner')
  .description('Interactive labs beside a real shell, graded against AWS ECR/ECS or the embedded sandbox.')
  .showHelpAfterError();

registerServeCommand(program);
registerSandboxCommand(program);
registerBenchCommand(program);
registerLintCommand(program);
registerDevCommand(program);
registerTestCommand(program);
registerClassroomCommand(program);

await program.parseAsync(process.argv);
