const knownImagePatterns = [
  /^gcr\.io\/gke-on-prem-release\/etcd:[\w.-]+$/,
  /^gcr\.io\/gke-on-prem-release\/etcd-util:[\w.-]+$/,
  /^gcr\.io\/gke-on-prem-release\/kube-apiserver:[\w.-]+$/,
  /^gcr\.io\/gke-on-prem-release\/pause:[\w.-]+$/,
  /^etcd-dr-lab\/[\w./-]+(:[\w.-]+)?$/,
];

/** True for the images the lab can "pull": GDC's etcd, etcd-util, kube-apiserver, pause and `etcd-dr-lab/*`. */
export function isKnownImage(image: string): boolean {
  return knownImagePatterns.some((pattern) => pattern.test(image));
}

/** The kubelet's message for an image a registry does not have. */
export function imagePullMessage(image: string): string {
  const reference = image.includes(':') || image.includes('@') ? image : `${image}:latest`;
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${reference}": ${reference}: not found`;
}
