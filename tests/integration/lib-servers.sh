# tests/integration/lib-servers.sh - the tests' private XMPP servers:
# Prosody and ejabberd, each from a folder and config of its own, on
# loopback ports of the test's own; started, stopped, waited for.
# Sourced by lib.sh (tests source lib.sh only).

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

# icxt_prosody_cfg_head PIDFILE DATA_PATH ADDRESS C2S_PORT S2S_PORT: the
# lines every test Prosody's config starts with: run as root, its pid file
# and data folder, listening on ADDRESS only (c2s, s2s and the component
# port $COMPONENT_PORT), no HTTP, Nagle off.
icxt_prosody_cfg_head() {
  cat <<LUA
run_as_root = true
pidfile = "$1"
data_path = "$2"
interfaces = { "$3" }
local_interfaces = { "$3" }
c2s_ports = { $4 }
s2s_ports = { $5 }
component_ports = { $COMPONENT_PORT }
component_interface = "$3"
c2s_direct_tls_ports = { }
http_ports = { }
https_ports = { }
network_settings = { nagle = false }
LUA
}

icxt_write_prosody_config() {
  # Messages to offline accounts are dropped unless a test asks for
  # Prosody's offline storage (ICXT_PROSODY_OFFLINE=1).
  if [ -n "${ICXT_PROSODY_OFFLINE:-}" ]; then
    offline_on=', "offline"' offline_off=
  else
    offline_on= offline_off=', "offline"'
  fi
  {
    echo "-- Written by $(basename "$0"): a private, loopback-only Prosody."
    icxt_prosody_cfg_head "$ICXT_DIR/prosody.pid" "$ICXT_DIR/prosody-data" 127.0.0.1 \
      "$C2S_PORT" "$S2S_PORT"
    cat <<LUA
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
  } > "$ICXT_DIR/prosody.cfg.lua"
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
