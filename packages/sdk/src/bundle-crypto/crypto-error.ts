import { EtcdDrError, type EtcdDrErrorOptions } from '../errors/etcd-dr-error.js';

export type CryptoErrorCode =
  | 'AGE_RECIPIENT_INVALID'
  | 'AGE_RECIPIENTS_FILE_UNREADABLE'
  | 'AGE_NO_RECIPIENTS'
  | 'AGE_IDENTITY_INVALID'
  | 'AGE_IDENTITY_FILE_UNREADABLE'
  | 'AGE_NO_IDENTITIES'
  | 'AGE_NO_MATCHING_IDENTITY'
  | 'AGE_NOT_ENCRYPTED'
  | 'AGE_DECRYPT_FAILED';

/** Options of {@link CryptoError}. */
export interface CryptoErrorOptions extends EtcdDrErrorOptions {
  code: CryptoErrorCode;
  /** The file or flag the bad input came from (`--recipient`, a recipients file, an encrypted file). */
  source?: string;
  /** 1-based line of `source` that is wrong, for recipients and identity files. */
  line?: number;
}

/** A bad age recipient or identity, or an encrypted stream that cannot be decrypted. */
export class CryptoError extends EtcdDrError {
  declare readonly code: CryptoErrorCode;
  readonly source: string | undefined;
  readonly line: number | undefined;

  constructor(options: CryptoErrorOptions) {
    super(options);
    this.name = 'CryptoError';
    this.source = options.source;
    this.line = options.line;
  }
}
