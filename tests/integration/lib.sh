# tests/integration/lib.sh - shared by icxd's integration tests: a private
# XMPP server on loopback (own ports, own certificate, own data folder),
# Prosody or ejabberd, a store made with the icx CLI, icxd started and
# stopped, all bounded in time and all cleaned up by a trap.  Source it;
# then call icxt_init.
#
# The server: ICXT_SERVER=prosody (the default) or ejabberd, set before
# icxt_init.  Tests use only the server-neutral functions: icxt_init,
# icxt_start_server, icxt_stop_server, icxt_register USER DOMAIN PASSWORD
# (icxt_start_prosody and icxt_stop_prosody are older names of the two).
# Both servers serve the same domains, users, component and ports.
#
# Environment (set by `make check`): ICX_SRCDIR, ICX_BUILDDIR, ICX_ONTOLOGY.
# Optional: PROSODY (the prosody binary), EJABBERDCTL (the ejabberdctl
# script), ICXT_EJABBERD_EXTRA (lines appended to ejabberd.yml),
# ICXT_KEEP=1 (keep the temporary folder), ICXD_WRAPPER (e.g.
# "valgrind -q"), ICXT_STORE (use this store instead of loading
# data/clouds into a fresh one).

set -u

: "${ICX_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${ICX_BUILDDIR:=$PWD}"
: "${ICX_ONTOLOGY:=$ICX_SRCDIR/ontology}"
export ICX_ONTOLOGY

ICXT_PY=/usr/bin/python3
ICXT_CLIENT="$ICX_SRCDIR/tests/integration/icxd_client.py"
ICXT_SERVICE=service.intercloudexchg.com
ICXT_USER_DOMAIN=cloud1.org
ICXT_EXCHANGE_DOMAIN=intercloudexchg.com
ICXT_SECRET=component-secret-for-tests
ICXT_USER_PASS=user-password-for-tests
ICXT_BOT_PASS=exchange-password-for-tests

ICXT_SERVER=${ICXT_SERVER:-prosody}
ICXT_DIR=
PROSODY_PID=
EJABBERD_RUNNING=
ICXD_PIDS=

icxt_log() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
icxt_fail() { icxt_log "FAIL: $*"; exit 1; }

# Skips (77) only when a test dependency is genuinely missing.
icxt_require() {
  case $ICXT_SERVER in
    prosody) icxt_require_prosody;;
    ejabberd) icxt_require_ejabberd;;
    *) icxt_fail "ICXT_SERVER must be prosody or ejabberd, not '$ICXT_SERVER'";;
  esac
  if ! "$ICXT_PY" -c 'import slixmpp' 2>/dev/null; then
    icxt_log "SKIP: slixmpp is not installed for $ICXT_PY"; exit 77
  fi
  command -v openssl >/dev/null || icxt_fail "openssl is missing"
  [ -x "$ICX_BUILDDIR/icxd" ] || icxt_fail "no $ICX_BUILDDIR/icxd (build it)"
  if [ -z "${ICXT_STORE:-}" ] && [ ! -x "$ICX_BUILDDIR/icx" ]; then
    icxt_fail "no $ICX_BUILDDIR/icx (build it)"
  fi
}

# Debian's ejabberd drops to its own account (ejabberd) from root: the
# test runs as root, or as that account.
icxt_require_ejabberd() {
  EJABBERDCTL=${EJABBERDCTL:-$(command -v ejabberdctl || true)}
  [ -z "$EJABBERDCTL" ] && [ -x /usr/sbin/ejabberdctl ] && EJABBERDCTL=/usr/sbin/ejabberdctl
  if [ -z "$EJABBERDCTL" ] || [ ! -x "$EJABBERDCTL" ]; then
    icxt_log "SKIP: ejabberd is not installed (no ejabberdctl)"; exit 77
  fi
  if ! id ejabberd >/dev/null 2>&1; then
    icxt_log "SKIP: ejabberd is not installed (no ejabberd account)"; exit 77
  fi
  case $(id -un) in
    root|ejabberd) ;;
    *) icxt_log "SKIP: ejabberdctl runs only as root or as ejabberd, not $(id -un)"
       exit 77;;
  esac
}

icxt_require_prosody() {
  PROSODY=${PROSODY:-$(command -v prosody || true)}
  if [ -z "$PROSODY" ] || [ ! -x "$PROSODY" ]; then
    icxt_log "SKIP: prosody is not installed"; exit 77
  fi
  PROSODYCTL=$(dirname "$PROSODY")/prosodyctl
  [ -x "$PROSODYCTL" ] || PROSODYCTL=$(command -v prosodyctl || true)
  if [ -z "$PROSODYCTL" ]; then
    icxt_log "SKIP: prosodyctl is not installed"; exit 77
  fi
}

# Runs "$@" every 0.1 s until it succeeds (0), or until $1 whole seconds
# have passed (1): every wait of the tests is bounded through it.
icxt_wait_until() {
  icxt_wait_limit=$(($1 * 10)) icxt_wait_i=0
  shift
  until "$@"; do
    [ $icxt_wait_i -lt $icxt_wait_limit ] || return 1
    sleep 0.1; icxt_wait_i=$((icxt_wait_i + 1))
  done
}

# 0 once process $1 is gone.
icxt_gone() {
  ! kill -0 "$1" 2>/dev/null
}

# Waits (bounded) for a process to exit; kills it hard after $2 seconds.
icxt_reap() {
  pid=$1 limit=${2:-10}
  if ! icxt_wait_until "$limit" icxt_gone "$pid"; then
    icxt_log "process $pid did not stop in ${limit}s: killing it"
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
}

