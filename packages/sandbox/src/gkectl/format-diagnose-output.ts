import { type GkectlDiagnoseResult, isHealthy } from './diagnose-result.js';

/** Options of {@link formatDiagnoseOutput}. */
export interface FormatDiagnoseOutputOptions {
  result: GkectlDiagnoseResult;
  /** The JSON report file as the user should see it; printed only when given. Default none. */
  reportFile?: string;
}

/**
 * Prints a diagnose result in the line shapes of Google's documented `gkectl diagnose cluster` transcripts
 * (see packages/verify/src/gkectl/fixtures): the progress lines, the report line (user clusters) or a blank
 * line (admin cluster) after `Diagnosing the cluster......DONE`, `- Validation Category:` groups of
 * `Checking NAME...STATUS` lines with `Reason:` and `Unhealthy Resources:` under failures, then
 * `All validation results were SUCCESS.` + `Cluster is healthy!`, or `Exit with error:` +
 * `Cluster is unhealthy!` (or the fatal error, which gives no verdict). Pure; ends with a newline.
 */
export function formatDiagnoseOutput(options: FormatDiagnoseOutputOptions): string {
  const { result, reportFile } = options;
  const lines = ['Preparing for the diagnose tool...'];
  if (result.fatalError !== undefined) {
    lines.push('Exit with error:', ...result.fatalError.split('\n'));
    return `${lines.join('\n')}\n`;
  }
  lines.push('Diagnosing the cluster......DONE');
  lines.push(reportFile === undefined ? '' : `Diagnose result is saved successfully in ${reportFile}`);
  for (const category of result.categories) {
    lines.push(`- Validation Category: ${category.name}`);
    for (const check of category.checks) {
      lines.push(`${check.name}...${check.status}`);
      for (const reason of check.reasons) lines.push(`Reason: ${reason}`);
      if (check.unhealthyResources.length > 0) {
        lines.push('Unhealthy Resources:', ...check.unhealthyResources);
      }
    }
  }
  if (isHealthy(result)) lines.push('All validation results were SUCCESS.', 'Cluster is healthy!');
  else lines.push('Exit with error:', 'Cluster is unhealthy!');
  return `${lines.join('\n')}\n`;
}
