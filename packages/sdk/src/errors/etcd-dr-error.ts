const marker = 'etcd-dr.error';
const symbol = Symbol.for(marker);

/** Options shared by every etcd-dr error. */
export interface EtcdDrErrorOptions {
  /** Stable, machine-readable code, e.g. `SNAPSHOT_HASH_MISMATCH`. Never changes between versions. */
  code: string;
  /** What failed and where (file, pod, node, step). One sentence, no trailing period needed. */
  message: string;
  /** What the user should do next. */
  remedy?: string;
  /** True when the same call may succeed if tried again (network blips, busy API server). Default false. */
  isRetryable?: boolean;
  /** The lower-level error, kept for debugging; never shown to users by the CLI unless asked. */
  cause?: unknown;
}

/**
 * Base class of every error the SDK throws.
 *
 * `instanceof` is unreliable when the SDK is bundled more than once (the CLI and each Action carry their
 * own copy), so use `EtcdDrError.isInstance(error)`, which checks a global symbol marker instead.
 */
export class EtcdDrError extends Error {
  protected readonly [symbol] = true;
  readonly code: string;
  readonly remedy: string | undefined;
  readonly isRetryable: boolean;

  constructor(options: EtcdDrErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EtcdDrError';
    this.code = options.code;
    this.remedy = options.remedy;
    this.isRetryable = options.isRetryable ?? false;
  }

  static isInstance(error: unknown): error is EtcdDrError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[symbol] === true;
  }

  /** The one-line form the CLI prints: `CODE: message; remedy`. */
  toLine(): string {
    return this.remedy ? `${this.code}: ${this.message}; ${this.remedy}` : `${this.code}: ${this.message}`;
  }

  toJSON(): { name: string; code: string; message: string; remedy?: string; isRetryable: boolean } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.remedy ? { remedy: this.remedy } : {}),
      isRetryable: this.isRetryable,
    };
  }
}
