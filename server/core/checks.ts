/**
 * The checker contract. A checker is a plain object registered explicitly (checkers/index.ts exports the
 * list; main.ts registers it): an id, a parameter schema checked when a lab is loaded or linted, and a
 * read-only `run` that returns an outcome. Outcomes are values: a missing repository is a `fail` with a
 * hint, never an exception. `error` means the checker itself could not run (credentials, network,
 * timeout) and is never shown as the learner's mistake.
 */

/** The outcome of one check. */
export type CheckResult =
  | { status: 'pass'; message: string; evidence?: Evidence }
  | { status: 'fail'; message: string; hint: string; evidence?: Evidence }
  | { status: 'error'; message: string; evidence?: Evidence };

/** What the checker saw, shown to authors (and, trimmed, to instructors). JSON-serialisable. */
export type Evidence = Record<string, unknown>;

/** A problem found in a checker's parameters, e.g. `{ path: 'repository', message: 'Required' }`. */
export interface ParamProblem {
  path: string;
  message: string;
}

/** Validates raw parameters from a lab file. */
export interface ParamSchema<P> {
  parse(raw: unknown): { ok: true; value: P } | { ok: false; problems: ParamProblem[] };
}

/** Per-learner values a lab declares (`{{suffix}}`) plus the built-ins (`accountId`, `region`, `registry`). */
export type LearnerVariables = Readonly<Record<string, string>>;

/**
 * What a checker may use. `aws` clients are configured for this learner's target (sandbox or real AWS) and
 * typed loosely here so the core stays free of the SDK; checkers import the SDK's command classes themselves.
 */
export interface CheckContext<Clients = unknown> {
  readonly learnerId: string;
  readonly variables: LearnerVariables;
  readonly aws: Clients;
  /** The learner's workspace folder (for `shell` and `file` checks). */
  readonly workspace: string;
  /** Aborted when the check's time is up; pass it to every SDK call and fetch. */
  readonly signal: AbortSignalLike;
  /**
   * The learner's shell environment (AWS_*, DOCKER_HOST, PATH with the aws wrapper), for checks that run
   * commands as the learner would (`shell`). Absent: such checks run with a minimal environment.
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Confined learners (docs/security.md): turns a command into one that runs as the learner, in their sandbox.
   * Checks that run commands (`shell`) must use it when present; absent, they run the command directly.
   */
  readonly runAsLearner?: (command: CommandSpec) => Promise<CommandSpec>;
}

/** A process to start: what `runAsLearner` takes and returns. */
export interface CommandSpec {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
}

/** The part of the platform's AbortSignal the core relies on (the core is compiled without DOM or Node types). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A checker: see the module comment. */
export interface CheckerDefinition<P = unknown, Clients = unknown> {
  /** Unique, namespaced: `ecr.repository-exists`. */
  readonly id: string;
  /** One line for authors (lint output, docs). */
  readonly description: string;
  readonly params: ParamSchema<P>;
  run(params: P, ctx: CheckContext<Clients>): Promise<CheckResult>;
}

export const pass = (message: string, evidence?: Evidence): CheckResult => ({ status: 'pass', message, evidence });
export const fail = (message: string, hint: string, evidence?: Evidence): CheckResult => ({ status: 'fail', message, hint, evidence });
export const checkError = (message: string, evidence?: Evidence): CheckResult => ({ status: 'error', message, evidence });
