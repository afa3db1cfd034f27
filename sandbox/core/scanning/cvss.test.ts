import { describe, expect, it } from 'vitest';
import { cvss2BaseScore, cvss3BaseScore } from './cvss.ts';

describe('cvss2BaseScore', () => {
  // Vector/score pairs as ECR and NVD publish them.
  it.each([
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', 7.5],
    ['AV:N/AC:M/Au:N/C:N/I:P/A:N', 4.3],
    ['AV:L/AC:L/Au:N/C:P/I:P/A:P', 4.6],
    ['AV:N/AC:L/Au:N/C:N/I:N/A:P', 5],
    ['AV:N/AC:M/Au:N/C:C/I:C/A:C', 9.3],
    ['AV:N/AC:L/Au:N/C:N/I:N/A:N', 0],
  ])('%s scores %d', (vector, score) => {
    expect(cvss2BaseScore(vector)?.score).toBe(score);
  });

  it('accepts the CVSS2# prefix and rejects incomplete vectors', () => {
    expect(cvss2BaseScore('CVSS2#AV:N/AC:L/Au:N/C:N/I:N/A:C')).toEqual({ vector: 'AV:N/AC:L/Au:N/C:N/I:N/A:C', score: 7.8 });
    expect(cvss2BaseScore('AV:N/AC:L/Au:N/C:P/I:P')).toBeUndefined();
  });
});

describe('cvss3BaseScore', () => {
  it.each([
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H', 8.1],
    ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 8.8],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 7.5],
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:N/A:N', 6.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10],
  ])('%s scores %d', (vector, score) => {
    expect(cvss3BaseScore(vector)?.score).toBe(score);
  });

  it('rejects v2 and v4 vectors', () => {
    expect(cvss3BaseScore('AV:N/AC:L/Au:N/C:P/I:P/A:P')).toBeUndefined();
    expect(cvss3BaseScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toBeUndefined();
  });
});
