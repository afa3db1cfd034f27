/** Grading on the server: running a step's checks, recording progress, background checks. */
export { GradingService, type GradingDeps, type ProgressChange } from './grading-service.ts';
export { AutoChecker, AUTO_CHECK_BACKOFF_MS } from './auto-checker.ts';
