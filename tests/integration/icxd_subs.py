#!/usr/bin/python3
"""icxd_subs.py - clients for tests/integration/icxd-subs.test: standing
requests (doc/protocol.md, "Standing requests").

One process holds two accounts on one event loop: a subscriber (--jid)
and a cloud that publishes (--jid2, the same password).  --phase says
which part of the test runs:
  main      subscribe (one plain, one requiring presence); the cloud
            publishes, goes away, comes back, withdraws; list,
            unsubscribe, the per-account limit.  Prints "KEEP ID..." with
            the subscriptions left;
  cli       the operator loads and removes a document with icx (--icx,
            --store, --doc) while the subscriber listens;
  restart   after icxd restarted: the subscriptions are listed again and
            a withdrawal is still told;
  subscribe the subscriber subscribes once and exits (a bounce follows);
  publish   the cloud publishes cloud9 and exits;
  s2s       the subscriber's domain is not the exchange's (icxd-s2s-subs.test):
            subscribe, the cloud publishes and withdraws cloud9, each told
            over s2s, unsubscribe.
A notification that must come is awaited for at most --settle seconds; the
time from a publish's answer to its notification is printed.
"""

import asyncio
import copy
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import icxd_client  # noqa: E402
import icxd_publish  # noqa: E402
from icxd_client import NS_CMD, NS_CSP, NS_RSM, Callback, MatchXPath, q, serialize  # noqa: E402

NS_M = "urn:icx:matches:0"
NODE_SUB = "subscribe_matches"
NODE_UNSUB = "unsubscribe_matches"
NODE_LIST = "list_subscriptions"


def constraints(presence=None):
    attrs = " presence='%s'" % presence if presence else ""
    return ("<constraints xmlns='%s'%s><constraint><attribute>replicationFactor"
            "</attribute><value>30</value></constraint></constraints>" % (NS_CSP, attrs))


class Account(icxd_publish.Publisher):
    """A subscriber or a cloud: commands, and the notifications it gets."""

    def __init__(self, args, jid, started):
        a = copy.copy(args)
        a.jid = jid
        super().__init__(a)
        self.started = started
        self.notes = asyncio.Queue()
        self.register_handler(Callback(
            "icx matches", MatchXPath("{%s}message/{%s}matches" % (icxd_client.NS_CLIENT,
                                                                   NS_M)),
            self.on_matches))

    async def on_start(self, _event):
        self.send_presence()
        if not self.started.done():
            self.started.set_result(True)

    def on_matches(self, msg):
        x = msg.xml
        self.log("<!-- a notification pushed by the exchange -->\n```xml\n%s\n```"
                 % serialize(x))
        m = x.find(q(NS_M, "matches"))
        body = x.find(q(icxd_client.NS_CLIENT, "body"))

        def names(tag):
            el = m.find(q(NS_M, tag))
            return sorted(c.text for c in el.findall(q(NS_M, "cloudName"))) \
                if el is not None else []
        def count(tag):
            el = m.find(q(NS_M, tag))
            return el.get("count") if el is not None else None
        self.notes.put_nowait((time.monotonic(), m.get("subscription"),
                               names("entered"), names("left"),
                               body.text if body is not None else None, x.get("type"),
                               {"entered": count("entered"), "left": count("left")}))

    async def run_cmd(self, node, inner, title=None):
        iid = self.new_id("s")
        return await self.rpc(self.iq("set", self.command(inner, node=node), iid), iid,
                              title)

    async def subscribe(self, presence=None, title=None):
        res = await self.run_cmd(NODE_SUB, self.io_input(constraints(presence)), title)
        el = res.find(".//" + q(NS_M, "subscribed")) if res is not None else None
        if el is None:
            return None, None, res
        return el.get("subscription"), self.clouds_of(res), res

    async def note(self, sub, settle):
        """The next notification of subscription sub (others are kept
        for later), or None after settle seconds."""
        kept, found = [], None
        deadline = time.monotonic() + settle
        while found is None:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                n = await asyncio.wait_for(self.notes.get(), left)
            except asyncio.TimeoutError:
                break
            if n[1] == sub:
                found = n
            else:
                kept.append(n)
        for n in kept:
            self.notes.put_nowait(n)
        return found

    async def drain(self):
        """Drops what the server kept while this account was offline."""
        await asyncio.sleep(1.0)
        while not self.notes.empty():
            self.notes.get_nowait()


