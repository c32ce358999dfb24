# tests/integration/lib-wait.sh - bounded waits of the integration
# tests: for a command, a process, a port, a line in a log.
# Sourced by lib.sh (tests source lib.sh only).

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

# A free TCP port on 127.0.0.1 (the kernel picks it), never one this test
# was given before: the kernel may pick a port again once it is closed,
# and two listeners of one server on the same port do not start
# (ejabberd: "Overlapping listeners").  The ports given are listed in
# $ICXT_DIR/ports (the calls run in subshells).
icxt_free_port() {
  "$ICXT_PY" -c 'import socket, sys
seen = set()
path = sys.argv[1]
if path:
    try:
        with open(path) as f:
            seen = {int(x) for x in f.read().split()}
    except OSError:
        pass
for _ in range(100):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    if port not in seen:
        break
if path:
    with open(path, "a") as f:
        f.write("%d\n" % port)
print(port)' "${ICXT_DIR:+$ICXT_DIR/ports}"
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

# 0 when nothing accepts connections on 127.0.0.1:$1 (within 0.1 s).
icxt_port_free() {
  ! icxt_wait_port "$1" 0.1
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