icxt_cleanup() {
  status=$?
  trap - EXIT INT TERM
  for pid in $ICXD_PIDS; do
    kill -TERM "$pid" 2>/dev/null && icxt_reap "$pid" 10
  done
  if [ -n "$PROSODY_PID" ]; then
    kill -TERM "$PROSODY_PID" 2>/dev/null && icxt_reap "$PROSODY_PID" 10
  fi
  [ -n "$EJABBERD_RUNNING" ] && icxt_stop_ejabberd
  if [ -n "$ICXT_DIR" ] && [ -d "$ICXT_DIR" ]; then
    if [ $status -ne 0 ] && [ $status -ne 77 ]; then
      for f in "$ICXT_DIR"/*.log "$ICXT_DIR"/ejabberd/logs/*.log; do
        [ -f "$f" ] || continue
        echo "----- $f (last 40 lines)" >&2; tail -n 40 "$f" >&2
      done
    fi
    if [ "${ICXT_KEEP:-0}" = 1 ]; then
      icxt_log "kept $ICXT_DIR"
    else
      rm -rf "$ICXT_DIR"
    fi
  fi
  exit $status
}

# A free TCP port on 127.0.0.1 (the kernel picks it).
icxt_free_port() {
  "$ICXT_PY" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Waits (bounded, $2 seconds) until 127.0.0.1:$1 accepts connections.
icxt_wait_port() {
  icxt_wait_port_at 127.0.0.1 "$1" "${2:-10}"
}

# Waits (bounded, $3 seconds) until file $1 has a line matching $2 at
# least $4 times (default 1); returns as soon as it does.  Callers give
# 60 s: a sanitizer build on a loaded 2-CPU machine once took 24 s for one
# TLS handshake.
icxt_wait_log() {
  icxt_wait_until "${3:-10}" icxt_log_has "$1" "$2" "${4:-1}"
}

# 0 when file $1 has a line matching $2 at least $3 times.
icxt_log_has() {
  n=$(grep -c -- "$2" "$1" 2>/dev/null || true)
  [ "${n:-0}" -ge "$3" ]
}

icxt_write_prosody_config() {
  # Messages to offline accounts are dropped unless a test asks for
  # Prosody's offline storage (ICXT_PROSODY_OFFLINE=1).
  if [ -n "${ICXT_PROSODY_OFFLINE:-}" ]; then
    offline_on=', "offline"' offline_off=
  else
    offline_on= offline_off=', "offline"'
  fi
  cat > "$ICXT_DIR/prosody.cfg.lua" <<LUA
-- Written by $(basename "$0"): a private, loopback-only Prosody.
run_as_root = true
pidfile = "$ICXT_DIR/prosody.pid"
data_path = "$ICXT_DIR/prosody-data"
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { $C2S_PORT }
s2s_ports = { $S2S_PORT }
component_ports = { $COMPONENT_PORT }
component_interface = "127.0.0.1"
c2s_direct_tls_ports = { }
http_ports = { }
https_ports = { }
network_settings = { nagle = false }
log = { info = "$ICXT_DIR/prosody.log"; error = "$ICXT_DIR/prosody.log" }
modules_enabled = { "roster", "saslauth", "tls", "disco", "ping", "posix", "presence", "message", "iq"$offline_on }
modules_disabled = { "s2s"$offline_off }
authentication = "internal_hashed"
storage = "internal"
c2s_require_encryption = true
allow_registration = false
ssl = {
  key = "$ICXT_DIR/tls.key";
  certificate = "$ICXT_DIR/tls.crt";
}

VirtualHost "$ICXT_USER_DOMAIN"
VirtualHost "$ICXT_EXCHANGE_DOMAIN"

Component "$ICXT_SERVICE"
  component_secret = "$ICXT_SECRET"
LUA
}

# Sets up everything but icxd: folder, certificate, Prosody config, users,
# store; then starts Prosody.
icxt_init() {
  icxt_require
  ICXT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/icxd-test.XXXXXX")
  trap icxt_cleanup EXIT
  trap 'exit 1' INT TERM
  mkdir -p "$ICXT_DIR/prosody-data"
  C2S_PORT=$(icxt_free_port)
  S2S_PORT=$(icxt_free_port)
  COMPONENT_PORT=$(icxt_free_port)

  openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
    -keyout "$ICXT_DIR/tls.key" -out "$ICXT_DIR/tls.crt" \
    -subj "/CN=$ICXT_USER_DOMAIN" \
    -addext "subjectAltName=DNS:$ICXT_USER_DOMAIN,DNS:$ICXT_EXCHANGE_DOMAIN,DNS:*.$ICXT_EXCHANGE_DOMAIN" \
    >"$ICXT_DIR/openssl.log" 2>&1 || icxt_fail "openssl could not make a certificate"
  chmod 644 "$ICXT_DIR/tls.key"
  # An unrelated CA, for the "wrong CA is refused" check.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
    -keyout "$ICXT_DIR/other.key" -out "$ICXT_DIR/other-ca.crt" \
    -subj "/CN=not-the-server" >>"$ICXT_DIR/openssl.log" 2>&1 \
    || icxt_fail "openssl could not make the second certificate"


  if [ -n "${ICXT_STORE:-}" ]; then
    ICXT_STORE_DB=$ICXT_STORE
  else
    ICXT_STORE_DB=$ICXT_DIR/store.db
    # A fixture here: leaks of the CLI are its own tests' business.
    ASAN_OPTIONS=detect_leaks=0 "$ICX_BUILDDIR/icx" --store "$ICXT_STORE_DB" \
      load "$ICX_SRCDIR/data/clouds" >"$ICXT_DIR/icx-load.log" 2>&1 \
      || icxt_fail "icx could not load the sample clouds"
  fi

  printf '%s\n' "$ICXT_SECRET" > "$ICXT_DIR/component.secret"
  printf '%s\n' "$ICXT_BOT_PASS" > "$ICXT_DIR/bot.password"
  chmod 600 "$ICXT_DIR/component.secret" "$ICXT_DIR/bot.password"
  if [ "$ICXT_SERVER" = ejabberd ]; then
    icxt_write_ejabberd_config
    icxt_start_server
    icxt_register user "$ICXT_USER_DOMAIN" "$ICXT_USER_PASS" &
    r1=$!
    icxt_register other "$ICXT_USER_DOMAIN" "$ICXT_USER_PASS" &
    r2=$!
    icxt_register exchange "$ICXT_EXCHANGE_DOMAIN" "$ICXT_BOT_PASS" &
    r3=$!
    for r in $r1 $r2 $r3; do
      wait $r || icxt_fail "registering the test accounts with ejabberd failed"
    done
  else
    icxt_write_prosody_config
    icxt_register user "$ICXT_USER_DOMAIN" "$ICXT_USER_PASS"
    icxt_register other "$ICXT_USER_DOMAIN" "$ICXT_USER_PASS"
    icxt_register exchange "$ICXT_EXCHANGE_DOMAIN" "$ICXT_BOT_PASS"
    icxt_start_server
  fi
}

# Creates the account $1@$2 with password $3 on the test's server.
icxt_register() {
  if [ "$ICXT_SERVER" = ejabberd ]; then
    icxt_ejabberdctl register "$1" "$2" "$3" \
      >>"$ICXT_DIR/ejabberdctl-register.log" 2>&1 \
      || icxt_fail "ejabberdctl register $1@$2 failed"
  else
    "$PROSODYCTL" --config "$ICXT_DIR/prosody.cfg.lua" register "$1" "$2" "$3" \
      >>"$ICXT_DIR/prosodyctl.log" 2>&1 || icxt_fail "prosodyctl register $1@$2 failed"
  fi
}

# Starts (or starts again) the test's server; waits until it listens.
icxt_start_server() {
  if [ "$ICXT_SERVER" = ejabberd ]; then icxt_start_ejabberd; else icxt_start_prosody; fi
}

# Stops the test's server (its data stays for a later start).
icxt_stop_server() {
  if [ "$ICXT_SERVER" = ejabberd ]; then icxt_stop_ejabberd; else icxt_stop_prosody; fi
}

# --- ejabberd ---------------------------------------------------------------
# A private node: its own Erlang node name and distribution port (no epmd),
# its own config folder, Mnesia spool and logs under $ICXT_DIR/ejabberd,
# everything readable by the ejabberd account it drops to.

icxt_ejabberdctl() {
  timeout 60 "$EJABBERDCTL" --config-dir "$ICXT_DIR/ejabberd" \
    --spool "$ICXT_DIR/ejabberd/spool" --logs "$ICXT_DIR/ejabberd/logs" "$@"
}

icxt_write_ejabberd_config() {
  e=$ICXT_DIR/ejabberd
  mkdir -p "$e/spool" "$e/logs" || icxt_fail "cannot make $e"
  chmod 755 "$ICXT_DIR" "$e"
  chown ejabberd "$e/spool" "$e/logs" 2>/dev/null || true
  cat "$ICXT_DIR/tls.key" "$ICXT_DIR/tls.crt" > "$e/tls.pem"
  DIST_PORT=$(icxt_free_port)
  cat > "$e/ejabberdctl.cfg" <<CFG
# Written by $(basename "$0"): this node only, no epmd, loopback only.
ERLANG_NODE=icxt$$@localhost
ERL_DIST_PORT=$DIST_PORT
INET_DIST_INTERFACE=127.0.0.1
EJABBERD_PID_PATH=$e/spool/ejabberd.pid
EJABBERD_BYPASS_WARNINGS=true
CFG
  printf '{lookup, [file, native]}.\n' > "$e/inetrc"
  cat > "$e/ejabberd.yml" <<YML
# Written by $(basename "$0"): a private, loopback-only ejabberd.
hosts:
  - $ICXT_USER_DOMAIN
  - $ICXT_EXCHANGE_DOMAIN
loglevel: info
certfiles:
  - $e/tls.pem
ca_file: $ICXT_DIR/tls.crt
auth_method: internal
listen:
  - port: $C2S_PORT
    ip: "127.0.0.1"
    module: ejabberd_c2s
    starttls_required: true
    max_stanza_size: 262144
  - port: $COMPONENT_PORT
    ip: "127.0.0.1"
    module: ejabberd_service
    max_stanza_size: 1048576
    hosts:
      $ICXT_SERVICE:
        password: $ICXT_SECRET
s2s_access: none
acl:
  local:
    user_regexp: ""
access_rules:
  local:
    allow: local
  c2s:
    allow: all
modules:
  mod_disco: {}
  mod_ping: {}
  mod_roster: {}
  mod_caps: {}
YML
  # A test's own top-level settings (e.g. domain_balancing).
  [ -n "${ICXT_EJABBERD_EXTRA:-}" ] && printf '%s\n' "$ICXT_EJABBERD_EXTRA" >> "$e/ejabberd.yml"
  chmod 644 "$e/ejabberd.yml" "$e/ejabberdctl.cfg" "$e/inetrc" "$e/tls.pem"
}

icxt_start_ejabberd() {
  e=$ICXT_DIR/ejabberd
  icxt_ejabberdctl start >>"$e/ctl.log" 2>&1 || icxt_fail "ejabberdctl start failed"
  EJABBERD_RUNNING=1
  icxt_wait_port "$C2S_PORT" 60 || icxt_fail "ejabberd does not listen on $C2S_PORT"
  icxt_wait_port "$COMPONENT_PORT" 30 \
    || icxt_fail "ejabberd does not listen on $COMPONENT_PORT"
}

# Stops the node by its pid (SIGTERM: Erlang shuts down cleanly); bounded.
icxt_stop_ejabberd() {
  pidf=$ICXT_DIR/ejabberd/spool/ejabberd.pid
  pid=$(cat "$pidf" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; then
    icxt_reap "$pid" 20
  else
    icxt_ejabberdctl stop >/dev/null 2>&1 || true
  fi
  rm -f "$pidf"
  EJABBERD_RUNNING=
  # Its listeners close with it; wait until the c2s port is free again.
  icxt_wait_until 10 icxt_port_free "$C2S_PORT" || true
}

# 0 when nothing accepts connections on 127.0.0.1:$1 (within 0.1 s).
icxt_port_free() {
  ! icxt_wait_port "$1" 0.1
}

# --- Prosody ----------------------------------------------------------------

icxt_start_prosody() {
  if [ "$ICXT_SERVER" = ejabberd ]; then
    icxt_start_ejabberd; return
  fi
  "$PROSODY" --config "$ICXT_DIR/prosody.cfg.lua" -F \
    >>"$ICXT_DIR/prosody-stdout.log" 2>&1 &
  PROSODY_PID=$!
  icxt_wait_port "$C2S_PORT" 15 || icxt_fail "prosody does not listen on $C2S_PORT"
  icxt_wait_port "$COMPONENT_PORT" 15 \
    || icxt_fail "prosody does not listen on $COMPONENT_PORT"
}

icxt_stop_prosody() {
  if [ "$ICXT_SERVER" = ejabberd ]; then
    icxt_stop_ejabberd; return
  fi
  if [ -n "$PROSODY_PID" ]; then
    kill -TERM "$PROSODY_PID" 2>/dev/null
    icxt_reap "$PROSODY_PID" 10
    PROSODY_PID=
  fi
}

# Writes an icxd.conf for mode $1 (component|client) to $2; extra
# "[section] key=value" settings follow as "section.key=value" arguments
# (sections xmpp, exchange, log, access).
icxt_icxd_conf() {
  mode=$1 out=$2; shift 2
  {
    echo "; written by $(basename "$0")"
    echo "[xmpp]"
    echo "mode = $mode"
    if [ "$mode" = component ]; then
      echo "jid = $ICXT_SERVICE"
      echo "host = 127.0.0.1"
      echo "port = $COMPONENT_PORT"
      echo "secret_file = $ICXT_DIR/component.secret"
    else
      echo "jid = exchange@$ICXT_EXCHANGE_DOMAIN/icxd"
      echo "host = 127.0.0.1"
      echo "port = $C2S_PORT"
      echo "secret_file = $ICXT_DIR/bot.password"
      echo "cafile = $ICXT_DIR/tls.crt"
    fi
    echo "reconnect_min_ms = 100"
    echo "reconnect_max_ms = 1000"
    for kv in "$@"; do
      case $kv in xmpp.*) echo "${kv#xmpp.}";; esac
    done
    echo "[exchange]"
    echo "store = $ICXT_STORE_DB"
    echo "ontology = $ICX_ONTOLOGY"
    echo "workers = 2"
    # A test that leaves a session open would wait out the 10 s default
    # drain at every stop; one that tests draining sets its own.
    case " $* " in *" exchange.drain_timeout"*) ;; *) echo "drain_timeout = 1";; esac
    for kv in "$@"; do
      case $kv in exchange.*) echo "${kv#exchange.}";; esac
    done
    echo "[log]"
    echo "level = debug"
    for kv in "$@"; do
      case $kv in log.*) echo "${kv#log.}";; esac
    done
    echo "[access]"
    for kv in "$@"; do
      case $kv in access.*) echo "${kv#access.}";; esac
    done
  } > "$out"
}

# Starts icxd with config $1, logging to $2; waits (bounded) for it to be
# connected.  Sets ICXD_PID.
icxt_start_icxd() {
  conf=$1 logf=$2
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
    ${ICXD_WRAPPER:-} "$ICX_BUILDDIR/icxd" --config "$conf" >"$logf" 2>&1 &
  ICXD_PID=$!
  ICXD_PIDS="$ICXD_PIDS $ICXD_PID"
  icxt_wait_log "$logf" "conn: connected" 60 \
    || icxt_fail "icxd ($conf) did not connect; see $logf"
}

# Stops icxd $1 with SIGTERM; fails unless it exits 0 in time.
icxt_stop_icxd() {
  pid=$1
  kill -TERM "$pid" 2>/dev/null || icxt_fail "icxd $pid is not running"
  if ! icxt_wait_until 15 icxt_gone "$pid"; then
    kill -KILL "$pid"; wait "$pid" 2>/dev/null
    icxt_fail "icxd $pid ignored SIGTERM for 15 s"
  fi
  wait "$pid"; rc=$?
  ICXD_PIDS=$(echo "$ICXD_PIDS" | sed "s/ $pid\b//")
  [ $rc -eq 0 ] || icxt_fail "icxd $pid exited with status $rc"
}

# Runs the publishing client (icxd_publish.py) as account $1 (a full JID)
# with password $2; the rest: its options.  Bounded by its own timeout.
icxt_publisher() {
  jid=$1 pass=$2; shift 2
  timeout 180 "$ICXT_PY" "$ICX_SRCDIR/tests/integration/icxd_publish.py" \
    --host 127.0.0.1 --port "$C2S_PORT" --ca "$ICXT_DIR/tls.crt" \
    --jid "$jid" --password "$pass" "$@"
}

# Runs the slixmpp client; $@: its options.  Bounded by its own timeout.
icxt_client() {
  timeout 180 "$ICXT_PY" "$ICXT_CLIENT" --host 127.0.0.1 --port "$C2S_PORT" \
    --ca "$ICXT_DIR/tls.crt" --password "$ICXT_USER_PASS" --server "$ICXT_SERVER" "$@"
}

# --- federation: two Prosody instances joined by s2s -----------------------
# For tests of requesters on another domain.  Run inside a network and
# mount namespace of the test's own (icxt_federation_enter), where each
# server has a loopback address of its own on the standard s2s port and
# a private /etc/hosts names them: nothing outside is touched.

# Re-runs the calling test inside a new network and mount namespace,
# unless it is already there; skips (77) when that cannot be made.
icxt_federation_enter() {
  if [ -n "${ICXT_IN_NS:-}" ]; then
    ip link set lo up || icxt_fail "cannot bring lo up in the namespace"
    ICXT_HOSTS=$(mktemp "${TMPDIR:-/tmp}/icxt-hosts.XXXXXX")
    printf '%s\n' "127.0.0.1 localhost" \
      "127.0.0.2 $ICXT_USER_DOMAIN" \
      "127.0.0.3 $ICXT_EXCHANGE_DOMAIN $ICXT_SERVICE" >"$ICXT_HOSTS"
    # More names for tests with more servers: lines "ADDRESS NAME...".
    [ -n "${ICXT_EXTRA_HOSTS:-}" ] && printf '%s\n' "$ICXT_EXTRA_HOSTS" >>"$ICXT_HOSTS"
    mount --bind "$ICXT_HOSTS" /etc/hosts || icxt_fail "cannot mount a private /etc/hosts"
    # Prosody without lua-unbound asks DNS only: a tiny server on the
    # namespace's loopback answers A queries from the private hosts file.
    ICXT_RESOLV=$(mktemp "${TMPDIR:-/tmp}/icxt-resolv.XXXXXX")
    echo "nameserver 127.0.0.1" >"$ICXT_RESOLV"
    mount --bind "$ICXT_RESOLV" /etc/resolv.conf || icxt_fail "cannot mount a private resolv.conf"
    "$ICXT_PY" - "$ICXT_HOSTS" <<'PY' >/dev/null 2>&1 &
import socket, struct, sys
names = {}
for line in open(sys.argv[1]):
    parts = line.split()
    for n in parts[1:]:
        names[n.lower()] = socket.inet_aton(parts[0])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
while True:
    q, peer = s.recvfrom(512)
    qid, flags, qd = struct.unpack(">HHH", q[:6])
    i, labels = 12, []
    while q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode().lower())
        i += 1 + q[i]
    qtype = struct.unpack(">H", q[i + 1:i + 3])[0]
    question = q[12:i + 5]
    addr = names.get(".".join(labels))
    if qtype == 1 and addr:
        ans = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + addr
        head = struct.pack(">HHHHHH", qid, 0x8180, 1, 1, 0, 0)
    else:
        ans = b""
        head = struct.pack(">HHHHHH", qid, 0x8183 if not addr else 0x8180, 1, 0, 0, 0)
    s.sendto(head + question + ans, peer)
PY
    ICXT_DNS_PID=$!
    return 0
  fi
  if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null || ! command -v ip >/dev/null; then
    icxt_log "SKIP: a private network namespace needs root, unshare and ip"; exit 77
  fi
  if ! unshare --mount --net true 2>/dev/null; then
    icxt_log "SKIP: cannot make a network namespace here"; exit 77
  fi
  ICXT_IN_NS=1 exec unshare --mount --net "$0" "$@"
}

# Writes the config of federation server $1 (a or b) to $ICXT_DIR/$1.cfg.lua:
# a serves the users' domain on 127.0.0.2, b the exchange's domain and
# its component on 127.0.0.3; both speak s2s on 5269.
icxt_write_prosody_s2s_config() {
  which=$1
  if [ "$which" = a ]; then addr=127.0.0.2; c2s=$C2S_PORT
  else addr=127.0.0.3; c2s=$C2S_B_PORT; fi
  mkdir -p "$ICXT_DIR/prosody-$which"
  {
    cat <<LUA
-- Written by $(basename "$0"): federation server $which, in a private namespace.
run_as_root = true
pidfile = "$ICXT_DIR/prosody-$which.pid"
data_path = "$ICXT_DIR/prosody-$which"
interfaces = { "$addr" }
local_interfaces = { "$addr" }
c2s_ports = { $c2s }
s2s_ports = { 5269 }
component_ports = { $COMPONENT_PORT }
component_interface = "$addr"
c2s_direct_tls_ports = { }
http_ports = { }
https_ports = { }
network_settings = { nagle = false }
unbound = { hoststxt = true }
log = { debug = "$ICXT_DIR/prosody-$which.log" }
modules_enabled = { "roster", "saslauth", "tls", "disco", "ping", "posix", "presence", "message", "iq", "s2s", "dialback" }
modules_disabled = { "offline" }
authentication = "internal_hashed"
storage = "internal"
c2s_require_encryption = true
s2s_require_encryption = false
s2s_secure_auth = false
allow_registration = false
ssl = {
  key = "$ICXT_DIR/tls.key";
  certificate = "$ICXT_DIR/tls.crt";
}
LUA
    if [ "$which" = a ]; then
      echo "VirtualHost \"$ICXT_USER_DOMAIN\""
    else
      echo "VirtualHost \"$ICXT_EXCHANGE_DOMAIN\""
      echo "Component \"$ICXT_SERVICE\""
      echo "  component_secret = \"$ICXT_SECRET\""
    fi
  } >"$ICXT_DIR/$which.cfg.lua"
}

# Sets up the federation (inside icxt_federation_enter): folder,
# certificate, both servers' configs, user@ and other@ on the users'
# domain, the store; starts both servers.  The component port is b's on
# 127.0.0.3; the users log in to a's c2s port on 127.0.0.2.
icxt_federation_init() {
  icxt_require
  ICXT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/icxd-s2s.XXXXXX")
  trap 'icxt_federation_cleanup' EXIT
  trap 'exit 1' INT TERM
  C2S_PORT=$(icxt_free_port); C2S_B_PORT=$(icxt_free_port)
  COMPONENT_PORT=$(icxt_free_port)
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
    -keyout "$ICXT_DIR/tls.key" -out "$ICXT_DIR/tls.crt" -subj "/CN=$ICXT_USER_DOMAIN" \
    -addext "subjectAltName=DNS:$ICXT_USER_DOMAIN,DNS:$ICXT_EXCHANGE_DOMAIN,DNS:*.$ICXT_EXCHANGE_DOMAIN" \
    >"$ICXT_DIR/openssl.log" 2>&1 || icxt_fail "openssl could not make a certificate"
  chmod 644 "$ICXT_DIR/tls.key"
  icxt_write_prosody_s2s_config a
  icxt_write_prosody_s2s_config b
  for u in user other; do
    "$PROSODYCTL" --config "$ICXT_DIR/a.cfg.lua" register $u "$ICXT_USER_DOMAIN" \
      "$ICXT_USER_PASS" >>"$ICXT_DIR/prosodyctl.log" 2>&1 || icxt_fail "register $u"
  done
  ICXT_STORE_DB=$ICXT_DIR/store.db
  ASAN_OPTIONS=detect_leaks=0 "$ICX_BUILDDIR/icx" --store "$ICXT_STORE_DB" \
    load "$ICX_SRCDIR/data/clouds" >"$ICXT_DIR/icx-load.log" 2>&1 \
    || icxt_fail "icx could not load the sample clouds"
  printf '%s\n' "$ICXT_SECRET" > "$ICXT_DIR/component.secret"
  chmod 600 "$ICXT_DIR/component.secret"
  "$PROSODY" --config "$ICXT_DIR/a.cfg.lua" -F >>"$ICXT_DIR/prosody-a-stdout.log" 2>&1 &
  PROSODY_PID=$!
  "$PROSODY" --config "$ICXT_DIR/b.cfg.lua" -F >>"$ICXT_DIR/prosody-b-stdout.log" 2>&1 &
  PROSODY_B_PID=$!
  icxt_wait_port_at 127.0.0.2 "$C2S_PORT" 15 || icxt_fail "server a does not listen"
  icxt_wait_port_at 127.0.0.3 "$COMPONENT_PORT" 15 || icxt_fail "server b does not listen"
}

icxt_federation_cleanup() {
  st=$?
  if [ -n "${PROSODY_B_PID:-}" ]; then
    kill -TERM "$PROSODY_B_PID" 2>/dev/null && icxt_reap "$PROSODY_B_PID" 10
  fi
  [ -n "${ICXT_DNS_PID:-}" ] && kill "$ICXT_DNS_PID" 2>/dev/null
  [ -n "${ICXT_HOSTS:-}" ] && rm -f "$ICXT_HOSTS"
  [ -n "${ICXT_RESOLV:-}" ] && rm -f "$ICXT_RESOLV"
  (exit $st)
  icxt_cleanup
}

# Waits (bounded) until $1:$2 accepts connections.
icxt_wait_port_at() {
  "$ICXT_PY" - "$1" "$2" "${3:-10}" <<'PY'
import socket, sys, time
host, port, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
end = time.monotonic() + limit
while time.monotonic() < end:
    try:
        socket.create_connection((host, port), timeout=0.5).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PY
}

# --- federation of exchanges: one server per domain ------------------------
# For tests of a root and exchanges on domains of their own (inside the
# namespace of icxt_federation_enter): each domain's server on a loopback
# address of its own, s2s on its port 5269, its component icx.DOMAIN on
# COMPONENT_PORT; icxd instances, their stores and a requester.  How the
# servers authenticate each other over s2s is ICXT_FED_TLS, set before
# icxt_fed_init:
#   dialback  (the default) one self-signed certificate names every
#             domain; s2s offers TLS, and the servers prove who they are
#             by dialback.
#   verified  a private CA made in the test's folder signs one certificate
#             per domain (naming DOMAIN and icx.DOMAIN); every server
#             trusts that CA, requires TLS on s2s and accepts a peer
#             only on a valid certificate (SASL EXTERNAL; no dialback).
# Prosody serves any number of the domains, ejabberd at most one (the
# node of lib.sh's ejabberd part, in $ICXT_DIR/ejabberd).  The requester
# trusts $ICXT_FED_CA.
#
# Several icxd instances of the ejabberd domain: ICXT_FED_INSTANCES, set
# before icxt_fed_init, names each instance's own component (e.g. "icx-1
# icx-2": icx-1.DOMAIN ...).  The certificates then name those too, and
# ejabberd has one component listener per instance N (the Nth name), on
# port $COMPONENT_PORT + N, whose hosts are icx.DOMAIN and the instance's
# own name: a connection there serves both (doc/federation.md).

ICXT_FED_TLS=${ICXT_FED_TLS:-dialback}
ICXT_FED_INSTANCES=${ICXT_FED_INSTANCES:-}
ICXT_FED_SERVERS=

# icxt_fed_init DOMAIN...: the folder (readable by ejabberd's account), the
# certificates of the DOMAINs, the component's secret, the ports; the trap.
icxt_fed_init() {
  ICXT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/icxd-fed.XXXXXX")
  chmod 755 "$ICXT_DIR"
  trap icxt_fed_cleanup EXIT
  trap 'exit 1' INT TERM
  C2S_PORT=$(icxt_free_port)
  COMPONENT_PORT=$(icxt_free_port)
  printf '%s\n' "$ICXT_SECRET" > "$ICXT_DIR/component.secret"
  chmod 600 "$ICXT_DIR/component.secret"
  case $ICXT_FED_TLS in
    dialback)
      sans=
      for d in "$@"; do sans="$sans${sans:+,}DNS:$d,DNS:*.$d"; done
      openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
        -keyout "$ICXT_DIR/tls.key" -out "$ICXT_DIR/tls.crt" -subj "/CN=$1" \
        -addext "subjectAltName=$sans" >"$ICXT_DIR/openssl.log" 2>&1 \
        || icxt_fail "openssl could not make a certificate"
      for d in "$@"; do
        ln -s tls.key "$ICXT_DIR/$d.key"; ln -s tls.crt "$ICXT_DIR/$d.crt"
      done
      ICXT_FED_CA=$ICXT_DIR/tls.crt;;
    verified)
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -nodes -days 2 -keyout "$ICXT_DIR/ca.key" -out "$ICXT_DIR/ca.crt" \
        -subj "/CN=icx federation test CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        >"$ICXT_DIR/openssl.log" 2>&1 || icxt_fail "openssl could not make the CA"
      for d in "$@"; do
        names=DNS:$d,DNS:icx.$d
        for n in $ICXT_FED_INSTANCES; do names="$names,DNS:$n.$d"; done
        printf '%s\n' "subjectAltName=$names" \
          "basicConstraints=CA:FALSE" \
          "keyUsage=critical,digitalSignature,keyEncipherment" \
          "extendedKeyUsage=serverAuth,clientAuth" >"$ICXT_DIR/$d.ext"
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
          -keyout "$ICXT_DIR/$d.key" -out "$ICXT_DIR/$d.csr" -subj "/CN=$d" \
          >>"$ICXT_DIR/openssl.log" 2>&1 \
          && openssl x509 -req -in "$ICXT_DIR/$d.csr" -days 2 \
            -CA "$ICXT_DIR/ca.crt" -CAkey "$ICXT_DIR/ca.key" -CAcreateserial \
            -extfile "$ICXT_DIR/$d.ext" -out "$ICXT_DIR/$d.crt" \
            >>"$ICXT_DIR/openssl.log" 2>&1 \
          || icxt_fail "openssl could not make the certificate of $d"
      done
      ICXT_FED_CA=$ICXT_DIR/ca.crt;;
    *) icxt_fail "ICXT_FED_TLS must be dialback or verified, not '$ICXT_FED_TLS'";;
  esac
  # Test keys, in a folder of the test's own: ejabberd's account reads them.
  chmod 644 "$ICXT_DIR"/*.key
}

# icxt_fed_prosody NAME ADDRESS DOMAIN: starts (without waiting) the
# Prosody of DOMAIN, with the component icx.DOMAIN.
icxt_fed_prosody() {
  name=$1 addr=$2 domain=$3
  mkdir -p "$ICXT_DIR/prosody-$name"
  if [ "$ICXT_FED_TLS" = verified ]; then
    s2s_auth='s2s_require_encryption = true
s2s_secure_auth = true' dialback= cafile="cafile = \"$ICXT_FED_CA\";"
  else
    s2s_auth='s2s_require_encryption = false
s2s_secure_auth = false' dialback=', "dialback"' cafile=
  fi
  cat >"$ICXT_DIR/$name.cfg.lua" <<LUA
-- Written by $(basename "$0"): the server of $domain, in a private namespace.
run_as_root = true
pidfile = "$ICXT_DIR/prosody-$name.pid"
data_path = "$ICXT_DIR/prosody-$name"
interfaces = { "$addr" }
local_interfaces = { "$addr" }
c2s_ports = { $C2S_PORT }
s2s_ports = { 5269 }
component_ports = { $COMPONENT_PORT }
component_interface = "$addr"
c2s_direct_tls_ports = { }
http_ports = { }
https_ports = { }
network_settings = { nagle = false }
unbound = { hoststxt = true }
log = { debug = "$ICXT_DIR/prosody-$name.log" }
modules_enabled = { "roster", "saslauth", "tls", "disco", "ping", "posix", "presence", "message", "iq", "s2s"$dialback }
modules_disabled = { "offline" }
authentication = "internal_hashed"
storage = "internal"
c2s_require_encryption = true
$s2s_auth
allow_registration = false
ssl = {
  key = "$ICXT_DIR/$domain.key";
  certificate = "$ICXT_DIR/$domain.crt";
  $cafile
}
VirtualHost "$domain"
Component "icx.$domain"
  component_secret = "$ICXT_SECRET"
LUA
  "$PROSODY" --config "$ICXT_DIR/$name.cfg.lua" -F \
    >>"$ICXT_DIR/prosody-$name-stdout.log" 2>&1 &
  ICXT_FED_SERVERS="$ICXT_FED_SERVERS $!"
}

# icxt_fed_stop_prosody NAME: stops Prosody NAME (its data stays).
icxt_fed_stop_prosody() {
  pid=$(cat "$ICXT_DIR/prosody-$1.pid" 2>/dev/null || true)
  [ -n "$pid" ] || icxt_fail "no pid file for Prosody $1"
  kill -TERM "$pid" 2>/dev/null && icxt_reap "$pid" 10
  rm -f "$ICXT_DIR/prosody-$1.pid"
}

# icxt_fed_register NAME USER DOMAIN: the account USER@DOMAIN (password
# $ICXT_USER_PASS) on Prosody NAME.
icxt_fed_register() {
  "$PROSODYCTL" --config "$ICXT_DIR/$1.cfg.lua" register "$2" "$3" \
    "$ICXT_USER_PASS" >>"$ICXT_DIR/prosodyctl.log" 2>&1 \
    || icxt_fail "register $2@$3"
}

# icxt_fed_ejabberd ADDRESS DOMAIN: starts the ejabberd of DOMAIN, with
# the component icx.DOMAIN, and waits until it listens.
icxt_fed_ejabberd() {
  addr=$1 domain=$2 e=$ICXT_DIR/ejabberd
  mkdir -p "$e/spool" "$e/logs" || icxt_fail "cannot make $e"
  chmod 755 "$e"
  chown ejabberd "$e/spool" "$e/logs" 2>/dev/null || true
  cat "$ICXT_DIR/$domain.key" "$ICXT_DIR/$domain.crt" >"$e/$domain.pem"
  cat >"$e/ejabberdctl.cfg" <<CFG
# Written by $(basename "$0"): this node only, no epmd, loopback only.
ERLANG_NODE=icxt$$@localhost
ERL_DIST_PORT=$(icxt_free_port)
INET_DIST_INTERFACE=127.0.0.1
EJABBERD_PID_PATH=$e/spool/ejabberd.pid
EJABBERD_BYPASS_WARNINGS=true
CFG
  if [ "$ICXT_FED_TLS" = verified ]; then
    starttls=required dialback=
  else
    starttls=optional dialback='  mod_s2s_dialback: {}'
  fi
  # The component listeners: one for icx.DOMAIN, or one per instance.
  services=
  i=0
  for n in ${ICXT_FED_INSTANCES:-icx}; do
    [ -n "$ICXT_FED_INSTANCES" ] && i=$((i + 1))
    services="$services
  - port: $((COMPONENT_PORT + i))
    ip: \"$addr\"
    module: ejabberd_service
    max_stanza_size: 1048576
    hosts:
      icx.$domain:
        password: $ICXT_SECRET"
    [ -n "$ICXT_FED_INSTANCES" ] && services="$services
      $n.$domain:
        password: $ICXT_SECRET"
  done
  cat >"$e/ejabberd.yml" <<YML
# Written by $(basename "$0"): the server of $domain, in a private namespace.
hosts:
  - $domain
loglevel: info
certfiles:
  - $e/$domain.pem
ca_file: $ICXT_FED_CA
s2s_use_starttls: $starttls
auth_method: internal
listen:
  - port: 5269
    ip: "$addr"
    module: ejabberd_s2s_in
    max_stanza_size: 1048576$services
modules:
  mod_disco: {}
  mod_ping: {}
$dialback
YML
  chmod 644 "$e/ejabberd.yml" "$e/ejabberdctl.cfg" "$e/$domain.pem"
  icxt_ejabberdctl start >>"$e/ctl.log" 2>&1 || icxt_fail "ejabberdctl start failed"
  EJABBERD_RUNNING=1
  icxt_wait_port_at "$addr" "$((COMPONENT_PORT + i))" 60 \
    || icxt_fail "ejabberd does not listen on $addr:$((COMPONENT_PORT + i))"
}

# icxt_fed_store NAME FILE...: the store of exchange NAME.
icxt_fed_store() {
  name=$1; shift
  ASAN_OPTIONS=detect_leaks=0 "$ICX_BUILDDIR/icx" --store "$ICXT_DIR/$name.db" \
    load "$@" >>"$ICXT_DIR/icx-load.log" 2>&1 \
    || icxt_fail "icx could not load the clouds of $name"
}

# icxt_fed_icxd NAME ADDRESS DOMAIN PEERS [SECTION.KEY=VALUE...]: icxd for
# icx.DOMAIN with store NAME and [federation] peers PEERS; more settings
# for the sections xmpp, exchange, federation, log and access (a key given
# here comes after the one written by default: icxd takes the last, e.g.
# xmpp.port=N, exchange.store=FILE).  Sets ICXD_PID.
icxt_fed_icxd() {
  name=$1 addr=$2 domain=$3 peers=$4; shift 4
  conf=$ICXT_DIR/$name.conf
  {
    echo "[xmpp]"
    echo "mode = component"
    echo "jid = icx.$domain"
    echo "host = $addr"
    echo "port = $COMPONENT_PORT"
    echo "secret_file = $ICXT_DIR/component.secret"
    echo "reconnect_min_ms = 100"
    echo "reconnect_max_ms = 1000"
    for kv in "$@"; do
      case $kv in xmpp.*) echo "${kv#xmpp.}";; esac
    done
    echo "[exchange]"
    echo "store = $ICXT_DIR/$name.db"
    echo "ontology = $ICX_ONTOLOGY"
    echo "workers = 2"
    # The first request between two domains waits for s2s to come up
    # (DNS, TLS, authentication: seconds here): keep it synchronous.
    echo "async_threshold_ms = 30000"
    for section in exchange federation log access; do
      [ "$section" = exchange ] || echo "[$section]"
      [ "$section" = federation ] && echo "peers = $peers"
      [ "$section" = log ] && echo "level = debug"
      for kv in "$@"; do
        case $kv in "$section".*) echo "${kv#"$section".}";; esac
      done
    done
  } >"$conf"
  icxt_start_icxd "$conf" "$ICXT_DIR/icxd-$name.log"
}

# icxt_fed_ask SERVICE [OPTIONS...]: the requester $ICXT_FED_ASKER (an
# account made with icxt_fed_register), logged in at $ICXT_FED_ASKER_HOST,
# asks SERVICE (icxd_fed.py and its options).
icxt_fed_ask() {
  service=$1; shift
  timeout 120 "$ICXT_PY" "$ICX_SRCDIR/tests/integration/icxd_fed.py" \
    --jid "$ICXT_FED_ASKER/fed" --password "$ICXT_USER_PASS" \
    --host "$ICXT_FED_ASKER_HOST" --port "$C2S_PORT" --ca "$ICXT_FED_CA" \
    --paper "$ICX_SRCDIR/data/constraints/paper.xml" --service "$service" "$@"
}

# icxt_fed_trace_transcript LOG TITLE FILE: appends to FILE, under TITLE,
# the first IQ an icxd sent to a peer (its stanza trace in LOG, with
# log.trace=true) and the peer's answer.  Fails when LOG has none.
icxt_fed_trace_transcript() {
  "$ICXT_PY" - "$1" "$2" "$3" "$ICX_SRCDIR/tests/integration" <<'PY'
import re, sys, xml.etree.ElementTree as ET
log, title, out = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, sys.argv[4])
from icxd_client import serialize
text = open(log).read()
sent = re.search(r'SENT: (<iq [^\n]*?id="(fed-[0-9a-f]+)".*?</iq>)', text, re.S)
got = sent and re.search(r'RECV: (<iq [^\n]*?id="%s".*?</iq>)' % sent.group(2), text, re.S)
if not sent or not got:
    sys.exit("no traced fan-out in " + log)
with open(out, "a") as f:
    f.write("\n### %s\n\n```xml\n%s\n```\n```xml\n%s\n```\n" % (
        title, serialize(ET.fromstring(sent.group(1))),
        serialize(ET.fromstring(got.group(1)))))
PY
}

# icxt_fed_stop_all: stops every icxd (each must exit 0).
icxt_fed_stop_all() {
  for pid in $ICXD_PIDS; do icxt_stop_icxd "$pid"; done
}

icxt_fed_cleanup() {
  st=$?
  for pid in $ICXD_PIDS; do
    kill -TERM "$pid" 2>/dev/null && icxt_reap "$pid" 10
  done
  ICXD_PIDS=
  for pid in $ICXT_FED_SERVERS; do
    kill -TERM "$pid" 2>/dev/null && icxt_reap "$pid" 10
  done
  (exit $st)
  icxt_federation_cleanup
}

# icxt_fed_s2s_streams: reads the servers' logs and prints one line per
# s2s stream that was authenticated, "SERVER in|out FROM->TO": Prosody
# (debug log) only when the stream was encrypted and the peer's
# certificate valid for its chain and its name; ejabberd (info log) only
# when authenticated by SASL EXTERNAL (its certificate).  Fails when a
# stream was authenticated any other way (dialback) or Prosody let one
# in without those checks.
icxt_fed_s2s_streams() {
  "$ICXT_PY" - "$ICXT_DIR" <<'PY'
import glob, os, re, sys
d, bad = sys.argv[1], []
for log in sorted(glob.glob(os.path.join(d, "prosody-*.log"))):
    name = os.path.basename(log)[len("prosody-"):-len(".log")]
    sessions = {}
    for line in open(log, errors="replace"):
        parts = line.rstrip("\n").split("\t", 2)
        head = parts[0].rsplit(" ", 1)
        if len(parts) < 3 or len(head) < 2:
            continue
        sessions.setdefault(head[1], []).append(parts[2])
        if "dialback" in parts[2]:
            bad.append("%s: dialback: %s" % (name, parts[2][:160]))
    for tag, msgs in sessions.items():
        if not tag.startswith(("s2sin", "s2sout")):
            continue
        text = "\n".join(msgs)
        for m in re.finditer(r"connection (\S+)->(\S+) is now authenticated", text):
            ok = ("Stream encrypted" in text and
                  "certificate chain validation result: valid" in text and
                  "certificate identity validation result: valid" in text)
            if not ok:
                bad.append("%s: %s %s->%s authenticated without a valid "
                           "certificate" % (name, tag, m.group(1), m.group(2)))
                continue
            print("prosody-%s %s %s->%s" % (
                name, "in" if tag.startswith("s2sin") else "out",
                m.group(1), m.group(2)))
for log in glob.glob(os.path.join(d, "ejabberd", "logs", "ejabberd.log")):
    for line in open(log, errors="replace"):
        m = re.search(r"Accepted (inbound|outbound) s2s (\S+) authentication "
                      r"(\S+) -> (\S+)", line)
        if not m:
            continue
        if m.group(2) != "EXTERNAL":
            bad.append("ejabberd: %s" % line.strip()[:200])
            continue
        print("ejabberd %s %s->%s" % ("in" if m.group(1) == "inbound" else
                                       "out", m.group(3), m.group(4)))
for b in bad:
    print("not verified: " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}
