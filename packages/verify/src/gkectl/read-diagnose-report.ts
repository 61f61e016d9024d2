import { readFile } from 'node:fs/promises';
import { type DiagnoseReport, parseDiagnoseReport } from './parse-diagnose-report.js';

/** The diagnose report file, when the output named one; reading it never fails the run. */
export type DiagnoseReportResult =
  | { status: 'read'; path: string; report: DiagnoseReport }
  | { status: 'missing'; path: string }
  | { status: 'unreadable'; path: string; message: string }
  | { status: 'invalid'; path: string; message: string };

/** Options of {@link readDiagnoseReport}. */
export interface ReadDiagnoseReportOptions {
  /** Absolute path of the report file. */
  path: string;
}

/** Reads and parses the JSON report gkectl named; says what went wrong instead of throwing. */
export async function readDiagnoseReport(options: ReadDiagnoseReportOptions): Promise<DiagnoseReportResult> {
  const { path } = options;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { status: 'missing', path };
    return {
      status: 'unreadable',
      path,
      message: `cannot read ${path}: ${code ?? (error as Error).message}`,
    };
  }
  try {
    return { status: 'read', path, report: parseDiagnoseReport({ text, path }) };
  } catch (error) {
    return { status: 'invalid', path, message: (error as Error).message };
  }
}
