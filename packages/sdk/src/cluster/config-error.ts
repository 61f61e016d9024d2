import { EtcdDrError, type EtcdDrErrorOptions } from '../errors/etcd-dr-error.js';

export type ConfigErrorCode = 'CONFIG_NOT_FOUND' | 'CONFIG_NOT_YAML' | 'CONFIG_INVALID';

/** The cluster config file is missing, unreadable or does not match the schema. */
export class ConfigError extends EtcdDrError {
  declare readonly code: ConfigErrorCode;
  readonly path: string;

  constructor(options: EtcdDrErrorOptions & { code: ConfigErrorCode; path: string }) {
    super(options);
    this.name = 'ConfigError';
    this.path = options.path;
  }
}
