#!/usr/bin/env node
// The one executable. TypeScript runs directly through tsx: no build step between an edit and a run.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