async def connect(args, jid):
    loop = asyncio.get_event_loop()
    fut = loop.create_future()
    a = Account(args, jid, fut)
    a.connect(address=(args.host, args.port))
    await asyncio.wait_for(fut, 60)
    return a


async def phase_main(args, w, p):
    ok = w.ok
    a, clouds, res = await w.subscribe(title="A standing request: subscribe_matches")
    ok.check(a is not None and clouds == [], "subscribe: an id and the current answer",
             serialize(res)[:800] if res is not None else "no answer")
    b, clouds, res = await w.subscribe(presence="available chat",
                                       title="A standing request that requires presence")
    ok.check(b is not None and clouds == [], "subscribe with presence", repr(clouds))

    iid = p.new_id("pub")
    res = await p.rpc(p.publish_stanza(iid, icxd_publish.esc(icxd_publish.CLOUD9_TTL),
                                       "turtle"), iid, "A cloud publishes")
    acked = time.monotonic()
    ok.check(p.stored(res, "published") is not None, "cloud9 published")
    n = await w.note(a, args.settle)
    ok.check(n is not None and n[2] == ["cloud9"] and n[3] == [],
             "publish: the subscriber is told cloud9 entered", repr(n))
    if n:
        print("# notification %.0f ms after the publish was answered"
              % ((n[0] - acked) * 1000), flush=True)
        ok.check(n[0] - acked < 1.0, "the notification came within a second",
                 "%.3f s" % (n[0] - acked))
        ok.check(n[4] and "cloud9" in n[4], "it has a body naming the cloud", repr(n[4]))
    n = await w.note(b, args.settle)
    ok.check(n is not None and n[2] == ["cloud9"],
             "presence required: cloud9 (online) entered", repr(n))

    p.send_presence(ptype="unavailable")
    n = await w.note(b, args.settle)
    ok.check(n is not None and n[3] == ["cloud9"] and n[2] == [],
             "the cloud goes offline: it left the presence-requiring answer", repr(n))
    n = await w.note(a, 1.0)
    ok.check(n is None, "the plain answer does not change with presence", repr(n))
    p.send_presence()
    n = await w.note(b, args.settle)
    ok.check(n is not None and n[2] == ["cloud9"], "back online: it entered again",
             repr(n))

    iid = p.new_id("wd")
    res = await p.rpc(p.withdraw_stanza(iid), iid, "The cloud withdraws its document")
    ok.check(p.stored(res, "withdrawn") is not None, "cloud9 withdrawn")
    for sub in (a, b):
        n = await w.note(sub, args.settle)
        ok.check(n is not None and n[3] == ["cloud9"] and n[2] == [],
                 "withdrawal: cloud9 left subscription %s" % sub, repr(n))

    res = await w.run_cmd(NODE_LIST, "", "The subscriber lists its subscriptions")
    ids = [e.get("id") for e in res.iter(q(NS_M, "subscription"))] \
        if res is not None else None
    ok.check(ids == [a, b], "list_subscriptions: both", repr(ids))

    res = await w.run_cmd(NODE_UNSUB, w.io_input(
        "<unsubscribe xmlns='%s' subscription='%s'/>" % (NS_M, a)),
        "The subscriber ends one subscription")
    el = res.find(".//" + q(NS_M, "unsubscribed")) if res is not None else None
    ok.check(el is not None and el.get("count") == "1", "unsubscribe: one ended",
             serialize(res)[:600] if res is not None else "no answer")
    res = await w.run_cmd(NODE_UNSUB, w.io_input(
        "<unsubscribe xmlns='%s' subscription='%s'/>" % (NS_M, a)))
    ok.check(res is not None and "no subscription" in serialize(res),
             "unsubscribing it again: no such subscription",
             serialize(res)[:600] if res is not None else "no answer")

    iid = p.new_id("pub")
    res = await p.rpc(p.publish_stanza(iid, icxd_publish.esc(icxd_publish.CLOUD9_TTL),
                                       "turtle"), iid)
    ok.check(p.stored(res, "published") is not None, "cloud9 published again")
    n = await w.note(b, args.settle)
    ok.check(n is not None and n[2] == ["cloud9"], "the other subscription still hears",
             repr(n))
    n = await w.note(a, 1.5)
    ok.check(n is None, "the ended subscription hears nothing", repr(n))

    # The per-account limit (max_subscriptions_per_jid = 3 in the test).
    c, clouds, res = await w.subscribe()
    ok.check(c is not None and clouds == ["cloud9"],
             "a third subscription: the current answer has cloud9", repr(clouds))
    d, _, res = await w.subscribe()
    ok.check(c is not None, "a third one is allowed", "")
    e, _, res = await w.subscribe(title="One subscription too many")
    ok.check(e is None and res is not None and
             "max_subscriptions_per_jid" in serialize(res),
             "the fourth is refused, naming max_subscriptions_per_jid",
             serialize(res)[:600] if res is not None else "no answer")
    res = await w.run_cmd(NODE_UNSUB, w.io_input(
        "<unsubscribe xmlns='%s' subscription='%s'/>" % (NS_M, d)))
    print("KEEP %s %s" % (b, c), flush=True)


