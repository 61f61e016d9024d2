import { z } from 'zod';

/** Matches a lab prefix: `edr` and four hex digits. Every host object of the lab starts with it. */
export const labPrefixPattern = /^edr[0-9a-f]{4}$/;

/** One host object a lab creates, as recorded in `DIR/state.json` before it is created. */
export const labObjectSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('netns'), name: z.string().min(1) }),
  z.object({ kind: z.literal('link'), name: z.string().min(1).max(15) }),
  z.object({
    kind: z.literal('process'),
    pid: z.number().int().positive(),
    /** Field 22 of `/proc/PID/stat`, so a recycled pid is never killed. */
    startTime: z.string().min(1),
    /** True when the process leads its own process group, which teardown then kills as a whole. */
    group: z.boolean(),
    description: z.string(),
  }),
  z.object({ kind: z.literal('directory'), path: z.string().startsWith('/') }),
  z.object({ kind: z.literal('file'), path: z.string().startsWith('/') }),
  z.object({ kind: z.literal('mount'), path: z.string().startsWith('/') }),
]);

/** One host object of a lab. */
export type LabObject = z.infer<typeof labObjectSchema>;

/** The content of `DIR/state.json`. */
export const labStateFileSchema = z.object({
  version: z.literal(1),
  prefix: z.string().regex(labPrefixPattern),
  createdAt: z.string(),
  objects: z.array(labObjectSchema),
});

/** The content of `DIR/state.json`. */
export type LabStateFile = z.infer<typeof labStateFileSchema>;

/** True when both describe the same host object. */
export function isSameLabObject(left: LabObject, right: LabObject): boolean {
  if (left.kind !== right.kind) return false;
  switch (left.kind) {
    case 'netns':
    case 'link':
      return left.name === (right as typeof left).name;
    case 'process':
      return left.pid === (right as typeof left).pid && left.startTime === (right as typeof left).startTime;
    default:
      return left.path === (right as typeof left).path;
  }
}

/**
 * The order in which teardown removes objects: processes first (they hold mounts and namespaces), then
 * mounts, links, namespaces, and paths last, deepest first.
 */
export function orderForTeardown(objects: readonly LabObject[]): LabObject[] {
  const rank: Record<LabObject['kind'], number> = {
    process: 0,
    mount: 1,
    link: 2,
    netns: 3,
    file: 4,
    directory: 5,
  };
  const depth = (object: LabObject) => ('path' in object ? object.path.split('/').length : 0);
  return objects
    .map((object, index) => ({ object, index }))
    .sort(
      (left, right) =>
        rank[left.object.kind] - rank[right.object.kind] ||
        depth(right.object) - depth(left.object) ||
        right.index - left.index,
    )
    .map((entry) => entry.object);
}

/** Parses the start time (field 22, clock ticks since boot) out of the text of `/proc/PID/stat`. */
export function parseProcessStartTime(statText: string): string | undefined {
  const afterName = statText.slice(statText.lastIndexOf(')') + 2);
  const fields = afterName.trim().split(/\s+/);
  // fields[0] is field 3 (state), so field 22 is at index 19.
  return fields[19];
}
