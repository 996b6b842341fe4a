#!/bin/bash
# Start a throw-away single-node, single-replica OpenStack Swift 2.30 (Debian bookworm) with its S3 API
# (s3api middleware) on 127.0.0.1: 1 proxy, 1 account, 1 container, 1 object server, 1 memcached.
# Needs: apt-get install -y --no-install-recommends swift swift-proxy swift-account swift-container \
#          swift-object memcached          (18 packages, ~40 s; python3-keystonemiddleware for SWIFT_AUTH=keystone)
# Knobs: SWIFT_DIR (/tmp/keydesk-swift), SWIFT_PORT (proxy, 8480), SWIFT_OBJECT_PORT (6280),
#        SWIFT_CONTAINER_PORT (6281), SWIFT_ACCOUNT_PORT (6282), SWIFT_MEMCACHE_PORT (11280),
#        SWIFT_REGION (us-east-1), SWIFT_AUTH=tempauth|keystone (see README; keystone needs a running
#        ../keystone/up.sh at KS_URL, default http://127.0.0.1:5000, KS_ADMIN_PW, default adminpw, and takes
#        SWIFT_KS_AUTHTOKEN=0 to leave authtoken out of the pipeline), SWIFT_EXTRA_ACCOUNTS (0: tempauth
#        accounts kd0..kdN-1, user u, random passwords, listed in s3.json's "accounts", so test files each
#        get buckets of their own, as they get a fresh user on RGW).
# Writes $SWIFT_DIR/s3.json: endpoint, region, accessKeyId, secretAccessKey (+ other users / Keystone ids).
# Nothing outside SWIFT_DIR is read or written (swift.conf, rings, data, logs, pid files all live there).
set -euo pipefail
D=${SWIFT_DIR:-/tmp/keydesk-swift}
PORT=${SWIFT_PORT:-8480}
OBJ_PORT=${SWIFT_OBJECT_PORT:-6280}; CONT_PORT=${SWIFT_CONTAINER_PORT:-6281}; ACC_PORT=${SWIFT_ACCOUNT_PORT:-6282}
MC_PORT=${SWIFT_MEMCACHE_PORT:-11280}
REGION=${SWIFT_REGION:-us-east-1}
AUTH=${SWIFT_AUTH:-tempauth}
EXTRA_ACCOUNTS=${SWIFT_EXTRA_ACCOUNTS:-0}
KS_URL=${KS_URL:-http://127.0.0.1:5000}; KS_ADMIN_PW=${KS_ADMIN_PW:-adminpw}
PY=/usr/bin/python3          # Debian's python (a pyenv python3 on PATH has no swift module)
T0=$(date +%s.%N)
ts(){ awk -v t="$(date +%s.%N)" -v t0="$T0" -v m="$*" 'BEGIN{printf "[%.2fs] %s\n", t-t0, m}'; }
[ -e "$D/run" ] && { echo "$D exists; run down.sh first" >&2; exit 1; }
for c in memcached curl setsid; do command -v $c >/dev/null || { echo "$c missing; run bash scripts/install-system-deps.sh (as root)" >&2; exit 1; }; done
has(){ $PY -c 'import importlib.util as u, sys; sys.exit(u.find_spec(sys.argv[1]) is None)' "$1"; }   # no import: cheap
has swift || { echo "Swift (python3-swift) missing; run bash scripts/install-system-deps.sh (as root)" >&2; exit 1; }
[ "$AUTH" = keystone ] && ! has keystonemiddleware &&
  { echo "python3-keystonemiddleware missing (needed for SWIFT_AUTH=keystone)" >&2; exit 1; }
case $AUTH in tempauth|keystone) ;; *) echo "SWIFT_AUTH must be tempauth or keystone" >&2; exit 1;; esac
mkdir -p "$D"/{run,log,bin,srv/d1}
[[ $EXTRA_ACCOUNTS =~ ^[0-9]+$ ]] || { echo "SWIFT_EXTRA_ACCOUNTS must be a number" >&2; exit 1; }
for i in $(seq 0 $((EXTRA_ACCOUNTS - 1))); do head -c 18 /dev/urandom | base64 | tr '+/' 'xy' > "$D/run/kd$i.key"; done
ME=$(id -un)

# swift.conf is normally read from /etc/swift; bin/swift-server points Swift at $D/swift.conf instead.
cat > "$D/swift.conf" <<CONF
[swift-hash]
swift_hash_path_suffix = keydesk-test
swift_hash_path_prefix = keydesk-test
[storage-policy:0]
name = Policy-0
default = yes
[swift-constraints]
CONF
cat > "$D/bin/swift-server" <<'PYSRC'
#!/usr/bin/python3
# usage: swift-server <app-section> <conf-file>; like swift-*-server -v, but reads swift.conf next to conf-file
import os, sys
from swift.common import utils
utils.SWIFT_CONF_FILE = os.path.join(os.path.dirname(os.path.abspath(sys.argv[2])), 'swift.conf')
from swift.common.wsgi import run_wsgi   # noqa: E402 (storage policies/constraints load swift.conf on import)
sys.exit(run_wsgi(sys.argv[2], sys.argv[1], verbose=True))
PYSRC
chmod +x "$D/bin/swift-server"