async def phase_cli(args, w, p):
    ok = w.ok
    b, c = args.keep.split()
    await w.drain()
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
    r = subprocess.run([args.icx, "--store", args.store, "load", args.doc], env=env,
                       capture_output=True, text=True, timeout=60)
    ok.check(r.returncode == 0, "icx load from a shell", r.stderr)
    n = await w.note(c, args.settle)
    ok.check(n is not None and n[2] == ["cloud10"], "icx load: cloud10 entered", repr(n))
    n = await w.note(b, 1.5)
    ok.check(n is None, "a cloud without presence does not enter a presence answer",
             repr(n))
    r = subprocess.run([args.icx, "--store", args.store, "remove", args.doc], env=env,
                       capture_output=True, text=True, timeout=60)
    ok.check(r.returncode == 0, "icx remove from a shell", r.stderr)
    n = await w.note(c, args.settle)
    ok.check(n is not None and n[3] == ["cloud10"], "icx remove: cloud10 left", repr(n))
    if not args.bigdoc:
        return
    # A document of many clouds: one message names at most 100 of them and
    # gives their number; list_subscriptions has them all.
    r = subprocess.run([args.icx, "--store", args.store, "load", args.bigdoc], env=env,
                       capture_output=True, text=True, timeout=60)
    ok.check(r.returncode == 0, "icx load of %d clouds" % args.bigcount, r.stderr)
    n = await w.note(c, args.settle)
    ok.check(n is not None and len(n[2]) == 100 and
             n[6]["entered"] == str(args.bigcount),
             "%d clouds entered: 100 named, count='%d'" % (args.bigcount, args.bigcount),
             repr(n)[:400])
    res = await w.run_cmd(NODE_LIST, "")
    names = [c_.text for c_ in res.iter(q(NS_M, "cloudName"))] if res is not None else []
    ok.check(len(names) >= args.bigcount, "list_subscriptions names them all",
             "%d names" % len(names))
    # One subscription's clouds, a page at a time (XEP-0059): the first
    # two of what the whole list gave for it.
    whole = []
    for e in (res.iter(q(NS_M, "subscription")) if res is not None else []):
        if e.get("id") == c:
            whole = [c_.text for c_ in e.findall(q(NS_M, "cloudName"))]
    res = await w.run_cmd(NODE_LIST, w.io_input(
        "<list xmlns='%s' subscription='%s'/><set xmlns='%s'><max>2</max></set>"
        % (NS_M, c, NS_RSM)), "The subscriber pages one subscription")
    subs = list(res.iter(q(NS_M, "subscription"))) if res is not None else []
    page = [c_.text for c_ in subs[0].findall(q(NS_M, "cloudName"))] if subs else []
    cnt = subs[0].find("%s/%s" % (q(NS_RSM, "set"), q(NS_RSM, "count"))) if subs else None
    ok.check(len(subs) == 1 and subs[0].get("id") == c and len(whole) > 2 and
             page == whole[:2] and cnt is not None and int(cnt.text) == len(whole),
             "list_subscriptions: a page of two of one subscription's clouds",
             "%r of %d" % (page, len(whole)))
    r = subprocess.run([args.icx, "--store", args.store, "remove", args.bigdoc], env=env,
                       capture_output=True, text=True, timeout=60)
    ok.check(r.returncode == 0, "icx remove of the %d clouds" % args.bigcount, r.stderr)
    n = await w.note(c, args.settle)
    ok.check(n is not None and len(n[3]) == 100 and n[6]["left"] == str(args.bigcount),
             "they left: 100 named, count='%d'" % args.bigcount, repr(n)[:400])


