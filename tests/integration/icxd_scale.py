#!/usr/bin/python3
"""icxd_scale.py - slixmpp clients for icxd-scale-ejabberd.test and
bench-scale: several accounts at once drive every multi-step flow of
icxd through one component name served by several instances.

Flows, each a "request" that must end with the right answer:
  paper    the paper's request (IO Data), answered 'executing' (the test's
           instances make every query asynchronous): getStatus, the pushed
           message, getOutput
  form     execute without payload: the data form; the form submitted:
           executing, the push, getOutput
  explain  explain_constraints of the paper's constraints: matching='2'
  rsm      a broad request with an RSM <set> (the page after cloud3)
  subs     subscribe_matches, list_subscriptions, unsubscribe_matches
A wait-type refusal ("this instance is stopping") starts the flow again:
the request was refused, not accepted.  A stanza that gets no answer in
time (or a session unknown to the instance it reached) is a loss, a
wrong answer is wrong; with --retry-lost a lost flow starts again.  A
stanza that got no answer is also printed as "LOSTID JID ID", so the
test can check that no instance ever received it (ejabberd dropped it).
An error saying that the instance running a session's query stopped is
a loss told ("told").  With --settle, every session a loss left open is
asked again at the end, and its end printed (SETTLED, ORPHANS).  The
summary line counts them all:
  SUMMARY flows=N ok=N refused=N lost=N lost_first=N wrong=N told=N
With --bench, only the paper's request (answered at once) is sent,
--inflight at a time, and the rate is printed:
  BENCH commands=N seconds=S rate=R
"""

import argparse
import asyncio
import logging
import os
import subprocess
import sys
import time

import slixmpp
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

NS_CLIENT = "jabber:client"
NS_CMD = "http://jabber.org/protocol/commands"
NS_IO = "urn:xmpp:tmp:io-data"
NS_DATA = "jabber:x:data"
NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"
NS_CSP = "http://www.csp/resOntology"
NS_RSM = "http://jabber.org/protocol/rsm"
NS_M = "urn:icx:matches:0"
NODE = "constraint_catalog_resources"
ALL = ["cloud%d" % i for i in range(1, 9)]
BROAD = ("<constraints xmlns='%s'><constraint op='exists'><attribute>"
         "replicationFactor</attribute></constraint></constraints>" % NS_CSP)
SUBS = ("<constraints xmlns='%s'><constraint><attribute>replicationFactor"
        "</attribute><value>30</value></constraint></constraints>" % NS_CSP)
FORM = {"availability": "99.999", "replicationFactor": "5",
        "tierCountry": "JAPAN", "replicationMethod": "AMQP",
        "storageAccess": "NFS"}


def q(ns, name):
    return "{%s}%s" % (ns, name)


class Refused(Exception):
    """A wait-type error: the request was not accepted; send it again."""


class Wrong(Exception):
    """An answer that is not the right one (or none at all); sid names
    the session the flow had opened, if any."""
    sid = None
    node = None


