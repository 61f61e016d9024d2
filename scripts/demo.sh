#!/usr/bin/env bash
# The README demo: starts a throwaway etcd on free loopback ports, writes a few Kubernetes-like objects,
# saves a snapshot with etcdctl and inspects it with etcd-dr. Everything it makes is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

etcd_dr=(node packages/cli/dist/etcd-dr.js)
work=$(mktemp -d /tmp/etcd-dr-demo.XXXXXX)
etcd_pid=
cleanup() {
  if [[ -n $etcd_pid ]]; then
    kill "$etcd_pid" 2>/dev/null || true
    wait "$etcd_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}
client_port=$(free_port)
peer_port=$(free_port)
endpoint="http://127.0.0.1:$client_port"
peer="http://127.0.0.1:$peer_port"

echo "demo: starting a throwaway etcd on $endpoint (data in $work)"
etcd --name demo --data-dir "$work/data" \
  --listen-client-urls "$endpoint" --advertise-client-urls "$endpoint" \
  --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
  --initial-cluster "demo=$peer" >"$work/etcd.log" 2>&1 &
etcd_pid=$!

export ETCDCTL_API=3
etcdctl=(etcdctl --endpoints "$endpoint")
for _ in $(seq 100); do
  "${etcdctl[@]}" endpoint health >/dev/null 2>&1 && break
  kill -0 "$etcd_pid" 2>/dev/null || { echo "demo: etcd exited; its log:" >&2; tail -5 "$work/etcd.log" >&2; exit 1; }
  sleep 0.1
done

echo "demo: writing Kubernetes-like objects with etcdctl"
object() { printf '{"apiVersion":"%s","kind":"%s","metadata":{"name":"%s"%s}}' "$1" "$2" "$3" "${4:+,\"namespace\":\"$4\"}"; }
put() { "${etcdctl[@]}" put "$1" "$2" >/dev/null; }
for namespace in default kube-system shop; do
  put "/registry/namespaces/$namespace" "$(object v1 Namespace "$namespace")"
done
put /registry/minions/node-1 "$(object v1 Node node-1)"
put /registry/services/specs/default/kubernetes "$(object v1 Service kubernetes default)"
put /registry/services/specs/shop/frontend "$(object v1 Service frontend shop)"
for pod in frontend-7d4b9 frontend-x2k8p cart-5f6c7; do
  put "/registry/pods/shop/$pod" "$(object v1 Pod "$pod" shop)"
done
put /registry/pods/kube-system/coredns-1 "$(object v1 Pod coredns-1 kube-system)"
put /registry/secrets/shop/db-password "$(object v1 Secret db-password shop)"
put /registry/apiextensions.k8s.io/customresourcedefinitions/carts.shop.example.com \
  "$(object apiextensions.k8s.io/v1 CustomResourceDefinition carts.shop.example.com)"
put /registry/shop.example.com/carts/shop/cart-42 "$(object shop.example.com/v1 Cart cart-42 shop)"
revision=$("${etcdctl[@]}" get /registry/minions/node-1 -w json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).header.revision))')
"${etcdctl[@]}" compaction "$revision" >/dev/null
put /registry/pods/shop/cart-5f6c7 "$(object v1 Pod cart-5f6c7 shop)"
"${etcdctl[@]}" del /registry/pods/shop/frontend-x2k8p >/dev/null
echo "demo: wrote 13 objects, compacted at revision $revision, then overwrote 1 and deleted 1"

snapshot="$work/snapshot.db"
echo "demo: etcdctl snapshot save $snapshot"
"${etcdctl[@]}" snapshot save "$snapshot" >/dev/null 2>&1

echo
echo "\$ etcd-dr inspect $snapshot"
"${etcd_dr[@]}" inspect "$snapshot"

echo
echo "\$ etcd-dr inspect --json $snapshot | (revision, integrity, live keys of pods)"
"${etcd_dr[@]}" inspect --json "$snapshot" | node -e '
let text = "";
process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => {
  const inspection = JSON.parse(text);
  const pods = inspection.resources.find((entry) => entry.resource === "pods");
  console.log(JSON.stringify({ revision: inspection.status.revision, integrity: inspection.integrity.verdict, pods }));
});'

echo
echo "\$ etcdctl snapshot status -w table $snapshot   (for comparison)"
etcdctl snapshot status -w table "$snapshot"

echo
echo "demo: done; stopping etcd and removing $work"