async def phase_restart(args, w, p):
    ok = w.ok
    b, c = args.keep.split()
    await w.drain()
    res = await w.run_cmd(NODE_LIST, "")
    ids = [e.get("id") for e in res.iter(q(NS_M, "subscription"))] \
        if res is not None else None
    ok.check(ids == [b, c], "after a restart the subscriptions are still there",
             repr(ids))
    iid = p.new_id("wd")
    res = await p.rpc(p.withdraw_stanza(iid), iid)
    ok.check(p.stored(res, "withdrawn") is not None, "cloud9 withdrawn")
    for sub in (b, c):
        n = await w.note(sub, args.settle)
        ok.check(n is not None and n[3] == ["cloud9"],
                 "after the restart, subscription %s is told cloud9 left" % sub, repr(n))


async def phase_subscribe(args, w, p):
    s, _, res = await w.subscribe()
    w.ok.check(s is not None, "subscribed",
               serialize(res)[:600] if res is not None else "no answer")


async def phase_publish(args, w, p):
    iid = p.new_id("pub")
    res = await p.rpc(p.publish_stanza(iid, icxd_publish.esc(icxd_publish.CLOUD9_TTL),
                                       "turtle"), iid)
    p.ok.check(p.stored(res, "published") is not None, "cloud9 published")


async def phase_s2s(args, w, p):
    ok = w.ok
    s, clouds, res = await w.subscribe(title="A subscriber on another domain subscribes")
    ok.check(s is not None, "subscribed from another domain, over s2s",
             serialize(res)[:600] if res is not None else "no answer")
    if s is None:
        return
    iid = p.new_id("pub")
    t0 = time.monotonic()
    res = await p.rpc(p.publish_stanza(iid, icxd_publish.esc(icxd_publish.CLOUD9_TTL),
                                       "turtle"), iid)
    ok.check(p.stored(res, "published") is not None, "cloud9 published")
    n = await w.note(s, args.settle)
    ok.check(n is not None and n[2] == ["cloud9"] and n[3] == [],
             "the notification crossed s2s: cloud9 entered", repr(n))
    if n is not None:
        print("# notification %.3f s after the publish was answered" % (n[0] - t0))
    iid = p.new_id("wd")
    res = await p.rpc(p.withdraw_stanza(iid), iid)
    ok.check(p.stored(res, "withdrawn") is not None, "cloud9 withdrawn")
    n = await w.note(s, args.settle)
    ok.check(n is not None and n[3] == ["cloud9"] and n[2] == [],
             "cloud9 left, told over s2s", repr(n))
    res = await w.run_cmd(NODE_UNSUB, w.io_input(
        "<unsubscribe xmlns='%s' subscription='%s'/>" % (NS_M, s)))
    el = res.find(".//" + q(NS_M, "unsubscribed")) if res is not None else None
    ok.check(el is not None and el.get("count") == "1", "unsubscribed over s2s",
             serialize(res)[:600] if res is not None else "no answer")


async def run(args):
    w = await connect(args, args.jid)
    p = await connect(args, args.jid2) if args.phase != "subscribe" else None
    if p is None:
        p = w
    try:
        await globals()["phase_" + args.phase](args, w, p)
    except Exception as exc:  # report, never hang
        w.ok.check(False, "phase raised", repr(exc))
    failures = w.ok.failures + (p.ok.failures if p is not w else 0)
    count = w.ok.count + (p.ok.count if p is not w else 0)
    for c in {w, p}:
        c.disconnect()
    await asyncio.sleep(0.3)
    print("# %d checks, %d failed" % (count, failures))
    return 1 if failures else 0


def main():
    ap = icxd_client.argparse.ArgumentParser()
    ap.add_argument("--phase", required=True,
                    choices=("main", "cli", "restart", "subscribe", "publish", "s2s"))
    ap.add_argument("--jid", required=True)
    ap.add_argument("--jid2", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=5222)
    ap.add_argument("--ca")
    ap.add_argument("--insecure", action="store_true")
    ap.add_argument("--service", default="service.intercloudexchg.com")
    ap.add_argument("--transcript")
    ap.add_argument("--bigdoc", help="cli phase: a document of --bigcount clouds")
    ap.add_argument("--bigcount", type=int, default=0)
    ap.add_argument("--settle", type=float, default=10)
    ap.add_argument("--keep", default="")
    ap.add_argument("--icx")
    ap.add_argument("--store")
    ap.add_argument("--doc")
    args = ap.parse_args()
    loop = asyncio.get_event_loop()
    return loop.run_until_complete(asyncio.wait_for(run(args), 170))


if __name__ == "__main__":
    sys.exit(main())
