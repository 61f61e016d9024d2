import { describe, expect, it } from 'vitest';
import { capRetentionDays } from './cap-retention-days.js';

describe('capRetentionDays', () => {
  it('keeps the request when it fits, or when the repository maximum is unknown', () => {
    expect(capRetentionDays({ requested: undefined, repositoryMaximum: '90' })).toEqual({});
    expect(capRetentionDays({ requested: 30, repositoryMaximum: '90' })).toEqual({ days: 30 });
    expect(capRetentionDays({ requested: 30, repositoryMaximum: undefined })).toEqual({ days: 30 });
    expect(capRetentionDays({ requested: 30, repositoryMaximum: 'soon' })).toEqual({ days: 30 });
  });

  it('caps at the repository maximum with a warning that says how to keep it longer', () => {
    const capped = capRetentionDays({ requested: 120, repositoryMaximum: '90' });
    expect(capped.days).toBe(90);
    expect(capped.warning).toMatch(
      /^retention-days 120 is above this repository's maximum of 90 days;.*settings/,
    );
  });
});
