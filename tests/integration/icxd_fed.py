#!/usr/bin/python3
"""icxd_fed.py - a requester (slixmpp) asking an exchange of a federation.

Sends the paper's request (data/constraints/paper.xml) to --service, with
scope='federation' on its <constraints> unless --scope local, and checks
the answer: the clouds in ranked order with the exchange each is tagged
with (--want "cloud2@icx.a.net cloud5@icx.b.net"; a name without @ wants
no exchange= attribute), the warning note naming the peers in --warn (or
no warning when --warn is empty), and the answer within --within seconds
(with --repeat N: N requests one after the other, each answer checked).
Prints "ok - ..." / "not ok - ..." lines; exits 0 only if every check
passed.  With --items "JID...", it asks disco#items of --service instead
and checks that the items are those exchanges (a root's directory).  With
--explain CLOUD it sends explain_constraints instead, naming CLOUD, and
checks the merged explanation: the count (--matching), the exchange that
explains CLOUD (--held-by) and one <exchange> per exchange (--exchanges).  With
--transcript FILE, the request and the answer are written to FILE (they
feed doc/protocol.md).  With --bench N and one --target
"TITLE|SERVICE|SCOPE|WANT" per kind of request, it sends N rounds of one
request of each kind in turn (so that a change of the machine's load
falls on every kind alike), checks every answer's clouds against WANT,
and prints each kind's median, min and max.
"""

import argparse
import asyncio
import os
import sys
import time

import slixmpp
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from icxd_client import (Checker, serialize, q, NS_CLIENT, NS_CMD,  # noqa: E402
                         NS_CSP, NS_ITEMS)


