/**
 * Small in-test implementations of the contracts the registry consumes (`IImageService`,
 * `IRegistryAuth`), with ECR's rules where the registry depends on them (missing repository,
 * immutable tags). Used until — and alongside — the real sandbox services.
 */
import type { IImageService, IRegistryAuth, RegistryAuthResult, RepositoryInfo, Scope, StoredManifest } from '../../../sandbox/contracts.ts';

class NamedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface Repo {
  info: RepositoryInfo;
  manifests: Map<string, StoredManifest>;
  tags: Map<string, string>;
}

/** In-memory ECR image model. */
export class FakeImageService implements IImageService {
  private readonly _repos = new Map<string, Repo>();

  private _key(scope: Scope, name: string): string {
    return `${scope.accountId}/${scope.region}/${name}`;
  }

  createRepository(scope: Scope, name: string, imageTagMutability: 'MUTABLE' | 'IMMUTABLE' = 'MUTABLE'): void {
    this._repos.set(this._key(scope, name), { info: { scope, name, imageTagMutability }, manifests: new Map(), tags: new Map() });
  }

  getRepository(scope: Scope, name: string): RepositoryInfo | undefined {
    return this._repos.get(this._key(scope, name))?.info;
  }

  async putManifest(scope: Scope, name: string, manifest: StoredManifest, tag: string | undefined): Promise<string> {
    const repo = this._repos.get(this._key(scope, name));
    if (!repo) throw new NamedError('RepositoryNotFoundException', `The repository with name '${name}' does not exist in the registry with id '${scope.accountId}'`);
    if (tag !== undefined && repo.info.imageTagMutability === 'IMMUTABLE') {
      const current = repo.tags.get(tag);
      if (current !== undefined && current !== manifest.digest) {
        throw new NamedError('ImageTagAlreadyExistsException', `The image tag '${tag}' already exists in the '${name}' repository and cannot be overwritten because the repository is immutable.`);
      }
    }
    repo.manifests.set(manifest.digest, { ...manifest, bytes: new Uint8Array(manifest.bytes) });
    if (tag !== undefined) repo.tags.set(tag, manifest.digest);
    return manifest.digest;
  }

  getManifest(scope: Scope, name: string, reference: string): StoredManifest | undefined {
    const repo = this._repos.get(this._key(scope, name));
    if (!repo) return undefined;
    const digest = reference.includes(':') ? reference : repo.tags.get(reference);
    return digest === undefined ? undefined : repo.manifests.get(digest);
  }

  listTags(scope: Scope, name: string): string[] {
    return [...(this._repos.get(this._key(scope, name))?.tags.keys() ?? [])].sort();
  }

  deleteManifest(scope: Scope, name: string, digest: string): boolean {
    const repo = this._repos.get(this._key(scope, name));
    if (!repo || !repo.manifests.delete(digest)) return false;
    for (const [tag, d] of repo.tags) if (d === digest) repo.tags.delete(tag);
    return true;
  }
}

/** Registry passwords decided by the test: `issue()` returns a password bound to a scope. */
export class FakeRegistryAuth implements IRegistryAuth {
  private readonly _passwords = new Map<string, RegistryAuthResult>();
  private _next = 0;

  issue(scope: Scope, state: 'valid' | 'expired' = 'valid'): string {
    const password = `pw-${++this._next}-${scope.accountId}`;
    this._passwords.set(password, state === 'valid' ? { ok: true, ...scope } : { ok: false, reason: 'expired' });
    return password;
  }

  verifyBasic(header: string | undefined): RegistryAuthResult {
    const m = header === undefined ? null : /^Basic\s+(\S+)$/i.exec(header);
    if (!m) return { ok: false, reason: 'missing' };
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0 || decoded.slice(0, colon) !== 'AWS') return { ok: false, reason: 'invalid' };
    return this._passwords.get(decoded.slice(colon + 1)) ?? { ok: false, reason: 'invalid' };
  }
}
