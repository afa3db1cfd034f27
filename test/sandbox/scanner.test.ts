/**
 * The sandbox scanner end to end: real layer blobs (tar and tar.gz built with tar-stream) in a
 * small on-disk blob store, an OSV feed written to a temp folder, and the scan outcome.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IBlobStore, IImageScanner, StoredManifest } from '../../sandbox/contracts.ts';
import { createImageScanner, findingSeverityCounts, loadAdvisoryFeed, UNSUPPORTED_IMAGE_DESCRIPTION } from '../../sandbox/scanner/index.ts';
import type { AdvisoryFeed } from '../../sandbox/scanner/index.ts';

const ACCOUNT = '111111111111';
const GZIP_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const TAR_LAYER = 'application/vnd.oci.image.layer.v1.tar';

type TarEntry =
  | { name: string; content: string | Buffer }
  | { name: string; symlink: string }
  | { name: string; dir: true };

/** Builds a real tar archive with tar-stream. */
async function tar(entries: TarEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of p as unknown as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c));
  })();
  for (const e of entries) {
    if ('dir' in e) p.entry({ name: e.name, type: 'directory' });
    else if ('symlink' in e) p.entry({ name: e.name, type: 'symlink', linkname: e.symlink });
    else p.entry({ name: e.name }, e.content);
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** A blob store over a temp folder, as small as the contract allows. */
class FolderBlobStore implements IBlobStore {
  constructor(private readonly _dir: string) {}
  async put(bytes: Buffer): Promise<string> {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    await writeFile(this._path(digest), bytes);
    return digest;
  }
  async has(_account: string, digest: string): Promise<boolean> {
    return (await this.size(_account, digest)) !== undefined;
  }
  async size(_account: string, digest: string): Promise<number | undefined> {
    return stat(this._path(digest)).then((s) => s.size, () => undefined);
  }
  open(_account: string, digest: string, range?: { start: number; end: number }) {
    return createReadStream(this._path(digest), range);
  }
  private _path(digest: string): string {
    return join(this._dir, digest.replace(':', '-'));
  }
}

let dir: string;
let blobs: FolderBlobStore;
let feed: AdvisoryFeed;
let scanner: IImageScanner;

async function image(layers: Array<{ bytes: Buffer; mediaType: string }>): Promise<StoredManifest> {
  const descriptors = [];
  for (const l of layers) descriptors.push({ mediaType: l.mediaType, size: l.bytes.length, digest: await blobs.put(l.bytes) });
  const config = await blobs.put(Buffer.from('{"architecture":"amd64","os":"linux"}'));
  const json = {
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 37, digest: config },
    layers: descriptors,
  };
  const bytes = new TextEncoder().encode(JSON.stringify(json));
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, mediaType: json.mediaType, bytes };
}

const stanza = (pkg: string, version: string, source?: string) =>
  `Package: ${pkg}\nStatus: install ok installed\nArchitecture: amd64\n${source ? `Source: ${source}\n` : ''}Version: ${version}\nDescription: ${pkg}\n multi-line description\n`;

