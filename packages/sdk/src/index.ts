export type { EtcdDrErrorOptions } from './errors/etcd-dr-error.js';
export { EtcdDrError } from './errors/etcd-dr-error.js';
