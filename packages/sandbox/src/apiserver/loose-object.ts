/** Arbitrary JSON from clients and etcd, read field by field with the checks done at each use. */
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are open-ended JSON; each reader checks what it uses.
export type LooseObject = Record<string, any>;
