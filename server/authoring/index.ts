/** Tools for lab authors: `labrunner test` solves labs with their solve/ scripts and judges their checks. */
export { testLabs, type IsolationMode, type LabTestOptions } from './lab-tester.ts';
export { LearnerShell, type TypedCommandResult } from './learner-shell.ts';
export { formatReport, judgeStep, summarize, type CheckOutcome, type IsolationReport, type LabReport, type SolveOutcome, type StepProblem, type StepReport, type StepVerdict, type TestReport } from './verdict.ts';