class Account(slixmpp.ClientXMPP):
    def __init__(self, args, jid, started):
        super().__init__(jid, args.password)
        self.args = args
        self.pending = {}
        self.pushed = {}
        self.counter = 0
        self.started = started
        self.last_id = None
        self.stanzas = 0        # sent in the current flow
        self.ca_certs = args.ca
        self.register_handler(Callback("iq", MatchXPath(q(NS_CLIENT, "iq")),
                                       self.on_iq))
        self.register_handler(Callback(
            "push", MatchXPath("{%s}message/{%s}command" % (NS_CLIENT, NS_CMD)),
            self.on_push))
        self.register_handler(Callback(
            "matches", MatchXPath("{%s}message/{%s}matches" % (NS_CLIENT, NS_M)),
            self.on_matches))
        self.notes = []          # (subscription, entered, left, message id)
        self.note_event = asyncio.Event()
        self.add_event_handler("session_start", self.on_start)

    async def on_start(self, _event):
        self.send_presence()
        if not self.started.done():
            self.started.set_result(True)

    def on_matches(self, msg):
        m = msg.xml.find(q(NS_M, "matches"))

        def names(tag):
            el = m.find(q(NS_M, tag))
            return [] if el is None else \
                sorted(e.text for e in el.iter() if e.tag.endswith("}cloudName"))
        self.notes.append((m.get("subscription"), names("entered"),
                           names("left"), msg.xml.get("id")))
        self.note_event.set()

    def on_iq(self, iq):
        fut = self.pending.pop(iq.xml.get("id"), None)
        if fut and not fut.done():
            fut.set_result(iq.xml)

    def on_push(self, msg):
        sid = msg.xml.find(q(NS_CMD, "command")).get("sessionid")
        fut = self.pushed.get(sid)
        if fut is None:
            fut = self.pushed[sid] = asyncio.get_event_loop().create_future()
        if not fut.done():
            fut.set_result(msg.xml)

    async def rpc(self, payload, typ="set"):
        self.counter += 1
        iid = "%s%d" % (self.args.id_prefix, self.counter)
        self.last_id = iid
        self.stanzas += 1
        fut = asyncio.get_event_loop().create_future()
        self.pending[iid] = fut
        self.send_raw("<iq type='%s' to='%s' id='%s'>%s</iq>" % (
            typ, self.args.service, iid, payload))
        try:
            res = await asyncio.wait_for(fut, self.args.timeout)
        except asyncio.TimeoutError:
            self.pending.pop(iid, None)
            raise Wrong("no answer in %.0f s" % self.args.timeout)
        if res.get("type") == "error":
            err = res.find(q(NS_CLIENT, "error"))
            text = err.find(q(NS_STANZAS, "text")) if err is not None else None
            text = text.text if text is not None else ""
            if err is not None and err.get("type") == "wait":
                raise Refused(text)
            conds = [c.tag.split("}")[1] for c in err] if err is not None else []
            raise Wrong("error %s: %s" % (",".join(conds), text))
        return res

    @staticmethod
    def command(inner="", node=NODE, action="execute", sid=None):
        attrs = " node='%s' action='%s'" % (node, action)
        if sid:
            attrs += " sessionid='%s'" % sid
        return "<command xmlns='%s'%s>%s</command>" % (NS_CMD, attrs, inner)

    @staticmethod
    def io(inner):
        return "<iodata xmlns='%s' type='input'><in>%s</in></iodata>" % (NS_IO,
                                                                        inner)

    async def finish(self, res, node=NODE):
        """Follows an answer to its end: executing -> getStatus, the push,
        getOutput.  Returns the completed answer."""
        cmd = res.find(q(NS_CMD, "command"))
        if cmd is None:
            raise Wrong("no <command> in the answer")
        if cmd.get("status") == "completed":
            return res
        sid = cmd.get("sessionid")
        if cmd.get("status") != "executing" or not sid:
            raise Wrong("status %s" % cmd.get("status"))
        try:
            return await self.follow(sid, node)
        except Wrong as e:
            e.sid, e.node = sid, node
            raise

    async def follow(self, sid, node):
        """getStatus, the push, getOutput of session sid."""
        await self.rpc(self.command(
            "<iodata xmlns='%s' type='getStatus'/>" % NS_IO, node, sid=sid))
        fut = self.pushed.get(sid)
        if fut is None:
            fut = self.pushed[sid] = asyncio.get_event_loop().create_future()
        try:
            await asyncio.wait_for(fut, self.args.timeout)
        except asyncio.TimeoutError:
            raise Wrong("no result pushed for session %s" % sid)
        finally:
            self.pushed.pop(sid, None)
        out = await self.rpc(self.command(
            "<iodata xmlns='%s' type='getOutput'/>" % NS_IO, node, sid=sid))
        c = out.find(q(NS_CMD, "command"))
        if c is None or c.get("status") != "completed":
            raise Wrong("getOutput: not completed")
        return out

    async def settle(self, sid, node, limit):
        """What becomes of a session left open by a loss: asks getOutput
        until a clear end, for at most limit seconds.  Returns 'answer'
        (the finished answer), 'lost' (a clear error: its instance
        stopped; told so however late the ask, even after the dead
        instance's rows were pruned), 'gone' (bad-sessionid: see below),
        'form' (a form still waiting: the session is whole) or
        'unclear: ...'."""
        end = time.monotonic() + limit
        last = "no answer"
        while time.monotonic() < end:
            try:
                res = await self.rpc(self.command(
                    "<iodata xmlns='%s' type='getOutput'/>" % NS_IO, node,
                    sid=sid))
            except Refused as e:
                last = "refused: %s" % e
            except Wrong as e:
                last = str(e)
                if "stopped before it finished" in last:
                    return "lost"
                # Still possible, and a clear end for the requester (told
                # to start again): a getOutput that reached the killed
                # instance took the finished answer out of the store, and
                # the instance died before its reply went out.  Counted
                # apart; a tombstone for handed-out answers would close it.
                if "bad-sessionid" in last:
                    return "gone"
                if "no answer" not in last:
                    return "unclear: " + last
            else:
                c = res.find(q(NS_CMD, "command"))
                # IO Data's <status> holds its state as a child element.
                st = [(e.text or "").strip() for e in res.iter()
                      if e.tag.endswith("}state")]
                if c is not None and c.get("status") == "completed":
                    return "answer"
                if "awaiting-form" in st:
                    return "form"
                last = "status %r" % st
            await asyncio.sleep(0.5)
        return "unclear: " + last

    @staticmethod
    def clouds(res):
        names = [e.text.strip() for e in res.iter(q(NS_CSP, "cloudName"))]
        if not names:
            names = [v.text for v in res.iter(q(NS_DATA, "value"))
                     if v.text and v.text.startswith("cloud")]
        return names

    async def flow_paper(self):
        res = await self.finish(await self.rpc(self.command(self.io(
            self.args.paper_xml))))
        if sorted(self.clouds(res)) != ["cloud2", "cloud5"]:
            raise Wrong("paper: %r" % self.clouds(res))

    async def flow_form(self):
        res = await self.rpc(self.command())
        cmd = res.find(q(NS_CMD, "command"))
        x = cmd.find(q(NS_DATA, "x")) if cmd is not None else None
        if x is None or not cmd.get("sessionid"):
            raise Wrong("no form")
        sid = cmd.get("sessionid")
        values = {}
        for f in x.findall(q(NS_DATA, "field")):
            var = f.get("var")
            if var not in FORM:
                continue
            opts = {o.get("label", "").lower(): o.find(q(NS_DATA, "value")).text
                    for o in f.findall(q(NS_DATA, "option"))}
            values[var] = opts.get(FORM[var].lower(), FORM[var])
        sub = "".join("<field var='%s'><value>%s</value></field>" % kv
                      for kv in values.items())
        try:
            res = await self.finish(await self.rpc(self.command(
                "<x xmlns='%s' type='submit'>%s</x>" % (NS_DATA, sub),
                action="complete", sid=sid)))
        except Wrong as e:
            if e.sid is None:
                e.sid, e.node = sid, NODE
            raise
        if sorted(self.clouds(res)) != ["cloud2", "cloud5"]:
            raise Wrong("form: %r" % self.clouds(res))

    async def flow_explain(self):
        node = "explain_constraints"
        res = await self.finish(await self.rpc(self.command(self.io(
            self.args.paper_xml), node)), node)
        ex = [e for e in res.iter() if e.tag.endswith("}explanation")]
        if not ex or ex[0].get("matching") != "2":
            raise Wrong("explain: %r" % [e.attrib for e in ex])

    async def flow_rsm(self):
        st = "<set xmlns='%s'><max>3</max><after>cloud3</after></set>" % NS_RSM
        res = await self.finish(await self.rpc(self.command(self.io(
            BROAD + st))))
        if self.clouds(res) != ALL[3:6]:
            raise Wrong("rsm: %r" % self.clouds(res))

    async def subs_cmd(self, inner, node):
        """One of the three: answered at once, or past the async
        threshold like any command (executing, getStatus, getOutput)."""
        return await self.finish(await self.rpc(self.command(inner, node)),
                                 node)

    async def flow_subs(self):
        res = await self.subs_cmd(self.io(SUBS), "subscribe_matches")
        el = res.find(".//" + q(NS_M, "subscribed"))
        if el is None:
            raise Wrong("subscribe: no <subscribed>")
        sub = el.get("subscription")
        res = await self.subs_cmd("", "list_subscriptions")
        ids = [e.get("id") for e in res.iter(q(NS_M, "subscription"))]
        if sub not in ids:
            raise Wrong("list: %s not in %r" % (sub, ids))
        res = await self.subs_cmd(self.io(
            "<unsubscribe xmlns='%s' subscription='%s'/>" % (NS_M, sub)),
            "unsubscribe_matches")
        el = res.find(".//" + q(NS_M, "unsubscribed"))
        if el is None or el.get("count") != "1":
            raise Wrong("unsubscribe: not one ended")


