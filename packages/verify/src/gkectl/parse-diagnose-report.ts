import { VerifyError } from '../verify-error.js';

/**
 * The JSON file named by `Diagnose result is saved successfully in FILE`.
 *
 * Google documents that the file exists but not its fields, so the content is kept as parsed JSON, unread:
 * `format` says so, and a later version can add a typed reading once the shape is known from a real file.
 */
export interface DiagnoseReport {
  format: 'undocumented';
  /** The parsed JSON, whatever its shape. */
  data: unknown;
}

/** Options of {@link parseDiagnoseReport}. */
export interface ParseDiagnoseReportOptions {
  /** The file's text. */
  text: string;
  /** Where the text came from, named in errors. */
  path: string;
}

/**
 * Parses the diagnose report file's text as JSON and keeps it raw (its fields are not documented).
 * Pure.
 * @throws VerifyError `VERIFY_REPORT_INVALID` when the text is not JSON.
 */
export function parseDiagnoseReport(options: ParseDiagnoseReportOptions): DiagnoseReport {
  try {
    return { format: 'undocumented', data: JSON.parse(options.text) as unknown };
  } catch (error) {
    throw new VerifyError({
      code: 'VERIFY_REPORT_INVALID',
      message: `diagnose report ${options.path} is not JSON: ${(error as Error).message}`,
      remedy: 'read the file by hand; the printed diagnose output is still the verdict',
      cause: error,
    });
  }
}
