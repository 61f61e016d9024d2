// apiserver/: the simulated Kubernetes API server (keep these lines together; runtime/ exports go elsewhere).
export type { KubeStatus, StatusReason } from './apiserver/api-status-error.js';
export { ApiStatusError } from './apiserver/api-status-error.js';
export type { KubeletOptions } from './apiserver/controllers/create-kubelet.js';
export type { ApiServer, CreateApiServerOptions } from './apiserver/create-api-server.js';
export { createApiServer } from './apiserver/create-api-server.js';
export type { EtcdTlsOptions } from './apiserver/storage/etcd-gateway-client.js';
export type { KubeObject, ObjectMeta } from './apiserver/storage/object-store.js';
