import { badRequest } from '../api-status-error.js';

/** One `field=value` or `field!=value` requirement. */
export interface FieldRequirement {
  field: string;
  operator: 'equals' | 'notEquals';
  value: string;
}

const fieldsByKind: Record<string, ReadonlySet<string>> = {
  Pod: new Set([
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ]),
  Event: new Set([
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ]),
  Secret: new Set(['type']),
  Node: new Set(['spec.unschedulable']),
};

/**
 * Parses a `fieldSelector` (`metadata.name=x,spec.nodeName!=y`). Only the fields the real server supports
 * for the served kinds are accepted; others get the real 400 message.
 */
export function parseFieldSelector(options: { text: string; kind: string }): FieldRequirement[] {
  return options.text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const match = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
      if (!match) throw badRequest(`invalid selector: '${part}'; can't understand '${part}'`);
      const field = match[1]!;
      const allowed =
        field === 'metadata.name' ||
        field === 'metadata.namespace' ||
        fieldsByKind[options.kind]?.has(field) === true;
      if (!allowed) {
        throw badRequest(
          `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
        );
      }
      return { field, operator: match[2] === '!=' ? 'notEquals' : 'equals', value: match[3]! };
    });
}

function fieldValue(object: Record<string, unknown>, path: string): string {
  let current: unknown = object;
  for (const segment of path.split('.')) {
    current = (current as Record<string, unknown> | undefined)?.[segment];
  }
  return current === undefined || current === null ? '' : String(current);
}

/** True when `object` satisfies every field requirement. */
export function matchesFieldSelector(options: {
  requirements: FieldRequirement[];
  object: Record<string, unknown>;
}): boolean {
  return options.requirements.every((requirement) => {
    const value = fieldValue(options.object, requirement.field);
    return requirement.operator === 'equals' ? value === requirement.value : value !== requirement.value;
  });
}
