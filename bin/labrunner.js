#!/usr/bin/env node
// The one executable.
// The long-running servers — `serve` (the default command) and `sandbox` — run from an esbuild bundle of the CLI,
// rebuilt here whenever a source file is newer (~100 ms), so `npm start` still needs no build step. Under tsx
// they cost ~40 MB more resident memory (its loader thread and compile caches; docs/benchmarks.md).
// Everything else, and any command with LABRUNNER_TSX=1, runs the TypeScript directly through tsx.
import v8 from 'node:v8';

const command = process.argv[2];
const isServer = command === undefined || command.startsWith('-') || command === 'serve' || command === 'sandbox';

if (isServer) {
  // Keep V8's young generation at its starting size: under a terminal flood it otherwise grows to tens of MB
  // of mostly empty space and never shrinks back (docs/benchmarks.md). The flag is read at each growth, so
  // setting it at run time works, unlike --max-semi-space-size.
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}
if (command === 'sandbox') {
  // A push arrives as thousands of 64 KiB socket buffers, and V8 counts their off-heap bytes against the old
  // generation's limit. With incremental marking, once the sandbox had sat idle for a second or two (V8 then
  // sets tight limits), each marking cycle started the next as soon as it ended, for the whole push: ~20 full
  // collections and ~0.3 s more CPU per 256 MiB. The sandbox's heap is ~25 MB, so the atomic collections that
  // remain are short. Measured with bench/registry.ts (docs/benchmarks.md, Registry).
  v8.setFlagsFromString('--no-incremental-marking');
}
if (isServer && process.env.LABRUNNER_TSX !== '1') {
  const { serverBundle } = await import('./server-bundle.js');
  await import(await serverBundle());
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