class Requester(slixmpp.ClientXMPP):
    def __init__(self, args):
        super().__init__(args.jid, args.password)
        self.args = args
        self.ok = Checker()
        self.ca_certs = args.ca
        self.answer = None
        self.warned = False
        self.want_id = "fed1"
        self.done = asyncio.Event()
        self.register_handler(Callback("fed iq", MatchXPath(q(NS_CLIENT, "iq")),
                                       self.on_iq))
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("failed_auth", self.on_failed)

    def on_failed(self, _event):
        self.ok.check(False, "authentication")
        self.done.set()

    def on_iq(self, iq):
        if iq.xml.get("id") == self.want_id:
            self.answer = iq.xml
            self.done.set()

    def request(self, service=None, scope=None):
        service = service or self.args.service
        scope = scope or self.args.scope
        with open(self.args.paper) as f:
            text = f.read()
        text = text.replace("to='service.intercloudexchg.com'",
                            "to='%s'" % service)
        text = text.replace("id='cloud1_id1'", "id='fed1'")
        text = text.replace("from='user@cloud1.org'", "")
        if self.args.explain:
            text = text.replace("node='constraint_catalog_resources'",
                                "node='explain_constraints'")
            text = text.replace("</constraints>",
                                "</constraints><cloudName xmlns='%s'>%s"
                                "</cloudName>" % (NS_CSP, self.args.explain))
        if scope != "none":
            text = text.replace(
                "<constraints xmlns='http://www.csp/resOntology'>",
                "<constraints xmlns='http://www.csp/resOntology' scope='%s'>"
                % scope)
        return text

    @staticmethod
    def clouds(res):
        got = []
        for e in res.iter(q(NS_CSP, "cloudName")):
            ex = e.get("exchange")
            got.append(e.text.strip() + ("@" + ex if ex else ""))
        return got

    async def bench(self):
        kinds = []
        for t in self.args.target:
            title, service, scope, want = t.split("|")
            kinds.append((title, self.request(service, scope), want.split(),
                          []))
        wrong = 0
        for i in range(self.args.bench):
            for k, (title, text, want, times) in enumerate(kinds):
                self.want_id = "b%d-%d" % (i, k)
                self.answer = None
                self.done.clear()
                t0 = time.monotonic()
                self.send_raw(text.replace("id='fed1'",
                                           "id='%s'" % self.want_id))
                try:
                    await asyncio.wait_for(self.done.wait(), self.args.timeout)
                except asyncio.TimeoutError:
                    wrong += 1
                    continue
                times.append(time.monotonic() - t0)
                if self.clouds(self.answer) != want:
                    wrong += 1
        self.ok.check(wrong == 0, "every answer of the benchmark was right",
                      "%d wrong or missing" % wrong)
        for title, _text, _want, times in kinds:
            times.sort()
            if times:
                print("# %s: median %.2f ms, min %.2f ms, max %.2f ms over %d "
                      "requests" % (title, 1000 * times[len(times) // 2],
                                    1000 * times[0], 1000 * times[-1],
                                    len(times)), flush=True)
        self.disconnect()

    async def on_start(self, _event):
        if self.args.bench:
            await self.bench()
            return
        if self.args.items is not None:
            await self.disco_items()
            return
        text = self.request()
        times = []
        warned = 0
        for i in range(max(1, self.args.repeat)):
            self.want_id = "fed%d" % (i + 1)
            self.answer = None
            self.done.clear()
            t0 = time.monotonic()
            self.send_raw(text.replace("id='fed1'", "id='%s'" % self.want_id))
            try:
                await asyncio.wait_for(self.done.wait(), self.args.timeout)
            except asyncio.TimeoutError:
                self.check(self.args.timeout)   # fails: no answer came
                break
            times.append(time.monotonic() - t0)
            self.check(times[-1])   # every answer, one after the other
            warned += self.warned
        if self.args.repeat > 1 and times:
            print("# %d answers, %d of them with a warning" % (len(times),
                                                             warned),
                  flush=True)
            times.sort()
            print("# %s: median %.2f ms, min %.2f ms, max %.2f ms over %d "
                  "requests" % (self.args.title, 1000 * times[len(times) // 2],
                                1000 * times[0], 1000 * times[-1], len(times)),
                  flush=True)
        if self.args.transcript and self.answer is not None:
            with open(self.args.transcript, "a") as f:
                f.write("\n### %s\n\n```xml\n%s\n```\n```xml\n%s\n```\n" % (
                    self.args.title, text.strip(), serialize(self.answer)))
        self.disconnect()

    async def disco_items(self):
        text = ("<iq type='get' to='%s' id='fed1'><query xmlns='%s'/></iq>"
                % (self.args.service, NS_ITEMS))
        self.send_raw(text)
        try:
            await asyncio.wait_for(self.done.wait(), self.args.timeout)
        except asyncio.TimeoutError:
            pass
        res = self.answer
        got = sorted(i.get("jid") for i in res.iter(q(NS_ITEMS, "item"))) \
            if res is not None and res.get("type") == "result" else None
        want = sorted(self.args.items.split())
        self.ok.check(got == want, "disco#items lists %s" % (" ".join(want) or
                                                            "nothing"),
                      "got %s" % (serialize(res) if res is not None else
                                  "no answer"))
        if self.args.transcript and res is not None:
            with open(self.args.transcript, "a") as f:
                f.write("\n### %s\n\n```xml\n%s\n```\n```xml\n%s\n```\n" % (
                    self.args.title, text, serialize(res)))
        self.disconnect()

    def check_explain(self, res):
        a = self.args
        ex = res.find(".//" + q(NS_CSP, "explanation"))
        self.ok.check(ex is not None, "an explanation", serialize(res))
        if ex is None:
            return
        self.ok.check(ex.get("matching") == a.matching,
                      "%s clouds match in all" % a.matching,
                      "matching=%r" % ex.get("matching"))
        cl = [c for c in ex.findall(q(NS_CSP, "cloud"))
              if c.get("name") == a.explain]
        self.ok.check(len(cl) == 1 and cl[0].get("known") == "true" and
                      cl[0].get("exchange") == a.held_by,
                      "%s explained by %s" % (a.explain, a.held_by),
                      serialize(ex))
        got = sorted(e.get("jid") for e in ex.findall(q(NS_CSP, "exchange")))
        self.ok.check(got == sorted(a.exchanges.split()),
                      "a count per exchange", "got %s" % got)

    def check(self, elapsed):
        res, a = self.answer, self.args
        self.warned = False
        if a.explain and res is not None:
            self.ok.check(res.get("type") == "result", "answered",
                          serialize(res))
            self.check_explain(res)
            return
        self.ok.check(res is not None, "an answer came")
        if res is None:
            return
        cmd = res.find(q(NS_CMD, "command"))
        self.ok.check(res.get("type") == "result" and cmd is not None and
                      cmd.get("status") == "completed", "the command completed",
                      serialize(res))
        if cmd is None:
            return
        got = self.clouds(res)
        want = a.want.split()
        self.ok.check(got == want, "clouds %s" % " ".join(want) if want else
                      "no cloud", "got %s" % " ".join(got))
        warns = [n.text or "" for n in cmd.findall(q(NS_CMD, "note"))
                 if n.get("type") == "warn"]
        self.warned = bool(warns)
        if a.warn:
            names = a.warn.split()
            self.ok.check(len(warns) == 1 and all(n in warns[0] for n in names),
                          "a warning names %s" % " ".join(names),
                          "notes: %r" % warns)
            for why in a.warn_why.split("|") if a.warn_why else []:
                self.ok.check(len(warns) == 1 and why in warns[0],
                              "the warning says %r" % why, "notes: %r" % warns)
        else:
            self.ok.check(not warns, "no warning", "notes: %r" % warns)
        self.ok.check(elapsed <= a.within, "answered within %.1f s" % a.within,
                      "took %.2f s" % elapsed)
        print("# answered in %.1f ms" % (elapsed * 1000), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jid", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ca")
    ap.add_argument("--service", required=True)
    ap.add_argument("--paper", default="data/constraints/paper.xml")
    ap.add_argument("--scope", default="federation",
                    choices=("federation", "local", "none"))
    ap.add_argument("--want", default="")
    ap.add_argument("--warn", default="")
    ap.add_argument("--warn-why", default="")
    ap.add_argument("--within", type=float, default=30)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--items")
    ap.add_argument("--explain")
    ap.add_argument("--matching")
    ap.add_argument("--held-by")
    ap.add_argument("--exchanges", default="")
    ap.add_argument("--repeat", type=int, default=1,
                    help="send the request this many times, one after the "
                    "other, check every answer, and print how many had a "
                    "warning and the median time")
    ap.add_argument("--bench", type=int, default=0,
                    help="rounds of one request per --target, timed")
    ap.add_argument("--target", action="append", default=[],
                    help="TITLE|SERVICE|SCOPE|WANT, with --bench")
    ap.add_argument("--transcript")
    ap.add_argument("--title", default="A federated request")
    args = ap.parse_args()
    xmpp = Requester(args)
    xmpp.connect(address=(args.host, args.port))
    xmpp.loop.call_later(args.timeout * max(1, args.repeat) + 30,
                         xmpp.disconnect)
    xmpp.process(forever=False)
    print("# %d checks, %d failed" % (xmpp.ok.count, xmpp.ok.failures))
    sys.exit(1 if xmpp.ok.failures or not xmpp.ok.count else 0)


if __name__ == "__main__":
    main()
