import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root folder (where package.json is), wherever the command was started from. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const LABS_DIR = path.join(PROJECT_ROOT, 'labs');
export const CLIENT_DIR = path.join(PROJECT_ROOT, 'client');
export const CLIENT_DIST = path.join(CLIENT_DIR, 'dist');
export const SETUP_SCRIPT = path.join(PROJECT_ROOT, 'scripts', 'setup-system');
export const BIN = path.join(PROJECT_ROOT, 'bin', 'labrunner.js');
