/**
 * The metadata database's migrations, applied in order; `schema_version` records how far a database got.
 * Never edit a shipped migration: append a new one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: accounts, repositories, images, tags, scans, lifecycle previews, registry settings.
  `
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE accounts (
    learner_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL UNIQUE,
    access_key_id TEXT NOT NULL UNIQUE,
    secret_access_key TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE repositories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    tag_mutability TEXT NOT NULL,
    scan_on_push INTEGER NOT NULL,
    encryption_type TEXT NOT NULL,
    kms_key TEXT,
    policy_text TEXT,
    lifecycle_policy_text TEXT,
    lifecycle_evaluated_at INTEGER,
    UNIQUE (account_id, region, name)
  );
  CREATE TABLE repository_tags (
    repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (repository_id, key)
  );
  CREATE TABLE images (
    repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    digest TEXT NOT NULL,
    media_type TEXT NOT NULL,
    artifact_media_type TEXT,
    manifest BLOB NOT NULL,
    size INTEGER NOT NULL,
    pushed_at INTEGER NOT NULL,
    scan_status TEXT,
    scan_description TEXT,
    scan_started_at INTEGER,
    scan_completed_at INTEGER,
    scan_findings TEXT,
    vulnerability_source_updated_at INTEGER,
    PRIMARY KEY (repository_id, digest)
  );
  CREATE TABLE image_tags (
    repository_id INTEGER NOT NULL,
    tag TEXT NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (repository_id, tag),
    FOREIGN KEY (repository_id, digest) REFERENCES images(repository_id, digest) ON DELETE CASCADE
  );
  CREATE INDEX image_tags_by_digest ON image_tags (repository_id, digest);
  CREATE TABLE lifecycle_previews (
    repository_id INTEGER PRIMARY KEY REFERENCES repositories(id) ON DELETE CASCADE,
    policy_text TEXT NOT NULL,
    status TEXT NOT NULL,
    results TEXT NOT NULL
  );
  CREATE TABLE registry_settings (
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    replication TEXT,
    PRIMARY KEY (account_id, region)
  );
  `,
  // 2: ECS: clusters, task definitions, tasks and services as JSON documents (shapes in sandbox/core/ecs),
  // with the columns the sandbox queries by.
  `
  CREATE TABLE ecs_clusters (
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (account_id, region, name)
  );
  CREATE TABLE ecs_task_definitions (
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    family TEXT NOT NULL,
    revision INTEGER NOT NULL,
    status TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (account_id, region, family, revision)
  );
  CREATE TABLE ecs_tasks (
    task_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    cluster TEXT NOT NULL,
    service TEXT,
    last_status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE INDEX ecs_tasks_by_cluster ON ecs_tasks (account_id, region, cluster, created_at);
  CREATE INDEX ecs_tasks_active ON ecs_tasks (last_status);
  CREATE TABLE ecs_services (
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    cluster TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (account_id, region, cluster, name)
  );
  `,
  // 3: DescribeImages pages newest first; this index hands it the digests in that order without a sort.
  `CREATE INDEX images_by_push ON images (repository_id, pushed_at DESC, digest);`,
];
