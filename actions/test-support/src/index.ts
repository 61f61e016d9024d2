/** Test infrastructure for the GitHub Actions: Azurite and a stand-in for the Actions results service. */
export type { CreateRuntimeTokenOptions } from './create-runtime-token.js';
export { createRuntimeToken, verifyRuntimeToken } from './create-runtime-token.js';
export type { ActionRun, RunActionOptions } from './run-action.js';
export { parseOutputFile, runAction } from './run-action.js';
export type { Azurite, StartAzuriteOptions } from './start-azurite.js';
export { azuriteAccount, startAzurite } from './start-azurite.js';
export type {
  ResultsService,
  ResultsServiceRun,
  StartResultsServiceOptions,
  StoredArtifact,
} from './start-results-service.js';
export { startResultsService } from './start-results-service.js';