FLOWS = ("paper", "form", "explain", "rsm", "subs")


async def run_flows(acct, rounds, stats, deadline):
    for _ in range(rounds):
        for name in FLOWS:
            while True:
                if time.monotonic() > deadline:
                    stats["lost"] += 1
                    print("LOST %s %s: out of time" % (acct.boundjid, name))
                    break
                acct.stanzas = 0
                try:
                    await getattr(acct, "flow_" + name)()
                    stats["ok"] += 1
                    break
                except Refused:
                    stats["refused"] += 1
                    await asyncio.sleep(0.2)
                except Wrong as e:
                    # No answer, or a session the other instance held.
                    # A session whose instance was killed while running
                    # its query ends with a clear error: a loss, told.
                    told = "stopped before it finished" in str(e)
                    kind = "lost" if "no answer" in str(e) or told or \
                        "no result pushed" in str(e) or \
                        "bad-sessionid" in str(e) else "wrong"
                    if told:
                        stats["told"] += 1
                    stats[kind] += 1
                    print("%s %s %s: %s" % (kind.upper(), acct.boundjid, name, e),
                          flush=True)
                    if kind == "lost" and e.sid and not told and \
                            acct.args.settle:
                        stats["orphans"].append((acct, e.sid, e.node))
                    if kind == "lost" and "no answer" in str(e):
                        # No instance may have seen it (the test checks
                        # their logs): with sessions in the store, that
                        # holds for every stanza of a flow, not only its
                        # first.
                        if acct.stanzas == 1:
                            stats["lost_first"] += 1
                        print("LOSTID %s %s" % (acct.boundjid, acct.last_id),
                              flush=True)
                    if not acct.args.retry_lost:
                        break
            stats["flows"] += 1


