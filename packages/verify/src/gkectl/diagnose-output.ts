/**
 * Status words gkectl's validation printer is documented to print, normalised to upper case. `UNKNOWN` means
 * the check itself could not run; the gkectl docs say to treat it as failed.
 */
export type DiagnoseCheckStatus = 'SUCCESS' | 'FAILURE' | 'SKIPPED' | 'UNKNOWN';

/** What the output says about the cluster. `unknown` whenever the output does not settle it. */
export type DiagnoseVerdict = 'healthy' | 'unhealthy' | 'unknown';

/** One `Checking ...STATUS` (or `- [STATUS] ...`) line and the detail lines printed under it. */
export interface DiagnoseCheck {
  /** The check as printed, e.g. `Checking machine VMs`. */
  name: string;
  status: DiagnoseCheckStatus;
  /** The status word exactly as printed (gkectl prints both `SUCCESS` and `Success`). */
  printedStatus: string;
  /** Text after each `Reason:` line under the check, in order. */
  reasons: string[];
  /** Lines of the `Unhealthy Resources:` block under the check, as printed (trimmed). */
  unhealthyResources: string[];
  /** Lines of the `Debug Information:` block under the check, as printed (trimmed). */
  debugInformation: string[];
  /** 1-based line number in the output. */
  line: number;
}

/** One `- Validation Category: NAME` group. */
export interface DiagnoseCategory {
  name: string;
  checks: DiagnoseCheck[];
  /** 1-based line number in the output. */
  line: number;
}

/** A line of output the parser did not recognise, kept exactly as printed. */
export interface UnparsedLine {
  /** 1-based line number in the output. */
  line: number;
  text: string;
}

/** The typed reading of one `gkectl diagnose cluster` transcript. Built by `parseDiagnoseOutput`. */
export interface DiagnoseOutput {
  categories: DiagnoseCategory[];
  /** Every check of every category, in output order, whose status is `FAILURE` or `UNKNOWN`. */
  failedChecks: DiagnoseCheck[];
  /** What the text alone says; the runner also weighs the exit code. */
  verdict: DiagnoseVerdict;
  /** Why the verdict is what it is, one sentence each (names failed checks, missing or conflicting lines). */
  verdictReasons: string[];
  /** True when the output printed `All validation results were SUCCESS.` */
  allValidationsSucceeded: boolean;
  /** The error message printed after `Exit with error:` (lines joined with `\n`), when there is one. */
  errorSummary: string | undefined;
  /** The file named by `Diagnose result is saved successfully in FILE`, as printed (may be relative). */
  reportPath: string | undefined;
  /** Recognised progress lines (`Preparing for the diagnose tool...`, the VIP fallback lines, ...). */
  progress: string[];
  /** Lines that match no documented shape, as printed. Never interpreted. */
  unparsed: UnparsedLine[];
}
