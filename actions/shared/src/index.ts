/** What both GitHub Actions share; bundled into each action's dist/index.js. */
export type { ActionInputErrorOptions } from './action-input-error.js';
export { ActionInputError } from './action-input-error.js';
export type { CreateSecretDirectoryOptions, SecretDirectory } from './create-secret-directory.js';
export { createSecretDirectory } from './create-secret-directory.js';
export { hashFile } from './hash-file.js';
export type { GetInput } from './input-readers.js';
export { booleanInput, choiceInput, integerInput, multilineInput, optionalInput } from './input-readers.js';
export { markdownCell } from './markdown-cell.js';
export type { MaskSecretOptions } from './mask-secret.js';
export { maskSecret } from './mask-secret.js';
export type { PrepareClusterConfigOptions, PreparedClusterConfig } from './prepare-cluster-config.js';
export { prepareClusterConfig } from './prepare-cluster-config.js';
export type { ClusterInputs, ClusterSecretInputs } from './read-cluster-inputs.js';
export { clusterInputNames, readClusterInputs } from './read-cluster-inputs.js';
