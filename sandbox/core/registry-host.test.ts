import { describe, expect, it } from 'vitest';
import { formatRegistryHost, parseRegistryHost } from './registry-host.ts';

describe('registry host', () => {
  it('reads account and region from an ECR-shaped host', () => {
    expect(parseRegistryHost('123456789012.dkr.ecr.us-east-1.localhost:4580')).toEqual({
      kind: 'ecr',
      scope: { accountId: '123456789012', region: 'us-east-1' },
    });
    expect(parseRegistryHost('123456789012.DKR.ECR.eu-west-1.LOCALHOST')).toEqual({
      kind: 'ecr',
      scope: { accountId: '123456789012', region: 'eu-west-1' },
    });
  });
  it('treats every other host as the fallback', () => {
    for (const h of ['localhost:4580', '127.0.0.1:4580', '[::1]:4580', '12345.dkr.ecr.us-east-1.localhost:1', undefined]) {
      expect(parseRegistryHost(h)).toEqual({ kind: 'fallback' });
    }
  });
  it('formats both namings and round-trips', () => {
    const scope = { accountId: '123456789012', region: 'us-west-2' };
    expect(formatRegistryHost(scope, 4580, 'ecr')).toBe('123456789012.dkr.ecr.us-west-2.localhost:4580');
    expect(formatRegistryHost(scope, 4580, 'fallback')).toBe('localhost:4580');
    expect(parseRegistryHost(formatRegistryHost(scope, 1, 'ecr'))).toEqual({ kind: 'ecr', scope });
  });
});
