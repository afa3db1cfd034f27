import { describe, expect, it } from 'vitest';
import { digestHex, isRepositoryName, isTag, parseManifestReference } from './grammar.ts';
import { parseRegistryPath } from './routes.ts';

const D = `sha256:${'a'.repeat(64)}`;

describe('registry grammar', () => {
  it('accepts ECR repository names with slashes and rejects traversal', () => {
    expect(isRepositoryName('team/app-1.web_x')).toBe(true);
    expect(isRepositoryName('a')).toBe(false); // ECR: at least 2 characters
    for (const bad of ['..', 'a/../b', 'a//b', '/a', 'A', 'a%2Fb', 'a/.b', 'x'.repeat(257)]) {
      expect(isRepositoryName(bad), bad).toBe(false);
    }
  });

  it('tells tags from digests', () => {
    expect(parseManifestReference('v1.0_rc-1')).toEqual({ kind: 'tag', tag: 'v1.0_rc-1' });
    expect(parseManifestReference(D)).toEqual({ kind: 'digest', digest: D });
    expect(parseManifestReference('.hidden')).toBeUndefined();
    expect(parseManifestReference('x'.repeat(129))).toBeUndefined();
    expect(isTag('x'.repeat(128))).toBe(true);
  });

  it('only extracts hex from sha256 digests', () => {
    expect(digestHex(D)).toBe('a'.repeat(64));
    expect(digestHex(`sha256:${'A'.repeat(64)}`)).toBeUndefined();
    expect(digestHex(`sha512:${'a'.repeat(128)}`)).toBeUndefined();
    expect(digestHex('sha256:../../etc/passwd')).toBeUndefined();
  });
});

describe('parseRegistryPath', () => {
  it('routes names containing slashes and route words', () => {
    expect(parseRegistryPath('/v2/')).toEqual({ kind: 'base' });
    expect(parseRegistryPath('/v2/team/blobs/manifests/v1')).toEqual({ kind: 'manifest', name: 'team/blobs', reference: 'v1' });
    expect(parseRegistryPath(`/v2/a/b/c/blobs/${D}`)).toEqual({ kind: 'blob', name: 'a/b/c', digest: D });
    expect(parseRegistryPath('/v2/myrepo/blobs/uploads/')).toEqual({ kind: 'uploads', name: 'myrepo' });
    expect(parseRegistryPath('/v2/myrepo/blobs/uploads/0f1e2d3c-4b5a-4968-8778-695a4b3c2d1e')).toEqual({
      kind: 'upload',
      name: 'myrepo',
      uploadId: '0f1e2d3c-4b5a-4968-8778-695a4b3c2d1e',
    });
    expect(parseRegistryPath('/v2/my/repo/tags/list')).toEqual({ kind: 'tags', name: 'my/repo' });
  });

  it('rejects traversal as NAME_INVALID and bad upload ids as BLOB_UPLOAD_UNKNOWN', () => {
    expect(() => parseRegistryPath('/v2/../../etc/manifests/x')).toThrow(expect.objectContaining({ code: 'NAME_INVALID', status: 400 }));
    expect(() => parseRegistryPath('/v2/a%2F..%2Fb/tags/list')).toThrow(expect.objectContaining({ code: 'NAME_INVALID' }));
    expect(() => parseRegistryPath('/v2/repo/blobs/uploads/..')).toThrow(expect.objectContaining({ code: 'BLOB_UPLOAD_UNKNOWN' }));
    expect(parseRegistryPath('/v2/repo/other')).toBeUndefined();
  });
});
