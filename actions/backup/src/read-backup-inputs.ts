import {
  ActionInputError,
  booleanInput,
  type ClusterInputs,
  type GetInput,
  integerInput,
  multilineInput,
  optionalInput,
  readClusterInputs,
} from '@etcd-dr/actions-shared';
import { CryptoError, parseAgeRecipients } from '@etcd-dr/sdk';

/** The backup action's inputs, validated. */
export interface BackupInputs {
  cluster: Exclude<ClusterInputs, { kind: 'none' }>;
  /** age recipients; empty only when `allowUnencrypted`. */
  recipients: string[];
  allowUnencrypted: boolean;
  /** Bundle name (the artifact is `NAME.tar`); undefined: the SDK's `CLUSTER-YYYYMMDDTHHMMSSZ`. */
  bundleName?: string;
  /** As requested, before the repository's cap. */
  retentionDays?: number;
}

/** The longest retention GitHub allows any repository (organizations and enterprises can go to 400). */
export const maximumRetentionDays = 400;

/**
 * Pure: reads and validates the backup action's inputs.
 * @throws ActionInputError naming the input and what to set.
 */
export async function readBackupInputs(getInput: GetInput): Promise<BackupInputs> {
  const cluster = readClusterInputs(getInput);
  if (cluster.kind === 'none') {
    throw new ActionInputError({
      input: 'config',
      problem: 'no cluster is described',
      remedy:
        'set config to the path of an etcd-dr.yaml, or set cluster-name with admin-kubeconfig and user-kubeconfig (from secrets)',
    });
  }
  const lines = multilineInput(getInput, 'recipients');
  if (lines.some((line) => line.toUpperCase().startsWith('AGE-SECRET-KEY-'))) {
    throw new ActionInputError({
      input: 'recipients',
      problem: 'holds an age secret key (AGE-SECRET-KEY-...), not a recipient',
      remedy:
        'pass the public recipient that `age-keygen -y KEYFILE` prints (age1...), and rotate the key: it was exposed to the workflow',
    });
  }
  let recipients: string[];
  try {
    recipients = await parseAgeRecipients({ text: lines.join('\n'), source: 'input recipients' });
  } catch (error) {
    if (!CryptoError.isInstance(error)) throw error;
    throw new ActionInputError({
      input: 'recipients',
      problem: error.message.replace(/^input recipients(?: line \d+)?: /, ''),
      remedy: error.remedy ?? 'pass age1... recipients, one per line',
    });
  }
  const allowUnencrypted = booleanInput(getInput, 'allow-unencrypted', false);
  if (recipients.length === 0 && !allowUnencrypted) {
    throw new ActionInputError({
      input: 'recipients',
      problem:
        'is empty, so the snapshot (which holds every Kubernetes Secret) would be uploaded unencrypted',
      remedy:
        'set recipients to one or more age1... recipients, or set allow-unencrypted: true to accept that',
    });
  }
  const bundleName = optionalInput(getInput, 'artifact-name');
  if (bundleName !== undefined && !/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/.test(bundleName)) {
    throw new ActionInputError({
      input: 'artifact-name',
      problem: `${JSON.stringify(bundleName)} is not a bundle name`,
      remedy:
        "use letters, digits, '.', '_' and '-' only, not starting with '.', e.g. user-cluster-1-nightly",
    });
  }
  const retentionDays = integerInput(getInput, 'retention-days', {
    minimum: 1,
    maximum: maximumRetentionDays,
  });
  return {
    cluster,
    recipients,
    allowUnencrypted,
    ...(bundleName === undefined ? {} : { bundleName: bundleName.replace(/\.tar$/, '') }),
    ...(retentionDays === undefined ? {} : { retentionDays }),
  };
}
