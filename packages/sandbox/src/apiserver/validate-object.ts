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
