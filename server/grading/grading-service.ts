import { substituteInValue, substituteVariables } from '../core/lab/variables.ts';
import type { CheckResult, CommandSpec } from '../core/checks.ts';
import type { LabDefinition, LabStep } from '../core/lab/model.ts';
import type { CheckerRegistry } from '../core/grading/checker-registry.ts';
import { applyResults, initialProgress, labScore, revealHints, type CheckTrigger, type StepProgress } from '../core/grading/progress.ts';
import type { IProgressStore } from '../core/grading/store.ts';
import { Disposable, toDisposable } from '../core/lifecycle.ts';
import { Emitter } from '../core/event.ts';
import { HttpError } from '../core/errors.ts';
import type { CheckResultView, LabProgressView, StepProgressView } from '../core/protocol.ts';
import { createAwsClients, type AwsClients } from '../aws/clients.ts';
import type { IAwsTarget, LearnerAwsAccess } from '../aws/index.ts';
import { AwsTargets } from '../aws/targets.ts';
import type { ILabCatalog, LearnerContext } from '../labs/index.ts';

export interface GradingDeps {
  labs: ILabCatalog;
  store: IProgressStore;
  checkers: CheckerRegistry<AwsClients>;
  /**
   * Where learners' AWS lives: the sandbox and/or real AWS, each lab using the one its `environment` names.
   * Without a sandbox, a sandbox lab's AWS checks report `error` (they could not run); without real AWS, a
   * lab on real AWS cannot be checked at all (`AwsTargetMissing`).
   */
  aws?: IAwsTarget | readonly IAwsTarget[] | AwsTargets;
  workspaceOf(learnerId: string, labId: string): string;
  /** The same environment the learner's shell has, for `shell` checks. */
  shellEnvOf(learnerId: string, labId: string): Promise<Record<string, string>>;
  /** Confined learners: how their `shell` checks run as them (undefined: not confined). */
  runAsLearnerOf?(learnerId: string): ((command: CommandSpec) => Promise<CommandSpec>) | undefined;
  /** Markdown to safe HTML (hints). */
  renderMarkdown(markdown: string, labId: string): string;
  now(): number;
  checkTimeoutMs?: number;
  /** Author mode (`labrunner dev`): results carry the checker id and its evidence, steps their last duration. */
  authorMode?: boolean;
}

/** A change in a learner's progress, for the learner's page and (later) the classroom dashboard. */
export interface ProgressChange {
  learnerId: string;
  progress: LabProgressView;
}

/**
 * Runs checks on the server and records what they find: the browser can ask for a check, never decide its
 * outcome. One run at a time per learner (later requests wait their turn), so a learner cannot flood
 * their own account or the sandbox.
 */
export class GradingService extends Disposable {
  private readonly _queues = new Map<string, Promise<unknown>>();
  /** SDK clients per target kind and learner, with the credentials they were made from. */
  private readonly _clients = new Map<string, { clients: AwsClients; credentials: LearnerAwsAccess['credentials'] }>();
  private readonly _targets: AwsTargets;
  private readonly _running = new Map<string, string>(); // learnerId -> `${labId}/${stepId}`
  /** Author mode: how long each step's last run took (learner/lab/step → ms); not worth storing. */
  private readonly _durations = new Map<string, number>();

  private readonly _onProgress = this._register(new Emitter<ProgressChange>());
  readonly onProgress = this._onProgress.event;

  constructor(private readonly _deps: GradingDeps) {
    super();
    this._targets = AwsTargets.of(_deps.aws);
    this._register(
      toDisposable(() => {
        for (const made of this._clients.values()) made.clients.dispose();
        this._clients.clear();
      }),
    );
  }

  /** True while a check of this learner is running or waiting. */
  isBusy(learnerId: string): boolean {
    return this._queues.has(learnerId);
  }

  /** The learner's progress in a lab (hints unlocked by time are revealed and saved here). */
  async progress(learnerId: string, labId: string): Promise<LabProgressView> {
    const lab = await this._lab(labId);
    const stored = this._deps.store.loadProgress(learnerId, labId);
    const now = this._deps.now();
    for (const step of lab.steps) {
      const p = stored.get(step.id);
      if (!p) continue;
      const revealed = revealHints(p, step.hints, now);
      if (revealed.length !== p.revealedHints.length) {
        const updated = { ...p, revealedHints: revealed };
        stored.set(step.id, updated);
        this._deps.store.saveProgress(learnerId, labId, step.id, updated);
      }
    }
    return this._view(learnerId, lab, stored, await this._variables(learnerId, lab));
  }

  /** The first step with checks the learner has not passed (what background checks look at). */
  async currentStep(learnerId: string, labId: string): Promise<string | undefined> {
    const lab = await this._lab(labId);
    const stored = this._deps.store.loadProgress(learnerId, labId);
    return lab.steps.find((s) => s.checks.length > 0 && stored.get(s.id)?.status !== 'passed')?.id;
  }

