import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type GkectlDiagnoseResult, isHealthy } from './diagnose-result.js';

/** Options of {@link writeDiagnoseReport}. */
export interface WriteDiagnoseReportOptions {
  result: GkectlDiagnoseResult;
  /** The folder the report goes to (gkectl writes it to its working directory). */
  directory: string;
  /** When the run started; names the file. */
  startedAt: Date;
}

/**
 * Writes the run's JSON report as `diagnose-report-CLUSTER-YYYYMMDD-HHMMSS.json` in `directory` (a `-N` suffix
 * when that name is taken; never overwrites) and returns the file name, relative to `directory`.
 */
export async function writeDiagnoseReport(options: WriteDiagnoseReportOptions): Promise<string> {
  const { result, startedAt } = options;
  const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const body = `${JSON.stringify(
    {
      kind: 'DiagnoseReport',
      cluster: { name: result.clusterName, type: result.target },
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      healthy: isHealthy(result),
      validations: result.categories.map((category) => ({
        category: category.name,
        results: category.checks.map((check) => ({
          name: check.name.replace(/^Checking /, ''),
          status: check.status,
          reasons: check.reasons,
          unhealthyResources: check.unhealthyResources,
        })),
      })),
    },
    null,
    2,
  )}\n`;
  for (let attempt = 0; ; attempt += 1) {
    const name = `diagnose-report-${result.clusterName}-${stamp}${attempt === 0 ? '' : `-${attempt}`}.json`;
    try {
      await writeFile(join(options.directory, name), body, { flag: 'wx', mode: 0o644 });
      return name;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 100) throw error;
    }
  }
}
