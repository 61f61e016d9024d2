/** An artifact as `@actions/artifact` lists it. */
export interface ListedArtifact {
  id: number;
  name: string;
  size: number;
  createdAt?: Date;
  /** `sha256:HEX` when the service knows it. */
  digest?: string;
}

/** Options of {@link selectBackupArtifact}. */
export interface SelectBackupArtifactOptions {
  artifacts: ListedArtifact[];
  /** Exact name; wins over `prefix`. */
  name?: string;
  /** Only names starting with this. */
  prefix?: string;
}

/**
 * Pure: the artifact to drill from: the one named, or the newest bundle artifact (`*.tar`, by creation time,
 * then id) whose name starts with `prefix`. Undefined when none matches.
 */
export function selectBackupArtifact(options: SelectBackupArtifactOptions): ListedArtifact | undefined {
  const { name, prefix } = options;
  const candidates = options.artifacts.filter((artifact) =>
    name !== undefined
      ? artifact.name === name
      : artifact.name.endsWith('.tar') && (prefix === undefined || artifact.name.startsWith(prefix)),
  );
  const time = (artifact: ListedArtifact) => artifact.createdAt?.getTime() ?? 0;
  return candidates.sort((left, right) => time(right) - time(left) || right.id - left.id)[0];
}
