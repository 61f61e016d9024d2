/** Space on the filesystem holding a path, as `df -Pk` reports it. */
export interface DiskFree {
  /** The path asked about. */
  path: string;
  /** Mount point of the filesystem holding it. */
  mountPoint: string;
  totalBytes: number;
  availableBytes: number;
}

/**
 * Parses the output of `df -Pk -- PATH` (POSIX format, 1024-byte blocks, one line per filesystem).
 * @throws Error when the output has no data line; the caller wraps it with the node and step.
 */
export function parseDiskFree(options: { path: string; output: string }): DiskFree {
  const lines = options.output.split('\n').filter((line) => line.trim() !== '');
  const data = lines[1];
  const fields = data?.trim().split(/\s+/) ?? [];
  // Filesystem 1024-blocks Used Available Capacity Mounted-on; the mount point may contain spaces.
  if (fields.length < 6 || !/^\d+$/.test(fields[1]!) || !/^\d+$/.test(fields[3]!)) {
    throw new Error(
      `unexpected df output for ${options.path}: ${JSON.stringify(options.output.slice(0, 200))}`,
    );
  }
  return {
    path: options.path,
    mountPoint: fields.slice(5).join(' '),
    totalBytes: Number(fields[1]) * 1024,
    availableBytes: Number(fields[3]) * 1024,
  };
}
