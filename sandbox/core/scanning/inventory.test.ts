import { describe, expect, it } from 'vitest';
import { buildInventory, parseApkInstalled, parseDpkgStatus, parseOsRelease } from './inventory.ts';

const DPKG_STATUS = `Package: libssl3
Status: install ok installed
Priority: optional
Architecture: amd64
Source: openssl
Version: 3.0.11-1~deb12u2
Description: Secure Sockets Layer toolkit - shared libraries
 This package is part of the OpenSSL project's implementation.
 .
 Version: 9.9.9 (a continuation line that must not be read as a field)

Package: libc6
Status: install ok installed
Architecture: amd64
Source: glibc (2.36-9+deb12u3)
Version: 2.36-9+deb12u3+b1

Package: apache2-bin
Status: deinstall ok config-files
Source: apache2
Version: 2.4.57-2

Package: bash
Status: install ok installed
Version: 5.2.15-2+b2
`;

describe('parseDpkgStatus', () => {
  it('reads installed packages with their source package and ignores continuation lines', () => {
    expect(parseDpkgStatus(DPKG_STATUS)).toEqual([
      { manager: 'dpkg', name: 'libssl3', version: '3.0.11-1~deb12u2', sourceName: 'openssl', sourceVersion: '3.0.11-1~deb12u2' },
      // A binNMU names its source version in parentheses: advisories use that one.
      { manager: 'dpkg', name: 'libc6', version: '2.36-9+deb12u3+b1', sourceName: 'glibc', sourceVersion: '2.36-9+deb12u3' },
      { manager: 'dpkg', name: 'bash', version: '5.2.15-2+b2', sourceName: 'bash', sourceVersion: '5.2.15-2+b2' },
    ]);
  });

  it('skips packages that are removed but still have config files', () => {
    expect(parseDpkgStatus(DPKG_STATUS).map((p) => p.name)).not.toContain('apache2-bin');
  });
});

describe('parseApkInstalled', () => {
  it('reads name, version and origin', () => {
    const db = 'C:Q1abc=\nP:libcrypto3\nV:3.1.4-r0\nA:x86_64\no:openssl\nF:lib\nR:libcrypto.so.3\n\nP:busybox\nV:1.36.1-r5\no:busybox\n';
    expect(parseApkInstalled(db)).toEqual([
      { manager: 'apk', name: 'libcrypto3', version: '3.1.4-r0', sourceName: 'openssl', sourceVersion: '3.1.4-r0' },
      { manager: 'apk', name: 'busybox', version: '1.36.1-r5', sourceName: 'busybox', sourceVersion: '1.36.1-r5' },
    ]);
  });
});

describe('parseOsRelease', () => {
  it('reads quoted and unquoted values', () => {
    const text = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n';
    expect(parseOsRelease(text)).toEqual({ id: 'debian', versionId: '12', versionCodename: 'bookworm' });
    expect(parseOsRelease('NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n')).toEqual({ id: 'alpine', versionId: '3.19.1' });
  });

  it('returns undefined without an ID', () => {
    expect(parseOsRelease('NAME=whatever\n')).toBeUndefined();
  });
});

describe('buildInventory', () => {
  it('is undefined when there is no package database at all', () => {
    expect(buildInventory({ osRelease: 'ID=debian\nVERSION_ID=12\n' })).toBeUndefined();
  });

  it('keeps an empty database: the OS is known, nothing is installed', () => {
    expect(buildInventory({ osRelease: 'ID=alpine\n', apkInstalled: '' })).toEqual({ os: { id: 'alpine' }, packages: [] });
  });
});
