import { EtcdDrError, type EtcdDrErrorOptions } from '../errors/etcd-dr-error.js';

export type BundleErrorCode =
  | 'BUNDLE_NOT_FOUND'
  | 'BUNDLE_EXISTS'
  | 'BUNDLE_MANIFEST_MISSING'
  | 'BUNDLE_MANIFEST_INVALID'
  | 'BUNDLE_VERSION_UNSUPPORTED'
  | 'BUNDLE_TAR_INVALID'
  | 'BUNDLE_FILE_MISSING'
  | 'BUNDLE_FILE_MISMATCH'
  | 'BUNDLE_FILE_UNEXPECTED'
  | 'BUNDLE_FILE_INVALID'
  | 'BUNDLE_WRITE_FAILED'
  | 'BUNDLE_WRITER_CLOSED';

/** A bundle cannot be written, read or trusted. `file` names the stored file concerned, when one is. */
export class BundleError extends EtcdDrError {
  declare readonly code: BundleErrorCode;
  /** The bundle directory or `.tar` (the final path, also while it is being written). */
  readonly bundlePath: string;
  /** Path of the file inside the bundle, e.g. `snapshot.db`. */
  readonly file: string | undefined;

  constructor(options: EtcdDrErrorOptions & { code: BundleErrorCode; bundlePath: string; file?: string }) {
    super(options);
    this.name = 'BundleError';
    this.bundlePath = options.bundlePath;
    this.file = options.file;
  }
}
