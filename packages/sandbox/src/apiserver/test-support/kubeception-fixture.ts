/** A small Kubeception-shaped admin cluster namespace (names as in the procedures), as one YAML stream. */
export function kubeceptionFixtureYaml(options: { cluster: string }): string {
  const cluster = options.cluster;
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${cluster}
---
apiVersion: v1
kind: Secret
metadata:
  name: kube-etcd-certs-x7k2p
  namespace: ${cluster}
stringData:
  etcdCA.crt: test-ca
  etcd.crt: test-cert
  etcd.key: test-key
---
apiVersion: v1
kind: Service
metadata:
  name: kube-etcd
  namespace: ${cluster}
spec:
  clusterIP: None
  selector: {app: etcd}
  ports:
  - {name: client, port: 2379}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: kube-etcd
  namespace: ${cluster}
spec:
  replicas: 1
  serviceName: kube-etcd
  podManagementPolicy: Parallel
  selector:
    matchLabels: {app: etcd}
  template:
    metadata:
      labels: {app: etcd, component: etcd}
    spec:
      nodeSelector:
        kubernetes.googleapis.com/cluster-name: ${cluster}
      containers:
      - name: kube-etcd
        image: gcr.io/gke-on-prem-release/etcd:v3.4.27-gke.1
        command: ["sleep", "3600"]
        volumeMounts:
        - {name: data, mountPath: /var/lib/etcd}
        - {name: etcd-certs, mountPath: /etcd.local.config/certificates}
      volumes:
      - name: etcd-certs
        secret: {secretName: kube-etcd-certs-x7k2p}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: kube-apiserver
  namespace: ${cluster}
spec:
  replicas: 3
  serviceName: kube-apiserver
  selector:
    matchLabels: {app: kube-apiserver}
  template:
    metadata:
      labels: {app: kube-apiserver}
    spec:
      containers:
      - name: kube-apiserver
        image: gcr.io/gke-on-prem-release/kube-apiserver:v1.28.15-gke.1
        command: ["sleep", "3600"]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: gke-master-etcd-maintenance
  namespace: ${cluster}
spec:
  replicas: 1
  selector:
    matchLabels: {app: gke-master-etcd-maintenance}
  template:
    metadata:
      labels: {app: gke-master-etcd-maintenance}
    spec:
      containers:
      - name: maintenance
        image: gcr.io/gke-on-prem-release/etcd-util:1.28.0
        command: ["sleep", "3600"]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: kube-apiserver-pdb
  namespace: ${cluster}
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: kube-apiserver}
---
apiVersion: onprem.cluster.gke.io/v1alpha1
kind: OnPremUserCluster
metadata:
  name: ${cluster}
  namespace: kube-system
spec:
  enableControlplaneV2: false
`;
}

/** The utility pod of the non-HA Kubeception restore, exactly as the procedure writes it. */
export function utilityPodYaml(options: {
  cluster: string;
  member: number;
  node: string;
  version: string;
  secret: string;
}): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: etcd-utility-${options.member}
  namespace: ${options.cluster}
spec:
  containers:
  - command: ["/bin/sh", "-ec", "while :; do echo '.'; sleep 5 ; done"]
    image: gcr.io/gke-on-prem-release/etcd-util:${options.version}
    name: etcd-utility
    volumeMounts:
    - mountPath: /var/lib/etcd
      name: data
    - mountPath: /etcd.local.config/certificates
      name: etcd-certs
  nodeSelector:
    kubernetes.googleapis.com/cluster-name: ${options.cluster}
    kubernetes.io/hostname: ${options.node}
  tolerations:
  - effect: NoExecute
    key: node.kubernetes.io/not-ready
    operator: Exists
    tolerationSeconds: 300
  - effect: NoExecute
    key: node.kubernetes.io/unreachable
    operator: Exists
    tolerationSeconds: 300
  - effect: NoSchedule
    key: node.kubernetes.io/unschedulable
    operator: Exists
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: data-kube-etcd-${options.member}
  - name: etcd-certs
    secret:
      defaultMode: 420
      secretName: ${options.secret}
`;
}
