import { EtcdDrError, type EtcdDrErrorOptions } from '../errors/etcd-dr-error.js';

export type TarErrorCode =
  | 'TAR_NOT_FOUND'
  | 'TAR_TRUNCATED'
  | 'TAR_HEADER_INVALID'
  | 'TAR_ENTRY_INVALID'
  | 'TAR_SIZE_MISMATCH';

/** A tar archive cannot be read (missing, truncated, corrupt header) or an entry cannot be written. */
export class TarError extends EtcdDrError {
  declare readonly code: TarErrorCode;
  /** The archive file, when there is one (the writer streams and has none). */
  readonly path: string | undefined;
  /** The entry name concerned, when known. */
  readonly entry: string | undefined;

  constructor(options: EtcdDrErrorOptions & { code: TarErrorCode; path?: string; entry?: string }) {
    super(options);
    this.name = 'TarError';
    this.path = options.path;
    this.entry = options.entry;
  }
}
