function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Applies an RFC 7386 JSON merge patch (`null` deletes, objects merge, everything else replaces). */
export function applyMergePatch(options: { document: unknown; patch: unknown }): unknown {
  if (!isObject(options.patch)) return structuredClone(options.patch);
  const result: Record<string, unknown> = isObject(options.document) ? structuredClone(options.document) : {};
  for (const [key, value] of Object.entries(options.patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch({ document: result[key], patch: value });
  }
  return result;
}
