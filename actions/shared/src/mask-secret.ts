/** Options of {@link maskSecret}. */
export interface MaskSecretOptions {
  value: string;
  /** `core.setSecret`. */
  setSecret: (secret: string) => void;
}

/** Lines and values shorter than this are words like `kind: Config`; masking them would hide the whole log. */
const shortest = 16;

/**
 * Registers a multi-line secret (a kubeconfig, a private key) with the runner's log masking: the whole value,
 * the value of each `key: value` line, and each other line (a PEM body line), when 16 characters or longer,
 * since the runner matches masks within a single line.
 */
export function maskSecret(options: MaskSecretOptions): void {
  const { value, setSecret } = options;
  const pieces = new Set<string>([value.trim()]);
  for (const line of value.split(/\r?\n/)) {
    const trimmed = line.trim();
    const field = /^[-\w. ]+:\s*(.*)$/.exec(trimmed);
    const piece = field ? field[1]!.replace(/^["']|["']$/g, '') : trimmed;
    if (piece.length >= shortest) pieces.add(piece);
  }
  for (const piece of pieces) if (piece.length > 0) setSecret(piece);
}
