import { describe, expect, it } from 'vitest';
import { toPreviewResults } from './index.ts';

describe('toPreviewResults', () => {
  it('shapes expiries as GetLifecyclePolicyPreview results, push times in epoch seconds', () => {
    const preview = toPreviewResults([
      { imageDigest: 'sha256:aa', imageTags: ['v1', 'prod-1'], imagePushedAt: 1_700_000_000_000, appliedRulePriority: 1 },
      { imageDigest: 'sha256:bb', imageTags: ['v2'], imagePushedAt: 1_700_000_100_250, appliedRulePriority: 3 },
    ]);
    expect(preview).toEqual({
      previewResults: [
        { imageTags: ['v1', 'prod-1'], imageDigest: 'sha256:aa', imagePushedAt: 1_700_000_000, action: { type: 'EXPIRE' }, appliedRulePriority: 1 },
        { imageTags: ['v2'], imageDigest: 'sha256:bb', imagePushedAt: 1_700_000_100.25, action: { type: 'EXPIRE' }, appliedRulePriority: 3 },
      ],
      summary: { expiringImageTotalCount: 2 },
    });
  });

  it('leaves imageTags out for an untagged image', () => {
    const [result] = toPreviewResults([{ imageDigest: 'sha256:cc', imageTags: [], imagePushedAt: 1_000, appliedRulePriority: 2 }]).previewResults;
    expect(result).toEqual({ imageDigest: 'sha256:cc', imagePushedAt: 1, action: { type: 'EXPIRE' }, appliedRulePriority: 2 });
    expect(result && 'imageTags' in result).toBe(false);
  });

  it('reports a zero count when nothing expires', () => {
    expect(toPreviewResults([])).toEqual({ previewResults: [], summary: { expiringImageTotalCount: 0 } });
  });
});
