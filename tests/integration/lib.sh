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
# The functions are in topic files beside this one, sourced at the end:
# lib-wait.sh (bounded waits), lib-servers.sh (Prosody and ejabberd),
# lib-icxd.sh (icxd and the clients), lib-s2s.sh (two Prosody joined by
# s2s in a namespace of the test's own), lib-fed.sh (a federation of
# exchanges).  Tests source this file only.
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
ICXT_FAILED=
# Says why the test fails and ends it; the cleanup says it again below the
# servers' logs, where a reader of only the output's end sees it.
icxt_fail() { ICXT_FAILED=$*; icxt_log "FAIL: $*"; exit 1; }

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
        # openssl's key generation prints only progress dots.
        case $f in */openssl.log) continue;; esac
        echo "----- $f (last 40 lines)" >&2; tail -n 40 "$f" >&2
      done
      [ -n "$ICXT_FAILED" ] && icxt_log "FAIL (said above the logs): $ICXT_FAILED"
    fi
    if [ "${ICXT_KEEP:-0}" = 1 ]; then
      icxt_log "kept $ICXT_DIR"
    else
      rm -rf "$ICXT_DIR"
    fi
  fi
  exit $status
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

# The rest, by topic (from the source tree, as this file is).
for icxt_part in wait servers icxd s2s fed; do
  . "$ICX_SRCDIR/tests/integration/lib-$icxt_part.sh"
done
unset icxt_part
