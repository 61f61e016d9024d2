import { EtcdDrError } from '@etcd-dr/sdk';

/** Options of {@link ActionInputError}. */
export interface ActionInputErrorOptions {
  /** The input, as named in action.yml (`retention-days`). */
  input: string;
  /** What is wrong with it, without the input's name. */
  problem: string;
  /** What to set instead. */
  remedy: string;
}

/** An Action input is missing, malformed or contradicts another; the message names the input. */
export class ActionInputError extends EtcdDrError {
  declare readonly code: 'ACTION_INPUT_INVALID';
  readonly input: string;

  constructor(options: ActionInputErrorOptions) {
    super({
      code: 'ACTION_INPUT_INVALID',
      message: `input ${options.input}: ${options.problem}`,
      remedy: options.remedy,
    });
    this.name = 'ActionInputError';
    this.input = options.input;
  }
}
