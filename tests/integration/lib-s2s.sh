# tests/integration/lib-s2s.sh - two Prosody instances joined by
# s2s, in a network and mount namespace the test makes for itself.
# Sourced by lib.sh (tests source lib.sh only).

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
    # Readable by every account, as /etc/hosts is: ejabberd reads it as
    # its own (mktemp makes the file for root alone).
    chmod 644 "$ICXT_HOSTS"
    mount --bind "$ICXT_HOSTS" /etc/hosts || icxt_fail "cannot mount a private /etc/hosts"
    # Prosody without lua-unbound asks DNS only: a tiny server on the
    # namespace's loopback answers A queries from the private hosts file.
    ICXT_RESOLV=$(mktemp "${TMPDIR:-/tmp}/icxt-resolv.XXXXXX")
    echo "nameserver 127.0.0.1" >"$ICXT_RESOLV"
    chmod 644 "$ICXT_RESOLV"
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
    echo "-- Written by $(basename "$0"): federation server $which, in a private namespace."
    icxt_prosody_cfg_head "$ICXT_DIR/prosody-$which.pid" "$ICXT_DIR/prosody-$which" "$addr" \
      "$c2s" 5269
    cat <<LUA
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