# workers = 0: one process per server (no fork), so the pid file names exactly it.
# Logs: "verbose" adds a stderr handler (redirected to log/*.log); Swift also tries syslog (/dev/log or
# UDP 127.0.0.1:514), which is simply dropped when no syslog runs.
common(){ cat <<CONF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $1
workers = 0
user = $ME
swift_dir = $D
devices = $D/srv
mount_check = false
disable_fallocate = true
fallocate_reserve = 0
log_name = $2
CONF
}
for s in account container object; do
  case $s in account) p=$ACC_PORT;; container) p=$CONT_PORT;; object) p=$OBJ_PORT;; esac
  { common "$p" "$s"; printf '[pipeline:main]\npipeline = %s-server\n[app:%s-server]\nuse = egg:swift#%s\n' "$s" "$s" "$s"; } \
    > "$D/$s-server.conf"
done

if [ "$AUTH" = keystone ]; then
  # the standard Keystone pipeline; SWIFT_KS_AUTHTOKEN=0 drops authtoken (S3 needs only s3token), see README
  AUTH_FILTERS="authtoken s3api s3token keystoneauth"
  [ "${SWIFT_KS_AUTHTOKEN:-1}" = 0 ] && AUTH_FILTERS="s3api s3token keystoneauth"
else
  AUTH_FILTERS="s3api tempauth"
fi
{ common "$PORT" proxy; cat <<CONF
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempurl ratelimit $AUTH_FILTERS copy container-quotas account-quotas slo dlo versioned_writes symlink proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
allow_account_management = true

[filter:s3api]
use = egg:swift#s3api
# region for SigV4 and GetBucketLocation
location = $REGION
# S3 CORS preflight (OPTIONS) is answered only for these origins (blank = deny all)
cors_preflight_allow_origin = *

[filter:tempauth]
use = egg:swift#tempauth
# S3 access key = account:user, secret = password. .admin = owner of the account.
user_test_tester = testing .admin
user_test2_tester2 = testing2 .admin
user_test_reader = reading
$(for i in $(seq 0 $((EXTRA_ACCOUNTS - 1))); do echo "user_kd${i}_u = $(cat "$D/run/kd$i.key") .admin"; done)

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
www_authenticate_uri = $KS_URL/v3
auth_url = $KS_URL
auth_type = password
username = admin
password = $KS_ADMIN_PW
project_name = admin
user_domain_id = default
project_domain_id = default
delay_auth_decision = True
memcached_servers = 127.0.0.1:$MC_PORT
service_token_roles_required = False

[filter:s3token]
use = egg:swift#s3token
auth_uri = $KS_URL/v3
reseller_prefix = AUTH_
delay_auth_decision = False
http_timeout = 10.0
# Keystone (this Debian build) allows POST /v3/s3tokens only to admin/service users: s3token logs in as one
auth_url = $KS_URL
auth_type = password
username = admin
password = $KS_ADMIN_PW
project_name = admin
user_domain_id = default
project_domain_id = default

[filter:keystoneauth]
use = egg:swift#keystoneauth
# member/admin: read-write on their project's account (AUTH_<project id>); reader: read-only
operator_roles = admin, member
project_reader_roles = reader

[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$MC_PORT
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:tempurl]
use = egg:swift#tempurl
[filter:ratelimit]
use = egg:swift#ratelimit
[filter:copy]
use = egg:swift#copy
[filter:container-quotas]
use = egg:swift#container_quotas
[filter:account-quotas]
use = egg:swift#account_quotas
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
[filter:versioned_writes]
use = egg:swift#versioned_writes
allow_versioned_writes = true
allow_object_versioning = true
[filter:symlink]
use = egg:swift#symlink
CONF
} > "$D/proxy-server.conf"

# memcached: tempauth refuses to work without it (and ratelimit/authtoken use it)
MC_USER=(); [ "$(id -u)" = 0 ] && MC_USER=(-u root)
setsid memcached -l 127.0.0.1 -p "$MC_PORT" -U 0 -m 64 "${MC_USER[@]}" </dev/null >"$D/log/memcached.log" 2>&1 &
echo $! > "$D/run/memcached.pid"