const debianBase = (status: string): TarEntry[] => [
  { name: 'etc/', dir: true },
  // As on real Debian: /etc/os-release is a relative symlink into /usr/lib.
  { name: 'etc/os-release', symlink: '../usr/lib/os-release' },
  { name: 'usr/lib/os-release', content: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' },
  // A file we must stream past without keeping it.
  { name: 'usr/lib/x86_64-linux-gnu/libbig.so', content: Buffer.alloc(3 * 1024 * 1024, 7) },
  { name: 'var/lib/dpkg/', dir: true },
  { name: 'var/lib/dpkg/status', content: status },
];

const VULNERABLE_STATUS = [
  stanza('libc6', '2.36-9+deb12u1', 'glibc'),
  stanza('libc-bin', '2.36-9+deb12u1', 'glibc'),
  stanza('apache2-bin', '2.4.57-2', 'apache2'),
  stanza('bash', '5.2.15-2+b2'),
].join('\n');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scanner-test-'));
  const feedDir = join(dir, 'feed');
  const blobDir = join(dir, 'blobs');
  await Promise.all([mkdir(feedDir), mkdir(blobDir)]);
  const debian12 = (name: string, fixed: string) => ({
    package: { ecosystem: 'Debian:12', name },
    ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
  });
  await writeFile(
    join(feedDir, 'DSA-5514-1.json'),
    JSON.stringify({
      id: 'DSA-5514-1',
      modified: '2023-10-03T00:00:00Z',
      summary: 'glibc - security update',
      upstream: ['CVE-2023-4911'],
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H' }],
      affected: [debian12('glibc', '2.36-9+deb12u3')],
    }),
  );
  await writeFile(
    join(feedDir, 'more.json'),
    JSON.stringify([
      { id: 'DSA-5662-1', modified: '2024-04-16T00:00:00Z', summary: 'apache2 - security update', upstream: ['CVE-2024-27316', 'CVE-2023-31122'], affected: [debian12('apache2', '2.4.59-1~deb12u1')] },
      { id: 'ALPINE-CVE-2023-5363', upstream: ['CVE-2023-5363'], affected: [{ package: { ecosystem: 'Alpine:v3.18', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.1.4-r0' }] }] }] },
    ]),
  );
  await writeFile(join(feedDir, 'broken.json'), '{"id": "DSA-0-1", "affected": ');
  await writeFile(join(feedDir, 'README.md'), 'not a feed file');
  feed = await loadAdvisoryFeed(feedDir);
  blobs = new FolderBlobStore(blobDir);
  scanner = createImageScanner({ blobs, feed });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadAdvisoryFeed', () => {
  it('loads every JSON file, reports the malformed one and keeps going', () => {
    expect(feed.advisories.map((a) => a.id).sort()).toEqual(['ALPINE-CVE-2023-5363', 'DSA-5514-1', 'DSA-5662-1']);
    expect(feed.problems).toEqual([{ source: 'broken.json', message: expect.stringMatching(/^not JSON/) }]);
    expect(feed.updatedAt).toBe(Date.parse('2024-04-16T00:00:00Z'));
  });
});

describe('image scanner', () => {
  it('finds the vulnerable glibc and apache2 of a gzipped Debian layer, one finding per CVE and source package', async () => {
    const m = await image([{ bytes: gzipSync(await tar(debianBase(VULNERABLE_STATUS))), mediaType: GZIP_LAYER }]);
    const outcome = await scanner.scan(ACCOUNT, m);
    expect(outcome.status).toBe('COMPLETE');
    if (outcome.status !== 'COMPLETE') return;
    expect(outcome.vulnerabilitySourceUpdatedAt).toBe(feed.updatedAt);
    expect(outcome.findings.map((f) => [f.name, f.severity, f.attributes[1]?.value, f.attributes[0]?.value])).toEqual([
      ['CVE-2023-4911', 'HIGH', 'glibc', '2.36-9+deb12u1'],
      ['CVE-2023-31122', 'UNDEFINED', 'apache2', '2.4.57-2'],
      ['CVE-2024-27316', 'UNDEFINED', 'apache2', '2.4.57-2'],
    ]);
    expect(outcome.findings[0]).toMatchObject({
      description: 'glibc - security update',
      uri: 'https://security-tracker.debian.org/tracker/CVE-2023-4911',
      attributes: expect.arrayContaining([{ key: 'CVSS3_SCORE', value: '7.8' }]),
    });
    expect(findingSeverityCounts(outcome.findings)).toEqual({ HIGH: 1, UNDEFINED: 2 });
  });

  it('sees an upgrade in a later uncompressed layer replacing the package database', async () => {
    const upgraded = [stanza('libc6', '2.36-9+deb12u3', 'glibc'), stanza('apache2-bin', '2.4.57-2', 'apache2')].join('\n');
    const m = await image([
      { bytes: gzipSync(await tar(debianBase(VULNERABLE_STATUS))), mediaType: GZIP_LAYER },
      { bytes: await tar([{ name: 'var/lib/dpkg/status', content: upgraded }]), mediaType: TAR_LAYER },
    ]);
    const outcome = await scanner.scan(ACCOUNT, m);
    expect(outcome.status === 'COMPLETE' && outcome.findings.map((f) => f.name)).toEqual(['CVE-2023-31122', 'CVE-2024-27316']);
  });

  it('empties a directory of lower-layer files on an opaque whiteout, keeping what that layer adds', async () => {
    const base = { bytes: gzipSync(await tar(debianBase(VULNERABLE_STATUS))), mediaType: GZIP_LAYER };
    const opaqueOnly = await image([base, { bytes: gzipSync(await tar([{ name: 'var/lib/dpkg/.wh..wh..opq', content: '' }])), mediaType: GZIP_LAYER }]);
    expect(await scanner.scan(ACCOUNT, opaqueOnly)).toEqual({ status: 'FAILED', description: UNSUPPORTED_IMAGE_DESCRIPTION });

    const fixedAll = [stanza('libc6', '2.36-9+deb12u3', 'glibc'), stanza('apache2-bin', '2.4.59-1~deb12u1', 'apache2')].join('\n');
    // The marker comes after the new file in the archive: it still only hides the lower layers.
    const readded = await image([
      base,
      { bytes: gzipSync(await tar([{ name: 'var/lib/dpkg/status', content: fixedAll }, { name: 'var/lib/dpkg/.wh..wh..opq', content: '' }])), mediaType: GZIP_LAYER },
    ]);
    expect(await scanner.scan(ACCOUNT, readded)).toEqual({ status: 'COMPLETE', findings: [], vulnerabilitySourceUpdatedAt: feed.updatedAt });
  });

  it('treats an image whose package database was deleted by a whiteout as unsupported', async () => {
    const m = await image([
      { bytes: gzipSync(await tar(debianBase(VULNERABLE_STATUS))), mediaType: GZIP_LAYER },
      { bytes: gzipSync(await tar([{ name: 'var/lib/.wh.dpkg', content: '' }])), mediaType: GZIP_LAYER },
    ]);
    expect(await scanner.scan(ACCOUNT, m)).toEqual({ status: 'FAILED', description: UNSUPPORTED_IMAGE_DESCRIPTION });
  });

  it('reports a busybox-only image as ECR does: UnsupportedImageError', async () => {
    const m = await image([
      {
        bytes: gzipSync(
          await tar([
            { name: 'bin/busybox', content: Buffer.alloc(64 * 1024, 1) },
            { name: 'bin/sh', symlink: 'busybox' },
            { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\n' },
          ]),
        ),
        mediaType: GZIP_LAYER,
      },
    ]);
    expect(await scanner.scan(ACCOUNT, m)).toEqual({ status: 'FAILED', description: 'UnsupportedImageError: The operating system and/or package manager are not supported.' });
    const inspectorStyle = createImageScanner({ blobs, feed, unsupportedStatus: 'UNSUPPORTED_IMAGE' });
    expect(await inspectorStyle.scan(ACCOUNT, m)).toMatchObject({ status: 'UNSUPPORTED_IMAGE' });
  });

  it('scans Alpine images by apk origin and Alpine version order', async () => {
    const installed = 'P:libcrypto3\nV:3.1.3-r0\nA:x86_64\no:openssl\n\nP:busybox\nV:1.36.1-r2\no:busybox\n';
    const m = await image([
      {
        bytes: gzipSync(await tar([{ name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.18.4\n' }, { name: 'lib/apk/db/installed', content: installed }])),
        mediaType: GZIP_LAYER,
      },
    ]);
    const outcome = await scanner.scan(ACCOUNT, m);
    expect(outcome).toMatchObject({ status: 'COMPLETE', findings: [{ name: 'CVE-2023-5363', attributes: [{ key: 'package_version', value: '3.1.3-r0' }, { key: 'package_name', value: 'openssl' }] }] });
  });

  it('fails with a reason when a layer is not a readable archive or is missing', async () => {
    const corrupt = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(600, 0xff)]);
    const bad = await scanner.scan(ACCOUNT, await image([{ bytes: corrupt, mediaType: GZIP_LAYER }]));
    expect(bad).toMatchObject({ status: 'FAILED', description: expect.stringMatching(/^The image layers cannot be read: layer sha256:[0-9a-f]{64} could not be read as a gzipped tar archive/) });

    const m = await image([{ bytes: gzipSync(await tar(debianBase(VULNERABLE_STATUS))), mediaType: GZIP_LAYER }]);
    const json = JSON.parse(new TextDecoder().decode(m.bytes));
    json.layers.push({ mediaType: GZIP_LAYER, size: 1, digest: `sha256:${'0'.repeat(64)}` });
    const missing = await scanner.scan(ACCOUNT, { ...m, bytes: new TextEncoder().encode(JSON.stringify(json)) });
    expect(missing).toMatchObject({ status: 'FAILED', description: expect.stringContaining('is not in the registry') });
  });

  it('does not scan an image index itself', async () => {
    const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] };
    const outcome = await scanner.scan(ACCOUNT, { digest: `sha256:${'a'.repeat(64)}`, mediaType: index.mediaType, bytes: new TextEncoder().encode(JSON.stringify(index)) });
    expect(outcome).toMatchObject({ status: 'FAILED', description: expect.stringContaining('image index') });
  });
});
