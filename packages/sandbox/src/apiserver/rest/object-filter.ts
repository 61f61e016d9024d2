import { badRequest } from '../api-status-error.js';
import type { ResourceType } from '../resource-types.js';
import {
  type FieldRequirement,
  matchesFieldSelector,
  parseFieldSelector,
} from '../selectors/field-selector.js';
import { type LabelSelector, matchesLabelSelector, parseLabelSelector } from '../selectors/label-selector.js';
import type { KubeObject } from '../storage/object-store.js';

/** The label and field selectors of a list or watch request. */
export interface ObjectFilter {
  labels: LabelSelector;
  fields: FieldRequirement[];
}

/** Builds a filter from the `labelSelector` and `fieldSelector` query parameters. */
export function objectFilterFromQuery(options: { type: ResourceType; query: URLSearchParams }): ObjectFilter {
  const labelText = options.query.get('labelSelector') ?? '';
  const fieldText = options.query.get('fieldSelector') ?? '';
  if (labelText.length > 10_000 || fieldText.length > 10_000) throw badRequest('selector too long');
  return {
    labels: parseLabelSelector(labelText),
    fields: parseFieldSelector({ text: fieldText, kind: options.type.kind }),
  };
}

/** True when `object` passes both selectors. */
export function matchesObjectFilter(options: { filter: ObjectFilter; object: KubeObject }): boolean {
  return (
    matchesLabelSelector({ selector: options.filter.labels, labels: options.object.metadata?.labels }) &&
    matchesFieldSelector({ requirements: options.filter.fields, object: options.object })
  );
}
