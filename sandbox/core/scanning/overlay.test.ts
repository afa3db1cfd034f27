import { describe, expect, it } from 'vitest';
import type { LayerEntry } from './overlay.ts';
import { classifyEntry, OverlayView } from './overlay.ts';

const file = (path: string, content: string): LayerEntry => ({ kind: 'file', path, content });

describe('classifyEntry', () => {
  it('normalises names and recognises whiteouts and opaque markers', () => {
    expect(classifyEntry('./var/lib/dpkg/status', 'file', undefined, 'x')).toEqual(file('var/lib/dpkg/status', 'x'));
    expect(classifyEntry('var/lib/dpkg/.wh.status', 'file')).toEqual({ kind: 'whiteout', path: 'var/lib/dpkg/status' });
    expect(classifyEntry('var/lib/.wh.dpkg', 'file')).toEqual({ kind: 'whiteout', path: 'var/lib/dpkg' });
    expect(classifyEntry('etc/.wh..wh..opq', 'file')).toEqual({ kind: 'opaque', path: 'etc' });
    expect(classifyEntry('/etc/os-release', 'symlink', '../usr/lib/os-release')).toEqual({ kind: 'symlink', path: 'etc/os-release', target: '../usr/lib/os-release' });
  });

  it('drops entries that cannot change the files the scanner reads', () => {
    expect(classifyEntry('usr/bin/bash', 'file')).toBeUndefined();
    expect(classifyEntry('usr/share/doc/.wh.bash', 'file')).toBeUndefined();
  });
});

describe('OverlayView', () => {
  it('lets a later layer replace a file', () => {
    const v = new OverlayView();
    v.applyLayer([file('var/lib/dpkg/status', 'old')]);
    v.applyLayer([file('var/lib/dpkg/status', 'new')]);
    expect(v.readFile('var/lib/dpkg/status')).toBe('new');
  });

  it('deletes a file or a whole directory through whiteouts', () => {
    const v = new OverlayView();
    v.applyLayer([file('var/lib/dpkg/status', 'x'), file('etc/os-release', 'ID=debian')]);
    v.applyLayer([{ kind: 'whiteout', path: 'var/lib/dpkg' }]);
    expect(v.readFile('var/lib/dpkg/status')).toBeUndefined();
    v.applyLayer([{ kind: 'whiteout', path: 'etc/os-release' }]);
    expect(v.readFile('etc/os-release')).toBeUndefined();
  });

  it('applies whiteouts only to lower layers, so a layer can delete and re-add', () => {
    const v = new OverlayView();
    v.applyLayer([file('lib/apk/db/installed', 'lower')]);
    // Order inside the layer does not matter: the whiteout hides the lower file only.
    v.applyLayer([file('lib/apk/db/installed', 'upper'), { kind: 'opaque', path: 'lib/apk/db' }]);
    expect(v.readFile('lib/apk/db/installed')).toBe('upper');
  });

  it('follows relative and absolute symlinks, including symlinked directories', () => {
    const v = new OverlayView();
    v.applyLayer([
      file('usr/lib/os-release', 'ID=debian'),
      { kind: 'symlink', path: 'etc/os-release', target: '../usr/lib/os-release' },
      { kind: 'symlink', path: 'lib', target: '/usr/lib' },
      file('usr/lib/apk/db/installed', 'P:musl'),
    ]);
    expect(v.readFile('etc/os-release')).toBe('ID=debian');
    expect(v.readFile('lib/apk/db/installed')).toBe('P:musl');
  });

  it('gives up on symlink loops', () => {
    const v = new OverlayView();
    v.applyLayer([
      { kind: 'symlink', path: 'etc/os-release', target: 'os-release' },
    ]);
    expect(v.readFile('etc/os-release')).toBeUndefined();
  });

  it('lets a file replace a symlink and a symlink replace a file', () => {
    const v = new OverlayView();
    v.applyLayer([file('usr/lib/os-release', 'ID=debian'), { kind: 'symlink', path: 'etc/os-release', target: '../usr/lib/os-release' }]);
    v.applyLayer([file('etc/os-release', 'ID=alpine')]);
    expect(v.readFile('etc/os-release')).toBe('ID=alpine');
    v.applyLayer([{ kind: 'symlink', path: 'etc/os-release', target: '/usr/lib/os-release' }]);
    expect(v.readFile('etc/os-release')).toBe('ID=debian');
  });
});