  /** Runs one step's checks for a learner and records the outcome. */
  checkStep(learnerId: string, labId: string, stepId: string, trigger: CheckTrigger): Promise<LabProgressView> {
    return this._enqueue(learnerId, () => this._checkStep(learnerId, labId, stepId, trigger));
  }

  /**
   * "Check all steps": every step's checks at once, for a learner who did the work in the terminal first (or
   * came back to a lab). Steps are independent read-only queries, so they run side by side in one turn of the
   * learner's queue. What it records: a pass, and any change to a step already checked (a passed step that
   * broke). A step still to do that fails is left as it was — no failed attempt, no hint, no "attempted" on
   * the dashboard — because the learner did not try that step, they asked where they stand.
   */
  checkAll(learnerId: string, labId: string): Promise<LabProgressView> {
    return this._enqueue(learnerId, () => this._checkAll(learnerId, labId));
  }

  private async _checkAll(learnerId: string, labId: string): Promise<LabProgressView> {
    const lab = await this._lab(labId);
    const target = await this._targetFor(lab, learnerId);
    const started = this._deps.now();
    const steps = lab.steps.filter((s) => s.checks.length > 0);
    const outcomes = await Promise.all(steps.map(async (step) => ({ step, results: await this._runChecks(learnerId, lab, step, target) })));
    const now = this._deps.now();
    const stored = this._deps.store.loadProgress(learnerId, labId);
    for (const { step, results } of outcomes) {
      const prev = stored.get(step.id);
      const next = applyResults(prev ?? initialProgress(started), step, results, 'auto', now);
      if (!prev && next.status !== 'passed') continue;
      this._deps.store.recordAttempt({ learnerId, labId, stepId: step.id, trigger: 'auto', at: now, durationMs: now - started, results }, next);
      stored.set(step.id, next);
    }
    const view = this._view(learnerId, lab, stored, await this._variables(learnerId, lab));
    this._onProgress.fire({ learnerId, progress: view });
    return view;
  }

