/** ECS tables: clusters, task definitions, tasks and services, stored as JSON documents (see core/ecs/types). */
import type { ClusterDoc, ServiceDoc, TaskDefinition, TaskDoc } from '../core/ecs/types.ts';
import type { StatementCache } from './statement-cache.ts';

type Row = { doc: string };
const parse = <T>(r: Row | undefined): T | undefined => (r ? (JSON.parse(r.doc) as T) : undefined);
const parseAll = <T>(rows: Row[]): T[] => rows.map((r) => JSON.parse(r.doc) as T);

/** Access to the ECS tables. All keys include the account and region; task ids are globally unique. */
export class EcsTables {
  constructor(private readonly _statements: StatementCache) {}

  getCluster(accountId: string, region: string, name: string): ClusterDoc | undefined {
    return parse(this._statements.prepare('SELECT doc FROM ecs_clusters WHERE account_id = ? AND region = ? AND name = ?').get(accountId, region, name) as Row | undefined);
  }

  listClusters(accountId: string, region: string): ClusterDoc[] {
    return parseAll(this._statements.prepare('SELECT doc FROM ecs_clusters WHERE account_id = ? AND region = ? ORDER BY name').all(accountId, region) as Row[]);
  }

  putCluster(accountId: string, region: string, doc: ClusterDoc): void {
    this._statements
      .prepare('INSERT INTO ecs_clusters (account_id, region, name, doc) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET doc = excluded.doc')
      .run(accountId, region, doc.name, JSON.stringify(doc));
  }

  getTaskDefinition(accountId: string, region: string, family: string, revision: number): TaskDefinition | undefined {
    return parse(
      this._statements
        .prepare('SELECT doc FROM ecs_task_definitions WHERE account_id = ? AND region = ? AND family = ? AND revision = ?')
        .get(accountId, region, family, revision) as Row | undefined,
    );
  }

  /** Highest revision of a family (any status), 0 when none. */
  lastRevision(accountId: string, region: string, family: string): number {
    const r = this._statements
      .prepare('SELECT MAX(revision) AS rev FROM ecs_task_definitions WHERE account_id = ? AND region = ? AND family = ?')
      .get(accountId, region, family) as { rev: number | null };
    return r.rev ?? 0;
  }

  /** Latest ACTIVE revision of a family. */
  latestActive(accountId: string, region: string, family: string): TaskDefinition | undefined {
    return parse(
      this._statements
        .prepare("SELECT doc FROM ecs_task_definitions WHERE account_id = ? AND region = ? AND family = ? AND status = 'ACTIVE' ORDER BY revision DESC LIMIT 1")
        .get(accountId, region, family) as Row | undefined,
    );
  }

  putTaskDefinition(accountId: string, region: string, doc: TaskDefinition): void {
    this._statements
      .prepare(
        `INSERT INTO ecs_task_definitions (account_id, region, family, revision, status, doc) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET status = excluded.status, doc = excluded.doc`,
      )
      .run(accountId, region, doc.family, doc.revision, doc.status, JSON.stringify(doc));
  }

  /** Task definitions of a scope, by family then revision. */
  listTaskDefinitions(accountId: string, region: string): TaskDefinition[] {
    return parseAll(
      this._statements.prepare('SELECT doc FROM ecs_task_definitions WHERE account_id = ? AND region = ? ORDER BY family, revision').all(accountId, region) as Row[],
    );
  }

  getTask(taskId: string): TaskDoc | undefined {
    return parse(this._statements.prepare('SELECT doc FROM ecs_tasks WHERE task_id = ?').get(taskId) as Row | undefined);
  }

  putTask(doc: TaskDoc): void {
    this._statements
      .prepare(
        `INSERT INTO ecs_tasks (task_id, account_id, region, cluster, service, last_status, created_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET last_status = excluded.last_status, doc = excluded.doc`,
      )
      .run(doc.taskId, doc.accountId, doc.region, doc.clusterName, doc.serviceName ?? null, doc.lastStatus, doc.createdAt, JSON.stringify(doc));
  }

  /** Tasks of a cluster, oldest first. */
  listTasks(accountId: string, region: string, cluster: string): TaskDoc[] {
    return parseAll(
      this._statements.prepare('SELECT doc FROM ecs_tasks WHERE account_id = ? AND region = ? AND cluster = ? ORDER BY created_at, task_id').all(accountId, region, cluster) as Row[],
    );
  }

  /** Every task not yet STOPPED, in every scope. */
  listUnstoppedTasks(): TaskDoc[] {
    return parseAll(this._statements.prepare("SELECT doc FROM ecs_tasks WHERE last_status != 'STOPPED' ORDER BY created_at").all() as Row[]);
  }

  /** Tasks of a service (any status), oldest first. */
  listServiceTasks(accountId: string, region: string, cluster: string, service: string): TaskDoc[] {
    return parseAll(
      this._statements
        .prepare('SELECT doc FROM ecs_tasks WHERE account_id = ? AND region = ? AND cluster = ? AND service = ? ORDER BY created_at, task_id')
        .all(accountId, region, cluster, service) as Row[],
    );
  }

  getService(accountId: string, region: string, cluster: string, name: string): ServiceDoc | undefined {
    return parse(
      this._statements.prepare('SELECT doc FROM ecs_services WHERE account_id = ? AND region = ? AND cluster = ? AND name = ?').get(accountId, region, cluster, name) as
        | Row
        | undefined,
    );
  }

  putService(accountId: string, region: string, doc: ServiceDoc): void {
    this._statements
      .prepare(
        `INSERT INTO ecs_services (account_id, region, cluster, name, status, doc) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET status = excluded.status, doc = excluded.doc`,
      )
      .run(accountId, region, doc.clusterName, doc.name, doc.status, JSON.stringify(doc));
  }

  listServices(accountId: string, region: string, cluster: string): ServiceDoc[] {
    return parseAll(
      this._statements.prepare('SELECT doc FROM ecs_services WHERE account_id = ? AND region = ? AND cluster = ? ORDER BY name').all(accountId, region, cluster) as Row[],
    );
  }

  /** Services that still schedule (ACTIVE or DRAINING), in every scope, with their scope. */
  listLiveServices(): { accountId: string; region: string; doc: ServiceDoc }[] {
    const rows = this._statements
      .prepare("SELECT account_id AS accountId, region, doc FROM ecs_services WHERE status != 'INACTIVE' ORDER BY account_id, region, cluster, name")
      .all() as { accountId: string; region: string; doc: string }[];
    return rows.map((r) => ({ accountId: r.accountId, region: r.region, doc: JSON.parse(r.doc) as ServiceDoc }));
  }
}