async def bench(accts, args):
    paper = Account.command(Account.io(args.paper_xml))
    left = [args.count]
    done = [0]

    async def lane(acct):
        while left[0] > 0:
            left[0] -= 1
            res = await acct.finish(await acct.rpc(paper))
            if sorted(acct.clouds(res)) != ["cloud2", "cloud5"]:
                raise Wrong("bench answer: %r" % acct.clouds(res))
            done[0] += 1
    # Warm-up, not counted.
    for a in accts:
        await a.rpc(paper)
    t0 = time.monotonic()
    await asyncio.gather(*[lane(accts[i % len(accts)])
                           for i in range(args.inflight)])
    dt = time.monotonic() - t0
    print("BENCH commands=%d seconds=%.2f rate=%.0f" % (done[0], dt,
                                                      done[0] / dt), flush=True)


def in_store(args):
    """Whether the store lists cloud10 now, as icx says (for a failure's
    line)."""
    r = subprocess.run([args.icx, "--store", args.store, "list"],
                       env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"),
                       capture_output=True, text=True, timeout=60)
    return "cloud10" in r.stdout if r.returncode == 0 else r.stderr.strip()


async def notify(accts, args):
    """--notify N: the first account subscribes (at whichever instance),
    then a shell toggles cloud10 N times with icx load and icx remove (a
    change every instance reads from the store's change log, and each
    could tell): each change must be told exactly once.  The second
    account (give it another resource of the same account) lists it, and
    the first ends it (each at whichever instance)."""
    a, b = accts[0], accts[-1]
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
    res = await a.subs_cmd(a.io(SUBS), "subscribe_matches")
    sub = res.find(".//" + q(NS_M, "subscribed")).get("subscription")
    start = sorted(a.clouds(res))
    inside = "cloud10" in start
    wrong = 0
    for i in range(args.notify):
        verb = "remove" if inside else "load"
        r = subprocess.run([args.icx, "--store", args.store, verb, args.doc],
                           env=env, capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            print("WRONG icx %s: %s" % (verb, r.stderr.strip()), flush=True)
            return 1
        inside = not inside
        want = (["cloud10"], []) if inside else ([], ["cloud10"])
        end = time.monotonic() + args.timeout
        while time.monotonic() < end:
            mine = [n for n in a.notes if n[0] == sub]
            if len(mine) > i:
                break
            a.note_event.clear()
            try:
                await asyncio.wait_for(a.note_event.wait(), 0.5)
            except asyncio.TimeoutError:
                pass
        mine = [n for n in a.notes if n[0] == sub]
        if len(mine) <= i:
            # Never told: every later change would wait its whole
            # timeout behind it, so the run stops here, said.
            wrong += 1
            print("WRONG change %d (%s; cloud10 in the store: %s): not told "
                  "in %g s; told before it: %r" % (i + 1, verb, in_store(args),
                                          args.timeout, mine[-3:]),
                  flush=True)
            break
        if (mine[i][1], mine[i][2]) != want:
            wrong += 1
            print("WRONG change %d (%s): told %r" % (i + 1, verb, mine[i:]),
                  flush=True)
    # Late repeats: any would come within a few checks of the store.
    await asyncio.sleep(3)
    mine = [n for n in a.notes if n[0] == sub]
    print("NOTIFY changes=%d told=%d wrong=%d" % (args.notify, len(mine), wrong),
          flush=True)
    res = await b.subs_cmd("", "list_subscriptions")
    listed = [e.get("id") for e in res.iter(q(NS_M, "subscription"))]
    res = await a.subs_cmd(a.io(
        "<unsubscribe xmlns='%s' subscription='%s'/>" % (NS_M, sub)),
        "unsubscribe_matches")
    el = res.find(".//" + q(NS_M, "unsubscribed"))
    ended = el is not None and el.get("count") == "1"
    print("NOTIFY-END listed=%d ended=%d" % (sub in listed, ended), flush=True)
    return 0 if not wrong and len(mine) == args.notify and ended and \
        sub in listed else 1


async def amain(args):
    loop = asyncio.get_event_loop()
    accts = []
    for jid in args.jid:
        fut = loop.create_future()
        a = Account(args, jid, fut)
        a.connect(address=(args.host, args.port))
        accts.append((a, fut))
    for a, fut in accts:
        await asyncio.wait_for(fut, 60)
    accts = [a for a, _ in accts]
    if args.notify:
        rc = await notify(accts, args)
    elif args.bench:
        await bench(accts, args)
        rc = 0
    else:
        stats = dict(flows=0, ok=0, refused=0, lost=0, lost_first=0, wrong=0,
                     told=0, orphans=[])
        deadline = time.monotonic() + args.time_limit
        if args.go_file:
            open(args.go_file, "w").close()
        await asyncio.gather(*[run_flows(a, args.rounds, stats, deadline)
                               for a in accts])
        print("SUMMARY flows=%(flows)d ok=%(ok)d refused=%(refused)d "
              "lost=%(lost)d lost_first=%(lost_first)d wrong=%(wrong)d "
              "told=%(told)d" % stats, flush=True)
        rc = 0 if stats["ok"] == stats["flows"] else 1
        if args.settle:
            # Every session a loss left open ends clearly.
            ends = await asyncio.gather(*[a.settle(sid, node, args.settle)
                                          for a, sid, node in stats["orphans"]])
            count = {}
            for (a, sid, node), end in zip(stats["orphans"], ends):
                key = end.split(":")[0]
                count[key] = count.get(key, 0) + 1
                print("SETTLED %s %s %s: %s" % (a.boundjid, node, sid, end),
                      flush=True)
            print("ORPHANS sessions=%d answer=%d lost=%d gone=%d form=%d "
                  "unclear=%d"
                  % (len(ends), count.get("answer", 0), count.get("lost", 0),
                     count.get("gone", 0), count.get("form", 0),
                     count.get("unclear", 0)),
                  flush=True)
            if count.get("unclear", 0):
                rc = 1
    for a in accts:
        a.disconnect()
    await asyncio.sleep(0.2)
    return rc


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--service", required=True)
    p.add_argument("--jid", action="append", required=True)
    p.add_argument("--paper", required=True)
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--timeout", type=float, default=15.0)
    p.add_argument("--time-limit", type=float, default=240.0)
    p.add_argument("--retry-lost", action="store_true",
                   help="start a lost flow again (after a SIGKILL)")
    p.add_argument("--settle", type=float, default=0,
                   help="then ask every session a loss left open for its "
                   "end, for at most this many seconds (shared sessions)")
    p.add_argument("--go-file", help="created once every account is online")
    p.add_argument("--id-prefix", default="s",
                   help="of every IQ id: one per run keeps runs apart in logs")
    p.add_argument("--notify", type=int, default=0,
                   help="toggle cloud10 this many times from a shell and "
                   "check that each change is told once")
    p.add_argument("--icx", help="the icx program (--notify)")
    p.add_argument("--store", help="the store (--notify)")
    p.add_argument("--doc", help="cloud10's document (--notify)")
    p.add_argument("--bench", action="store_true")
    p.add_argument("--count", type=int, default=2000)
    p.add_argument("--inflight", type=int, default=20)
    args = p.parse_args()
    with open(args.paper) as f:
        text = f.read()
    # The <constraints> element of the paper's file, as the request's <in>.
    start = text.index("<constraints")
    end = text.index("</constraints>") + len("</constraints>")
    args.paper_xml = text[start:end]
    logging.basicConfig(level=logging.ERROR)
    return asyncio.run(amain(args))


if __name__ == "__main__":
    sys.exit(main())
