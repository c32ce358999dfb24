# tests/integration/lib-icxd.sh - icxd and its clients in the
# integration tests: an icxd.conf for the test's server, icxd started
# and stopped, the slixmpp clients run (each bounded in time).
# Sourced by lib.sh (tests source lib.sh only).

# icxt_conf_settings SECTION SETTING...: the SETTINGs ("section.key=value")
# of SECTION, as "key=value" lines of an icxd.conf.
icxt_conf_settings() {
  icxt_cs_section=$1; shift
  for icxt_cs_kv in "$@"; do
    case $icxt_cs_kv in
      "$icxt_cs_section".*) echo "${icxt_cs_kv#"$icxt_cs_section".}";;
    esac
  done
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
    icxt_conf_settings xmpp "$@"
    echo "[exchange]"
    echo "store = $ICXT_STORE_DB"
    echo "ontology = $ICX_ONTOLOGY"
    echo "workers = 2"
    # A test that leaves a session open would wait out the 10 s default
    # drain at every stop; one that tests draining sets its own.
    case " $* " in *" exchange.drain_timeout"*) ;; *) echo "drain_timeout = 1";; esac
    icxt_conf_settings exchange "$@"
    echo "[log]"
    echo "level = debug"
    icxt_conf_settings log "$@"
    echo "[access]"
    icxt_conf_settings access "$@"
  } > "$out"
}

# Starts icxd with config $1, logging to $2; waits (bounded) for it to be
# connected.  Sets ICXD_PID.
icxt_start_icxd() {
  conf=$1 logf=$2
  # Emptied here, not by the child's redirection: a log an earlier run
  # left under this name would otherwise say "connected" to the wait
  # below before the child had truncated it.
  : >"$logf"
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
    ${ICXD_WRAPPER:-} "$ICX_BUILDDIR/icxd" --config "$conf" >>"$logf" 2>&1 &
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