# EVENTLET_NO_GREENDNS: skips importing dnspython (~0.5 s of CPU per process); Swift needs no DNS here
start(){ EVENTLET_NO_GREENDNS=yes setsid "$D/bin/swift-server" "$1-server" "$D/$1-server.conf" </dev/null >"$D/log/$1.log" 2>&1 &
         echo $! > "$D/run/$1.pid"; }
for s in account container object; do start $s; done   # backends open no ring at start: start them first
ts backends-forked

# rings: 1 replica, 1 device each; swift-ring-builder's own code, run in one process (9 CLI runs cost ~8 s)
(cd "$D" && $PY - "$ACC_PORT" "$CONT_PORT" "$OBJ_PORT" >"$D/log/rings.log" 2>&1 <<'PYSRC'
import sys
from swift.cli.ringbuilder import main
acc, cont, obj = sys.argv[1:4]
for name, port in (('account', acc), ('container', cont), ('object', obj)):
    for cmd in (['create', '6', '1', '0'], ['add', 'r1z1-127.0.0.1:%s/d1' % port, '1'], ['rebalance']):
        try:
            main(['swift-ring-builder', name + '.builder'] + cmd)
        except SystemExit as e:
            if e.code not in (None, 0, 1):
                sys.exit('swift-ring-builder %s.builder %s failed (%s)' % (name, ' '.join(cmd), e.code))
PYSRC
) || { echo "ring build failed; see $D/log/rings.log" >&2; exit 1; }
ts rings-built
start proxy                                                # the proxy loads the rings when it starts

# backends answer anything (400 here) once listening; the proxy has /healthcheck
up(){ curl -s -o /dev/null "http://127.0.0.1:$ACC_PORT/" && curl -s -o /dev/null "http://127.0.0.1:$CONT_PORT/" &&
      curl -s -o /dev/null "http://127.0.0.1:$OBJ_PORT/" && curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthcheck"; }
for i in $(seq 1 600); do                       # <= 60 s
  up && break
  for s in account container object proxy memcached; do
    kill -0 "$(cat "$D/run/$s.pid")" 2>/dev/null || { echo "$s died; see $D/log/$s.log" >&2; tail -5 "$D/log/$s.log" >&2; exit 1; }
  done
  sleep 0.1
done
up || { echo "Swift did not come up; see $D/log" >&2; exit 1; }

OTHERS='[{"accessKeyId":"test2:tester2","secretAccessKey":"testing2","note":"other account"},{"accessKeyId":"test:reader","secretAccessKey":"reading","note":"same account, not .admin: 403 everywhere"}]'
AK="test:tester"; SK="testing"; EXTRA='"swiftAuthUrl":"http://127.0.0.1:'$PORT'/auth/v1.0"'
if [ "$AUTH" = keystone ]; then
  # an EC2 credential for Keystone's admin user in project admin, so s3.json works as it does with tempauth
  read -r AK SK PROJ < <($PY - "$KS_URL" "$KS_ADMIN_PW" <<'PYSRC'
import json, sys, urllib.request as u
url, pw = sys.argv[1], sys.argv[2]
def call(method, path, body, token=None):
    h = {'Content-Type': 'application/json', **({'X-Auth-Token': token} if token else {})}
    r = u.urlopen(u.Request(url + path, json.dumps(body).encode(), h, method=method), timeout=30)
    return r.headers.get('X-Subject-Token'), json.load(r)
tok, t = call('POST', '/v3/auth/tokens', {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
    'name': 'admin', 'domain': {'id': 'default'}, 'password': pw}}}, 'scope': {'project': {'name': 'admin', 'domain': {'id': 'default'}}}}})
uid, pid = t['token']['user']['id'], t['token']['project']['id']
_, c = call('POST', '/v3/users/%s/credentials/OS-EC2' % uid, {'tenant_id': pid}, tok)
print(c['credential']['access'], c['credential']['secret'], pid)
PYSRC
) || { echo "could not create an EC2 credential in Keystone at $KS_URL" >&2; exit 1; }
  OTHERS='[]'; EXTRA='"keystoneUrl":"'$KS_URL'/v3","keystoneProjectId":"'$PROJ'"'
fi
ACCOUNTS=$(for i in $(seq 0 $((EXTRA_ACCOUNTS - 1))); do printf '%s{"accessKeyId":"kd%s:u","secretAccessKey":"%s"}' "$([ "$i" = 0 ] || echo ,)" "$i" "$(cat "$D/run/kd$i.key")"; done)
cat > "$D/s3.json" <<JSON
{"endpoint":"http://127.0.0.1:$PORT","region":"$REGION","accessKeyId":"$AK","secretAccessKey":"$SK","auth":"$AUTH",$EXTRA,
 "otherUsers":$OTHERS,"accounts":[$ACCOUNTS]}
JSON
ts "Swift S3 API on http://127.0.0.1:$PORT ($AUTH; $D/s3.json)"
