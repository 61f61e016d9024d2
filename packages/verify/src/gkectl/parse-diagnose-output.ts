import type {
  DiagnoseCategory,
  DiagnoseCheck,
  DiagnoseCheckStatus,
  DiagnoseOutput,
  UnparsedLine,
} from './diagnose-output.js';
import { judgeDiagnoseText } from './judge-diagnose-text.js';

// Every pattern below is a line shape shown in Google's gkectl documentation; see fixtures/README.md.
const categoryPattern = /^-\s*Validation Category:\s*(?<name>.+)$/;
const dottedCheckPattern = /^(?<name>\S.*?)\s*\.{3,}\s*(?<status>[A-Za-z]+)$/;
const bracketCheckPattern = /^-\s*\[(?<status>[A-Za-z]+)\]\s*(?<name>.+)$/;
const reasonPattern = /^Reason:\s*(?<reason>.*)$/;
const unhealthyResourcesPattern = /^Unhealthy Resources:$/;
const debugInformationPattern = /^Debug Information:$/;
const allSucceededPattern = /^All validation results were SUCCESS\.$/;
const healthyPattern = /^Cluster is healthy!$/;
const unhealthyPattern = /^Cluster is unhealthy!$/;
const exitErrorPattern = /^Exit with error:\s*(?<rest>.*)$/;
const reportPattern = /^Diagnose result is saved successfully in\s+(?<path>\S.*)$/;
const progressPatterns = [
  /^Preparing for the diagnose tool\.*$/,
  /^Diagnosing the cluster\.*\s*DONE$/,
  /^Failed to access the api server via LB VIP /,
  /^Try to use the admin master IP instead of problematic VIP\.*$/,
  /^Reading config with version /,
  /^Finding the admin master VM\.*$/,
  /^Fetching the VMs in the resource pool /,
  /^Found the ".*" is the admin master VM\.?$/,
  /^Diagnosing (admin|user|admin\|user) cluster /,
];
const statuses: ReadonlySet<string> = new Set<DiagnoseCheckStatus>([
  'SUCCESS',
  'FAILURE',
  'SKIPPED',
  'UNKNOWN',
]);
// CSI sequences (colours, cursor moves) that a terminal would not show as text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape character is the point.
const ansiPattern = /\u001b\[[0-9;?]*[A-Za-z]/g;

type Block = 'none' | 'unhealthyResources' | 'debugInformation' | 'exitError';

/**
 * Reads the text `gkectl diagnose cluster` printed (stdout and stderr in arrival order) into a typed result.
 *
 * Pure. Recognises only the line shapes Google documents; any other line lands in `unparsed` exactly as
 * printed. The verdict comes from the text alone: `healthy` needs `Cluster is healthy!` with no failed check
 * and no `Exit with error:`; `unhealthy` needs `Cluster is unhealthy!`, or failed checks followed by
 * `Exit with error:`; everything else (truncated output, garbage, contradictions, gkectl failing before it
 * could judge) is `unknown` with the reason stated. Combine with the exit code through `decideVerdict`.
 */
export function parseDiagnoseOutput(text: string): DiagnoseOutput {
  const categories: DiagnoseCategory[] = [];
  const progress: string[] = [];
  const unparsed: UnparsedLine[] = [];
  const errorLines: string[] = [];
  let category: DiagnoseCategory | undefined;
  let check: DiagnoseCheck | undefined;
  let block: Block = 'none';
  let sawHealthy = false;
  let sawUnhealthy = false;
  let sawExitError = false;
  let allValidationsSucceeded = false;
  let reportPath: string | undefined;

  const lines = text.split('\n');
  lines.forEach((printed, index) => {
    const line = index + 1;
    const visible = terminalView(printed);
    const trimmed = visible.trim();
    if (trimmed === '') return;

    if (block === 'exitError') {
      // Everything after `Exit with error:` is the error's message; it may itself be the verdict line.
      const lateReport = reportPattern.exec(trimmed);
      if (lateReport) {
        reportPath = lateReport.groups!.path!.trim();
        return;
      }
      errorLines.push(trimmed);
      if (healthyPattern.test(trimmed)) sawHealthy = true;
      if (unhealthyPattern.test(trimmed)) sawUnhealthy = true;
      return;
    }

    if (progressPatterns.some((pattern) => pattern.test(trimmed))) {
      progress.push(trimmed);
      endCheck();
      return;
    }

    const categoryMatch = categoryPattern.exec(trimmed);
    if (categoryMatch) {
      category = { name: categoryMatch.groups!.name!.trim(), checks: [], line };
      categories.push(category);
      check = undefined;
      block = 'none';
      return;
    }

    const checkMatch = dottedCheckPattern.exec(trimmed) ?? bracketCheckPattern.exec(trimmed);
    const printedStatus = checkMatch?.groups?.status ?? '';
    if (checkMatch && category && statuses.has(printedStatus.toUpperCase())) {
      check = {
        name: checkMatch.groups!.name!.trim(),
        status: printedStatus.toUpperCase() as DiagnoseCheckStatus,
        printedStatus,
        reasons: [],
        unhealthyResources: [],
        debugInformation: [],
        line,
      };
      category.checks.push(check);
      block = 'none';
      return;
    }
    if (checkMatch) {
      // Looks like a check but with an undocumented status word, or outside any category: report it raw,
      // and never let it be swallowed as a detail line of the check before it.
      endCheck();
      unparsed.push({ line, text: withoutNewline(printed) });
      return;
    }

    const reasonMatch = reasonPattern.exec(trimmed);
    if (reasonMatch && check) {
      check.reasons.push(reasonMatch.groups!.reason!.trim());
      block = 'none';
      return;
    }
    if (unhealthyResourcesPattern.test(trimmed) && check) {
      block = 'unhealthyResources';
      return;
    }
    if (debugInformationPattern.test(trimmed) && check) {
      block = 'debugInformation';
      return;
    }

    if (allSucceededPattern.test(trimmed)) {
      allValidationsSucceeded = true;
      endCheck();
      return;
    }
    if (healthyPattern.test(trimmed)) {
      sawHealthy = true;
      endCheck();
      return;
    }
    if (unhealthyPattern.test(trimmed)) {
      sawUnhealthy = true;
      endCheck();
      return;
    }
    const exitMatch = exitErrorPattern.exec(trimmed);
    if (exitMatch) {
      sawExitError = true;
      endCheck();
      block = 'exitError';
      const rest = exitMatch.groups!.rest!.trim();
      if (rest !== '') {
        errorLines.push(rest);
        if (unhealthyPattern.test(rest)) sawUnhealthy = true;
        if (healthyPattern.test(rest)) sawHealthy = true;
      }
      return;
    }
    const reportMatch = reportPattern.exec(trimmed);
    if (reportMatch) {
      reportPath = reportMatch.groups!.path!.trim();
      return;
    }

    if (check && block === 'unhealthyResources') {
      check.unhealthyResources.push(trimmed);
      return;
    }
    if (check && block === 'debugInformation') {
      check.debugInformation.push(trimmed);
      return;
    }
    unparsed.push({ line, text: withoutNewline(printed) });
  });

  function endCheck(): void {
    check = undefined;
    block = 'none';
  }

  const failedChecks = categories
    .flatMap((each) => each.checks)
    .filter((each) => each.status === 'FAILURE' || each.status === 'UNKNOWN');
  const { verdict, verdictReasons } = judgeDiagnoseText({
    sawHealthy,
    sawUnhealthy,
    sawExitError,
    allValidationsSucceeded,
    failedChecks,
    errorSummary: errorLines.join('\n'),
    hasCategories: categories.length > 0,
  });
  return {
    categories,
    failedChecks,
    verdict,
    verdictReasons,
    allValidationsSucceeded,
    errorSummary: sawExitError ? errorLines.join('\n') : undefined,
    reportPath,
    progress,
    unparsed,
  };
}

function withoutNewline(printed: string): string {
  return printed.endsWith('\r') ? printed.slice(0, -1) : printed;
}

/** What a terminal would show: colour codes dropped, and only the text after the last carriage return. */
function terminalView(printed: string): string {
  const withoutAnsi = printed.replace(ansiPattern, '');
  const withoutTrailingReturn = withoutAnsi.endsWith('\r') ? withoutAnsi.slice(0, -1) : withoutAnsi;
  const lastReturn = withoutTrailingReturn.lastIndexOf('\r');
  return lastReturn === -1 ? withoutTrailingReturn : withoutTrailingReturn.slice(lastReturn + 1);
}
