import { createSdkDrillRestore } from '@etcd-dr/verify';
import packageJson from '../../package.json' with { type: 'json' };

/** The restore `etcd-dr drill` proves: exactly what `etcd-dr restore --yes` runs. */
export const drillRestore = createSdkDrillRestore({ toolVersion: packageJson.version });
