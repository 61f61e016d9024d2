/** The GDC release the lab imitates. Image names only label pods: every binary comes from the host's /usr. */
export const gkeOnPremVersion = '1.28.400-gke.75';

export const labImages = {
  etcd: 'gcr.io/gke-on-prem-release/etcd:v3.4.27-0-gke.1',
  etcdUtil: `gcr.io/gke-on-prem-release/etcd-util:${gkeOnPremVersion}`,
  kubeApiserver: 'gcr.io/gke-on-prem-release/kube-apiserver:v1.28.9-gke.400',
} as const;
