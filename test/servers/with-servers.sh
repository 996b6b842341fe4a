#!/bin/bash
# Runs a command with the real servers the tests use: one Ceph RGW (shared by integration and e2e specs
# through KEYDESK_TEST_RGW) and a throw-away Secret Service for keytar. Usage: with-servers.sh CMD [ARGS...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

if [ -z "${KEYDESK_TEST_RGW:-}" ]; then
  command -v radosgw >/dev/null || { echo "Ceph RGW is not installed: run 'bash scripts/install-system-deps.sh' (as root)." >&2; exit 1; }
  export CEPH_DIR RGW_PORT MON_V2 MON_V1
  trap 'bash "$here/rgw-down.sh" >/dev/null 2>&1; rm -rf "$(dirname "$CEPH_DIR")"' EXIT
  # A port seen free can be taken before the daemons bind it: clean up and retry with new ports.
  for attempt in 1 2 3; do
    CEPH_DIR=$(mktemp -d /tmp/keydesk-test-rgw.XXXXXX)/cluster
    RGW_PORT=$(free_port); MON_V2=$(free_port); MON_V1=$(free_port)
    if bash "$here/rgw-up.sh" >"$(dirname "$CEPH_DIR")/up.log" 2>&1; then break; fi
    cat "$(dirname "$CEPH_DIR")/up.log" >&2
    bash "$here/rgw-down.sh" >/dev/null 2>&1; rm -rf "$(dirname "$CEPH_DIR")"
    [ "$attempt" = 3 ] && { echo "Ceph RGW did not start (3 attempts)." >&2; exit 1; }
  done
  KEYDESK_TEST_RGW=$(node -e '
    const a = JSON.parse(require("fs").readFileSync(process.env.CEPH_DIR + "/admin.json", "utf8")).keys[0];
    console.log(JSON.stringify({ endpoint: "http://127.0.0.1:" + process.env.RGW_PORT, region: "us-east-1", cephDir: process.env.CEPH_DIR,
      admin: { accessKeyId: a.access_key, secretAccessKey: a.secret_key } }));')
  export KEYDESK_TEST_RGW
fi
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] || [ -z "${KEYDESK_TEST_KEYRING:-}" ]; then
  export KEYDESK_TEST_KEYRING=1
  bash "$here/with-keyring.sh" "$@"
else
  "$@"
fi
