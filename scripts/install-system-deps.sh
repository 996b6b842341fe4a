#!/bin/bash
# Debian packages Keydesk needs. `runtime` (for npm start): keytar's build deps. `test` (the default, for
# npm test and CI): also a Secret Service, Chromium for the UI tests, Ceph RGW, Keystone and Swift with
# its S3 API (s3api; python3-keystonemiddleware, only recommended by swift-proxy, for its Keystone mode)
# as real servers, openssl for RGW's test CA, tinyproxy and squid as real HTTP proxies, and aws CLI, rclone
# and GNU time for the benchmark.
set -euo pipefail
packages=(libsecret-1-dev pkg-config)
if [ "${1:-test}" = test ]; then
  packages+=(
    dbus gnome-keyring
    chromium
    radosgw ceph-mon ceph-osd uuid-runtime bc curl openssl
    keystone
    swift swift-proxy swift-account swift-container swift-object memcached python3-keystonemiddleware
    tinyproxy squid
    awscli rclone time
  )
fi
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
