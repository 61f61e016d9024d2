import type { DiagnoseCheck, DiagnoseVerdict } from './diagnose-output.js';

/** What the parser saw that bears on the verdict. */
export interface DiagnoseEvidence {
  sawHealthy: boolean;
  sawUnhealthy: boolean;
  sawExitError: boolean;
  allValidationsSucceeded: boolean;
  failedChecks: DiagnoseCheck[];
  errorSummary: string;
  hasCategories: boolean;
}

/**
 * The verdict the text alone supports, with one sentence per reason. Pure; see `parseDiagnoseOutput` for
 * the rules.
 */
export function judgeDiagnoseText(evidence: DiagnoseEvidence): {
  verdict: DiagnoseVerdict;
  verdictReasons: string[];
} {
  const failed = evidence.failedChecks.map(
    (check) =>
      `check "${check.name}" printed ${check.printedStatus}${check.reasons.length ? `: ${check.reasons.join('; ')}` : ''}`,
  );
  if (evidence.sawHealthy && evidence.sawUnhealthy) {
    return {
      verdict: 'unknown',
      verdictReasons: ['the output says both "Cluster is healthy!" and "Cluster is unhealthy!"', ...failed],
    };
  }
  if (evidence.sawUnhealthy) {
    return { verdict: 'unhealthy', verdictReasons: ['gkectl printed "Cluster is unhealthy!"', ...failed] };
  }
  if (evidence.sawHealthy) {
    const conflicts = [
      ...(evidence.sawExitError
        ? [`gkectl also printed "Exit with error:" ${quoted(evidence.errorSummary)}`]
        : []),
      ...failed,
    ];
    if (conflicts.length === 0) {
      return { verdict: 'healthy', verdictReasons: ['gkectl printed "Cluster is healthy!"'] };
    }
    return {
      verdict: 'unknown',
      verdictReasons: ['gkectl printed "Cluster is healthy!" but the output contradicts it', ...conflicts],
    };
  }
  if (evidence.sawExitError && failed.length > 0) {
    return {
      verdict: 'unhealthy',
      verdictReasons: [
        `gkectl printed "Exit with error:" ${quoted(evidence.errorSummary)} after failed checks`,
        ...failed,
      ],
    };
  }
  if (evidence.sawExitError) {
    return {
      verdict: 'unknown',
      verdictReasons: [
        `gkectl stopped with "Exit with error:" ${quoted(evidence.errorSummary)} before judging the cluster`,
      ],
    };
  }
  const seen = evidence.hasCategories
    ? evidence.allValidationsSucceeded
      ? 'the output ends after "All validation results were SUCCESS." without "Cluster is healthy!"'
      : 'the output ends without a verdict line ("Cluster is healthy!" or "Cluster is unhealthy!"); it may be truncated'
    : 'the output holds no validation category and no verdict line';
  return { verdict: 'unknown', verdictReasons: [seen, ...failed] };
}

function quoted(text: string): string {
  return text === '' ? '(no message)' : `(${JSON.stringify(text.replaceAll('\n', ' | '))})`;
}
