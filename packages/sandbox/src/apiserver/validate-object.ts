import { invalid } from './api-status-error.js';
import type { LooseObject } from './loose-object.js';
import type { ResourceType } from './resource-types.js';
import { labelSelectorFromObject, matchesLabelSelector } from './selectors/label-selector.js';
import type { KubeObject } from './storage/object-store.js';

type Cause = { field: string; message: string; reason?: string };

function podSpecCauses(spec: LooseObject | undefined, path: string): Cause[] {
  const causes: Cause[] = [];
  const containers = (spec?.containers ?? []) as LooseObject[];
  if (containers.length === 0) {
    causes.push({ field: `${path}.containers`, message: 'Required value', reason: 'FieldValueRequired' });
  }
  containers.forEach((container, index) => {
    if (!container.name) {
      causes.push({
        field: `${path}.containers[${index}].name`,
        message: 'Required value',
        reason: 'FieldValueRequired',
      });
    }
    if (!container.image) {
      causes.push({
        field: `${path}.containers[${index}].image`,
        message: 'Required value',
        reason: 'FieldValueRequired',
      });
    }
  });
  const volumeNames = new Set(((spec?.volumes ?? []) as LooseObject[]).map((volume) => volume.name));
  containers.forEach((container, index) => {
    ((container.volumeMounts ?? []) as LooseObject[]).forEach((mount, mountIndex) => {
      if (!volumeNames.has(mount.name)) {
        causes.push({
          field: `${path}.containers[${index}].volumeMounts[${mountIndex}].name`,
          message: `Not found: "${mount.name}"`,
          reason: 'FieldValueNotFound',
        });
      }
    });
  });
  return causes;
}

/** Rejects objects the real apiserver would reject (422 `Invalid` with field causes). */
export function validateObject(options: { type: ResourceType; object: KubeObject }): void {
  const { type } = options;
  const object = options.object as LooseObject;
  const causes: Cause[] = [];
  const key = `${type.group}/${type.resource}`;
  if (key === '/pods') causes.push(...podSpecCauses(object.spec, 'spec'));
  if (key === 'apps/statefulsets' || key === 'apps/deployments') {
    const selector = object.spec?.selector;
    if (!selector) {
      causes.push({ field: 'spec.selector', message: 'Required value', reason: 'FieldValueRequired' });
    } else if (
      !matchesLabelSelector({
        selector: labelSelectorFromObject(selector),
        labels: object.spec?.template?.metadata?.labels,
      })
    ) {
      causes.push({
        field: 'spec.template.metadata.labels',
        message: `Invalid value: ${JSON.stringify(object.spec?.template?.metadata?.labels ?? {})}: \`selector\` does not match template \`labels\``,
      });
    }
    // volumeClaimTemplates provide volumes the template itself does not list.
    const claims = ((object.spec?.volumeClaimTemplates ?? []) as LooseObject[]).map((claim) => ({
      name: claim.metadata?.name,
    }));
    const templateSpec = {
      ...object.spec?.template?.spec,
      volumes: [...(object.spec?.template?.spec?.volumes ?? []), ...claims],
    };
    causes.push(...podSpecCauses(templateSpec, 'spec.template.spec'));
    if (typeof object.spec?.replicas === 'number' && object.spec.replicas < 0) {
      causes.push({
        field: 'spec.replicas',
        message: `Invalid value: ${object.spec.replicas}: must be greater than or equal to 0`,
      });
    }
  }
  if (key === '/persistentvolumeclaims' && !object.spec?.resources?.requests?.storage) {
    causes.push({
      field: 'spec.resources[storage]',
      message: 'Required value',
      reason: 'FieldValueRequired',
    });
  }
  if (causes.length > 0) {
    throw invalid({ kind: type.kind, group: type.group, name: object.metadata?.name ?? '', causes });
  }
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as LooseObject)
      .filter(([, inner]) => inner !== undefined)
      .sort(([left], [right]) => left.localeCompare(right));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function immutablePodSpecView(spec: LooseObject | undefined): LooseObject {
  const view = structuredClone(spec ?? {}) as LooseObject;
  for (const container of [...(view.containers ?? []), ...(view.initContainers ?? [])] as LooseObject[]) {
    delete container.image;
  }
  for (const field of ['activeDeadlineSeconds', 'tolerations', 'terminationGracePeriodSeconds', 'nodeName'])
    delete view[field];
  return view;
}

/**
 * Rejects pod updates the real server forbids: only container images, activeDeadlineSeconds, tolerations
 * and terminationGracePeriodSeconds may change, and nodeName only from unset (422 with the real wording).
 */
export function validatePodUpdate(options: { current: KubeObject; next: KubeObject }): void {
  const currentSpec = (options.current.spec ?? {}) as LooseObject;
  const nextSpec = (options.next.spec ?? {}) as LooseObject;
  const nodeChanged = currentSpec.nodeName !== undefined && currentSpec.nodeName !== nextSpec.nodeName;
  if (
    !nodeChanged &&
    canonical(immutablePodSpecView(currentSpec)) === canonical(immutablePodSpecView(nextSpec))
  )
    return;
  throw invalid({
    kind: 'Pod',
    group: '',
    name: options.current.metadata?.name ?? '',
    causes: [
      {
        field: 'spec',
        reason: 'FieldValueForbidden',
        message:
          'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
      },
    ],
  });
}
