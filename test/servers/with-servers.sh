#!/bin/bash
# Runs a command with the real servers the tests use: one Ceph RGW (shared by integration and e2e specs
# through KEYDESK_TEST_RGW) and a throw-away Secret Service for keytar. With KEYDESK_START_KEYSTONES=1
# (npm test) it also starts two Keystones in the background, shared through KEYDESK_TEST_KEYSTONES: they
# come up (~11 s) while typecheck and build run, and the Keystone tests wait for them (keystone.ts).
# Usage: with-servers.sh CMD [ARGS...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

cleanups=()
cleanup() { for step in "${cleanups[@]}"; do eval "$step" >/dev/null 2>&1 || true; done; }
trap cleanup EXIT

if [ "${KEYDESK_START_KEYSTONES:-}" = 1 ] && [ -z "${KEYDESK_TEST_KEYSTONES:-}" ] && command -v keystone-manage >/dev/null && command -v uwsgi_python3 >/dev/null; then
  ks_root=$(mktemp -d /tmp/keydesk-test-keystones.XXXXXX)
  list=""
  for name in a b; do
    port=$(free_port)
    ( KS_DIR=$ks_root/$name KS_PORT=$port bash "$here/keystone-up.sh" >"$ks_root/$name.log" 2>&1; echo $? >"$ks_root/$name.status" ) &
    # Stopped only once its start finished: a uwsgi started after down.sh ran would be left behind.
    cleanups+=("wait $!; KS_DIR=$ks_root/$name bash '$here/keystone-down.sh'")
    list="$list${list:+,}{\"url\":\"http://127.0.0.1:$port/v3\",\"status\":\"$ks_root/$name.status\",\"log\":\"$ks_root/$name.log\"}"
  done
  cleanups+=("rm -rf '$ks_root'")
  export KEYDESK_TEST_KEYSTONES="[$list]"
fi

if [ -z "${KEYDESK_TEST_RGW:-}" ]; then
  command -v radosgw >/dev/null || { echo "Ceph RGW is not installed: run 'bash scripts/install-system-deps.sh' (as root)." >&2; exit 1; }
  # RGW_TLS: the S3 suites also run over HTTPS with a private CA (see rgw-up.sh).
  export CEPH_DIR RGW_PORT MON_V2 MON_V1 RGW_TLS=1 RGW_TLS_PORT
  cleanups=("bash '$here/rgw-down.sh'; rm -rf \"\$(dirname \"\$CEPH_DIR\")\"" "${cleanups[@]}")
  # A port seen free can be taken before the daemons bind it: clean up and retry with new ports.
  for attempt in 1 2 3; do
    CEPH_DIR=$(mktemp -d /tmp/keydesk-test-rgw.XXXXXX)/cluster
    RGW_PORT=$(free_port); MON_V2=$(free_port); MON_V1=$(free_port); RGW_TLS_PORT=$(free_port)
    if bash "$here/rgw-up.sh" >"$(dirname "$CEPH_DIR")/up.log" 2>&1; then break; fi
    cat "$(dirname "$CEPH_DIR")/up.log" >&2
    bash "$here/rgw-down.sh" >/dev/null 2>&1; rm -rf "$(dirname "$CEPH_DIR")"
    [ "$attempt" = 3 ] && { echo "Ceph RGW did not start (3 attempts)." >&2; exit 1; }
  done
  KEYDESK_TEST_RGW=$(node -e '
    const fs = require("fs");
    const a = JSON.parse(fs.readFileSync(process.env.CEPH_DIR + "/admin.json", "utf8")).keys[0];
    const t = JSON.parse(fs.readFileSync(process.env.CEPH_DIR + "/tls.json", "utf8"));
    console.log(JSON.stringify({ endpoint: "http://127.0.0.1:" + process.env.RGW_PORT, region: "us-east-1", cephDir: process.env.CEPH_DIR,
      admin: { accessKeyId: a.access_key, secretAccessKey: a.secret_key }, tls: { endpoint: t.endpoint, caFile: t.caFile } }));')
  export KEYDESK_TEST_RGW
fi
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] || [ -z "${KEYDESK_TEST_KEYRING:-}" ]; then
  export KEYDESK_TEST_KEYRING=1
  bash "$here/with-keyring.sh" "$@"
else
  "$@"
fi
