# tests/integration/lib-fed.sh - a federation of exchanges, one
# server per domain (Prosody or ejabberd), inside the namespace of
# lib-s2s.sh's icxt_federation_enter.
# Sourced by lib.sh (tests source lib.sh only).

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
# node of lib-servers.sh's ejabberd part, in $ICXT_DIR/ejabberd).  The
# requester trusts $ICXT_FED_CA.
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
  {
    echo "-- Written by $(basename "$0"): the server of $domain, in a private namespace."
    icxt_prosody_cfg_head "$ICXT_DIR/prosody-$name.pid" "$ICXT_DIR/prosody-$name" "$addr" \
      "$C2S_PORT" 5269
    cat <<LUA
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
  } >"$ICXT_DIR/$name.cfg.lua"
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
    icxt_conf_settings xmpp "$@"
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
      icxt_conf_settings "$section" "$@"
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

# icxt_fed_want_streams WANT...: waits (10 s at most) until
# icxt_fed_s2s_streams lists every WANT line ("SERVER in|out FROM->TO").
# ejabberd's logger writes its file behind the events (a second or so):
# an answer can reach the requester before ejabberd's line about the
# stream it came over is in the file.  Fails at once when a stream was
# authenticated without a valid certificate; on a timeout, says which
# streams are missing and which were seen.
icxt_fed_want_streams() {
  icxt_fed_streams_ok() {
    icxt_fed_s2s_streams >"$ICXT_DIR/s2s-streams" 2>"$ICXT_DIR/s2s-bad" \
      || icxt_fail "an s2s stream was not authenticated by a valid certificate: $(cat "$ICXT_DIR/s2s-bad")"
    for want in "$@"; do
      grep -qx "$want" "$ICXT_DIR/s2s-streams" || return 1
    done
  }
  icxt_wait_until 10 icxt_fed_streams_ok "$@" && return 0
  missing=
  for want in "$@"; do
    grep -qx "$want" "$ICXT_DIR/s2s-streams" || missing="$missing '$want'"
  done
  icxt_fail "no verified s2s stream$missing in 10 s; got: $(tr '\n' ';' <"$ICXT_DIR/s2s-streams")"
}
