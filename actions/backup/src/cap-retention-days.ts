/** Options of {@link capRetentionDays}. */
export interface CapRetentionDaysOptions {
  /** The `retention-days` input; undefined keeps the repository's default. */
  requested: number | undefined;
  /** `GITHUB_RETENTION_DAYS` as the runner sets it (the repository's maximum); may be unset or malformed. */
  repositoryMaximum: string | undefined;
}

/** Pure: the retention to ask for, and a warning when the request was above the repository's maximum. */
export function capRetentionDays(options: CapRetentionDaysOptions): { days?: number; warning?: string } {
  const { requested } = options;
  if (requested === undefined) return {};
  const maximum = /^\d+$/.test(options.repositoryMaximum ?? '')
    ? Number(options.repositoryMaximum)
    : undefined;
  if (maximum === undefined || maximum <= 0 || requested <= maximum) return { days: requested };
  return {
    days: maximum,
    warning: `retention-days ${requested} is above this repository's maximum of ${maximum} days; the artifact is kept ${maximum} days (raise the limit in the repository's Actions settings to keep it longer)`,
  };
}
