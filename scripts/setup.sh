#!/usr/bin/env bash
# Makes a fresh machine ready for etcd-dr's demo, tests and benchmarks, and does nothing when it already is:
# installs the Debian packages the lab and the tests run for real (etcd, sshd, bwrap, ...) and the npm
# packages from the committed lock file.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(etcd-server etcd-client openssh-server openssh-client sudo bubblewrap iproute2 openssl age time)

missing=()
for package in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d keeps the packages' own services (the host sshd, a system etcd) from starting: the lab
  # runs its own, and must never touch the host's.
  had_policy=0; [[ -e /usr/sbin/policy-rc.d ]] && had_policy=1
  ((had_policy)) || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; }
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  ((had_policy)) || rm -f /usr/sbin/policy-rc.d
fi

lock_stamp=node_modules/.etcd-dr-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $lock_stamp || $(cat "$lock_stamp") != "$want" ]]; then
  echo "setup: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$lock_stamp"
fi