  /** Runs `work` after the learner's earlier runs; the caller gets its own outcome, errors included. */
  private _enqueue<T>(learnerId: string, work: () => Promise<T>): Promise<T> {
    const previous = this._queues.get(learnerId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(work);
    const tracked: Promise<void> = run.then(
      () => undefined,
      () => undefined,
    ).finally(() => {
      if (this._queues.get(learnerId) === tracked) this._queues.delete(learnerId);
    });
    this._queues.set(learnerId, tracked);
    return run;
  }

  private async _checkStep(learnerId: string, labId: string, stepId: string, trigger: CheckTrigger): Promise<LabProgressView> {
    const lab = await this._lab(labId);
    const step = lab.steps.find((s) => s.id === stepId);
    if (!step) throw new HttpError(404, `The lab '${labId}' has no step '${stepId}'.`, { code: 'StepNotFound' });
    // A lab on real AWS is never checked against the sandbox instead (nor the reverse): no target, no check.
    const target = await this._targetFor(lab, learnerId);
    const started = this._deps.now();
    this._running.set(learnerId, `${labId}/${stepId}`);
    let results: CheckResult[];
    try {
      results = await this._runChecks(learnerId, lab, step, target);
    } finally {
      this._running.delete(learnerId);
    }
    const now = this._deps.now();
    if (this._deps.authorMode) this._durations.set(`${learnerId}/${labId}/${stepId}`, now - started);
    const stored = this._deps.store.loadProgress(learnerId, labId);
    const prev = stored.get(step.id) ?? initialProgress(started);
    const next = applyResults(prev, step, results, trigger, now);
    this._deps.store.recordAttempt({ learnerId, labId, stepId, trigger, at: now, durationMs: now - started, results }, next);
    stored.set(step.id, next);
    const view = this._view(learnerId, lab, stored, await this._variables(learnerId, lab));
    this._onProgress.fire({ learnerId, progress: view });
    return view;
  }

  /**
   * The lab's target for this learner. A refusal that says what to do (no real-AWS target on this server, a
   * classroom student who has not entered their credentials) is the answer; a target that is down is not: its
   * checks then report that they could not run.
   */
  private async _targetFor(lab: LabDefinition, learnerId: string): Promise<IAwsTarget | undefined> {
    const target = this._targets.forLab(lab.environment);
    await target?.access(learnerId).catch((err: unknown) => {
      if (err instanceof HttpError) throw err;
    });
    return target;
  }

  private async _runChecks(learnerId: string, lab: LabDefinition, step: LabStep, target: IAwsTarget | undefined): Promise<CheckResult[]> {
    const labId = lab.id;
    const variables = await this._variables(learnerId, lab);
    const aws = target ? await this._awsClients(target, learnerId).catch(() => undefined) : undefined;
    const env = await this._deps.shellEnvOf(learnerId, labId);
    const runAsLearner = this._deps.runAsLearnerOf?.(learnerId);
    const ctx = {
      learnerId,
      variables,
      aws: aws as AwsClients,
      workspace: this._deps.workspaceOf(learnerId, labId),
      env,
      ...(runAsLearner ? { runAsLearner } : {}),
    };
    // A step's checks are read-only queries: run them side by side, and report them in the lab's order.
    const timeoutMs = this._deps.checkTimeoutMs ?? 15_000;
    const results = await Promise.all(
      step.checks.map(async (spec): Promise<CheckResult> => {
        const checker = this._deps.checkers.get(spec.checker);
        if (!checker) return { status: 'error', message: `This lab uses a checker this server does not have ('${spec.checker}').` };
        if (!aws && spec.checker.startsWith('ec')) {
          return { status: 'error', message: 'This server has no AWS target (it was started with --no-sandbox), so AWS checks cannot run.' };
        }
        return this._deps.checkers.runCheck(checker, substituteInValue(spec.params, variables), ctx, { timeoutMs });
      }),
    );
    return results;
  }

  private async _variables(learnerId: string, lab: LabDefinition): Promise<Record<string, string>> {
    const learner: LearnerContext = { learnerId };
    // The values of the lab's own target; a lab whose target is missing still shows, without them.
    const target = this._targets.get(lab.environment);
    if (target) {
      const access = await target.access(learnerId).catch(() => undefined);
      if (access) Object.assign(learner, { accountId: access.accountId, region: access.region, ...(access.registry ? { registry: access.registry } : {}) });
    }
    return (await this._deps.labs.variables(lab.id, learner)) ?? {};
  }

  /** The learner's clients for a target, made again when the target renewed their credentials. */
  private async _awsClients(target: IAwsTarget, learnerId: string): Promise<AwsClients> {
    const key = `${target.kind}:${learnerId}`;
    const access = await target.access(learnerId);
    const made = this._clients.get(key);
    if (made && sameCredentials(made.credentials, access.credentials)) return made.clients;
    made?.clients.dispose();
    const clients = await createAwsClients(access);
    this._clients.set(key, { clients, credentials: access.credentials });
    return clients;
  }

  private async _lab(labId: string): Promise<LabDefinition> {
    const entry = await this._deps.labs.get(labId);
    if (!entry) throw new HttpError(404, `There is no lab '${labId}'.`, { code: 'LabNotFound' });
    if (!entry.definition) throw new HttpError(409, `The lab '${labId}' has errors and cannot be graded.`, { code: 'LabUnavailable' });
    return entry.definition;
  }

  private _view(learnerId: string, lab: LabDefinition, stored: Map<string, StepProgress>, variables: Record<string, string>): LabProgressView {
    const running = this._running.get(learnerId);
    const steps: Record<string, StepProgressView> = {};
    for (const step of lab.steps) {
      const p = stored.get(step.id);
      steps[step.id] = {
        status: p?.status ?? 'not-started',
        attempts: p?.attempts ?? 0,
        pointsAwarded: p?.pointsAwarded ?? 0,
        points: step.points,
        ...(p?.firstPassedAt !== undefined ? { firstPassedAt: p.firstPassedAt } : {}),
        ...(p?.lastCheckedAt !== undefined ? { lastCheckedAt: p.lastCheckedAt } : {}),
        results: (p?.lastResults ?? []).map((r, i) => {
          const view = resultView(r, substituteVariables(step.checks[i]?.title ?? step.checks[i]?.checker ?? `check ${i + 1}`, variables));
          if (!this._deps.authorMode) return view;
          return { ...view, ...(step.checks[i] ? { checker: step.checks[i]!.checker } : {}), ...(r.evidence ? { evidence: r.evidence } : {}) };
        }),
        ...(this._deps.authorMode && this._durations.has(`${learnerId}/${lab.id}/${step.id}`)
          ? { lastDurationMs: this._durations.get(`${learnerId}/${lab.id}/${step.id}`)! }
          : {}),
        hintsHtml: (p?.revealedHints ?? []).flatMap((i) => {
          const hint = step.hints[i];
          return hint ? [this._deps.renderMarkdown(substituteVariables(hint.text, variables), lab.id)] : [];
        }),
        ...(running === `${lab.id}/${step.id}` ? { checking: true } : {}),
      };
    }
    return { labId: lab.id, score: labScore(lab.steps, stored), steps };
  }
}

function sameCredentials(a: LearnerAwsAccess['credentials'], b: LearnerAwsAccess['credentials']): boolean {
  return a.accessKeyId === b.accessKeyId && a.secretAccessKey === b.secretAccessKey && a.sessionToken === b.sessionToken;
}

function resultView(r: CheckResult, title: string): CheckResultView {
  return { title, status: r.status, message: r.message, ...(r.status === 'fail' ? { hint: r.hint } : {}) };
}
