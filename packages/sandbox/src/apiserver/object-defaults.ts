import type { LooseObject } from './loose-object.js';
import type { ResourceType } from './resource-types.js';
import type { KubeObject } from './storage/object-store.js';

function defaultPodSpec(spec: LooseObject): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  for (const container of [...(spec.containers ?? []), ...(spec.initContainers ?? [])] as LooseObject[]) {
    container.imagePullPolicy ??= String(container.image ?? '').endsWith(':latest')
      ? 'Always'
      : 'IfNotPresent';
    container.terminationMessagePath ??= '/dev/termination-log';
    container.terminationMessagePolicy ??= 'File';
    container.resources ??= {};
    for (const port of (container.ports ?? []) as LooseObject[]) port.protocol ??= 'TCP';
  }
  for (const volume of (spec.volumes ?? []) as LooseObject[]) {
    if (volume.secret) volume.secret.defaultMode ??= 420;
    if (volume.configMap) volume.configMap.defaultMode ??= 420;
  }
}

function defaultWorkload(object: LooseObject, kind: 'StatefulSet' | 'Deployment'): void {
  object.spec ??= {};
  const spec = object.spec;
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  if (kind === 'StatefulSet') {
    spec.podManagementPolicy ??= 'OrderedReady';
    spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
    spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
  } else {
    spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
    spec.progressDeadlineSeconds ??= 600;
  }
  spec.template ??= {};
  spec.template.spec ??= {};
  defaultPodSpec(spec.template.spec);
  object.status ??= { replicas: 0, availableReplicas: 0 };
}

let nextServiceAddress = 10;

/** Fills the defaults the real apiserver sets on create, so stored objects look like real ones. */
export function applyCreateDefaults(options: { type: ResourceType; object: KubeObject }): KubeObject {
  const object = options.object as LooseObject;
  switch (`${options.type.group}/${options.type.resource}`) {
    case '/pods':
      object.spec ??= {};
      defaultPodSpec(object.spec);
      object.status = { phase: 'Pending', qosClass: 'BestEffort' };
      break;
    case '/secrets':
      object.type ??= 'Opaque';
      if (object.stringData) {
        object.data = { ...object.data };
        for (const [key, value] of Object.entries(object.stringData as Record<string, string>)) {
          object.data[key] = Buffer.from(value, 'utf8').toString('base64');
        }
        delete object.stringData;
      }
      break;
    case '/services': {
      object.spec ??= {};
      object.spec.type ??= 'ClusterIP';
      object.spec.sessionAffinity ??= 'None';
      if (object.spec.clusterIP === undefined) {
        nextServiceAddress = (nextServiceAddress % 250) + 1;
        object.spec.clusterIP = `10.96.0.${nextServiceAddress}`;
        object.spec.clusterIPs = [object.spec.clusterIP];
      }
      for (const port of (object.spec.ports ?? []) as LooseObject[]) {
        port.protocol ??= 'TCP';
        port.targetPort ??= port.port;
      }
      object.status = { loadBalancer: {} };
      break;
    }
    case '/persistentvolumeclaims':
      object.spec ??= {};
      object.spec.volumeMode ??= 'Filesystem';
      object.status = { phase: 'Pending' };
      break;
    case 'apps/statefulsets':
      defaultWorkload(object, 'StatefulSet');
      break;
    case 'apps/deployments':
      defaultWorkload(object, 'Deployment');
      break;
    case 'policy/poddisruptionbudgets':
      object.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
      break;
  }
  return object;
}
