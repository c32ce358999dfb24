#!/usr/bin/python3
"""icxd_ops.py - scenarios of icxd's operations for the integration tests:
fair per-account limits under a flood of forms, refused payloads, limits
changed by a reload.  Builds on icxd_client.py's client (same options);
each scenario prints "ok - ..." or "not ok - ..." lines, and the exit
status is 0 only if every check passed.  Every wait is bounded.
"""

import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import icxd_client as base  # noqa: E402
from icxd_client import (NS_CLIENT, NS_CMD, NS_CSP, NS_IO,  # noqa: E402
                         NS_RSM, NS_STANZAS, q)

ALL = ["cloud%d" % i for i in range(1, 9)]
BROAD = ("<constraints xmlns='%s'><constraint op='exists'><attribute>"
         "replicationFactor</attribute></constraint></constraints>" % NS_CSP)

FLOOD = int(os.environ.get("ICXT_FLOOD", "1100"))


def error_text(res):
    err = res.find(q(NS_CLIENT, "error")) if res is not None else None
    t = err.find(q(NS_STANZAS, "text")) if err is not None else None
    return (t.text or "") if t is not None else ""


class OpsClient(base.Client):
    async def open_forms(self, n, prefix):
        """Asks for n forms at once (each opens a session); returns the
        answers (None for an IQ not answered within the wait)."""
        ids = [self.new_id(prefix) for _ in range(n)]
        futs = []
        loop = asyncio.get_event_loop()
        for iid in ids:
            fut = loop.create_future()
            self.pending[iid] = fut
            futs.append(fut)
            self.send_raw(self.iq("set", self.command(), iid))
        done = []
        for fut in futs:
            try:
                done.append(await asyncio.wait_for(fut, base.WAIT * 4))
            except asyncio.TimeoutError:
                done.append(None)
        return done

    async def sc_flood(self):
        """One account asks for FLOOD forms and leaves them open."""
        answers = await self.open_forms(FLOOD, "flood")
        opened = sum(1 for r in answers
                     if r is not None and r.get("type") == "result")
        refused = [r for r in answers if self.error_of(r)[0] ==
                   "resource-constraint"]
        lost = sum(1 for r in answers if r is None)
        print("FLOOD opened=%d refused=%d unanswered=%d" % (
            opened, len(refused), lost), flush=True)
        self.ok.check(lost == 0, "every one of %d requests is answered" % FLOOD)
        texts = set(error_text(r) for r in refused)
        print("FLOOD refusals: %s" % " | ".join(sorted(texts)), flush=True)

    async def sc_flood_fair(self):
        """The flood of the fair service: the account is stopped at its own
        limit, and the refusal says which limit."""
        answers = await self.open_forms(FLOOD, "flood")
        opened = sum(1 for r in answers
                     if r is not None and r.get("type") == "result")
        refused = [r for r in answers if self.error_of(r)[0] ==
                   "resource-constraint"]
        limit = int(self.args.session or "32")
        self.ok.check(opened == limit and len(refused) == FLOOD - limit,
                      "the flooding account gets %d sessions and %d refusals"
                      % (limit, FLOOD - limit),
                      "opened %d, refused %d" % (opened, len(refused)))
        err = refused[0].find(q(NS_CLIENT, "error")) if refused else None
        self.ok.check(err is not None and err.get("type") == "wait" and
                      "max_sessions_per_jid" in error_text(refused[0]) and
                      ("at most %d per account" % limit) in
                      error_text(refused[0]),
                      "the refusal names the per-account session limit",
                      error_text(refused[0]) if refused else "none refused")

    async def sc_forms(self):
        """Opens session limit + 1 forms one after the other: the last
        one is refused naming the per-account limit."""
        limit = int(self.args.session or "2")
        answers = []
        for _ in range(limit + 1):
            iid = self.new_id("form")
            answers.append(await self.rpc(self.iq("set", self.command(), iid),
                                          iid))
        ok = all(r is not None and r.get("type") == "result"
                 for r in answers[:limit])
        last = answers[-1]
        self.ok.check(ok and self.error_of(last)[0] == "resource-constraint"
                      and ("at most %d per account" % limit) in
                      error_text(last),
                      "with a per-account limit of %d, form %d is refused"
                      % (limit, limit + 1), error_text(last))
        # Cancel what was opened: the account's sessions count across all
        # its resources, and later scenarios use the same account.
        for r in answers[:limit]:
            cmd = r.find(q(NS_CMD, "command")) if r is not None else None
            if cmd is None:
                continue
            iid = self.new_id("cancel")
            res = await self.rpc(self.iq("set", self.command(
                action="cancel", sid=cmd.get("sessionid")), iid), iid)
            self.ok.check(res is not None and res.get("type") == "result",
                          "an open form is canceled")

    async def sc_payloads(self):
        """Two IO Data payloads, or IO Data in an unknown namespace: both
        bad-payload (bad-request, type modify), nothing dropped or
        guessed."""
        inp = self.io_input(self.constraints([("replicas", "5")]))
        cases = [
            ("two IO Data payloads", inp + inp, "more than one <iodata>"),
            ("IO Data in an unknown namespace",
             inp.replace(NS_IO, "urn:xmpp:io-data:99"),
             "urn:xmpp:io-data:99"),
            ("IO Data in the right and in a wrong namespace",
             inp + inp.replace(NS_IO, "urn:other"), "urn:other"),
        ]
        for what, payload, mention in cases:
            iid = self.new_id("payload")
            res = await self.rpc(self.iq("set", self.command(payload), iid),
                                 iid, "Refused: %s" % what)
            err = res.find(q(NS_CLIENT, "error")) if res is not None else None
            self.ok.check(self.error_of(res) == ("bad-request", "bad-payload")
                          and err.get("type") == "modify" and
                          mention in error_text(res),
                          "%s: bad-payload" % what,
                          base.serialize(res) if res is not None
                          else "no answer")


def page_of(res):
    """(clouds in answer order, first index, first, last, count) of a
    match answer, or None."""
    if res is None or res.get("type") != "result":
        return None
    mc = res.find(".//" + q(NS_CSP, "matchingClouds"))
    if mc is None:
        return None
    clouds = [e.text.strip() for e in mc.findall(q(NS_CSP, "cloudName"))]
    st = mc.find(q(NS_RSM, "set"))
    if st is None:
        return (clouds, None, None, None, None)
    f, l, c = (st.find(q(NS_RSM, n)) for n in ("first", "last", "count"))
    return (clouds, f.get("index") if f is not None else None,
            f.text if f is not None else None,
            l.text if l is not None else None,
            int(c.text) if c is not None else None)


def rsm_set(**kw):
    body = ""
    for k in ("max", "index", "after", "before"):
        if k in kw:
            v = kw[k]
            body += "<%s/>" % k if v == "" else "<%s>%s</%s>" % (k, v, k)
    return "<set xmlns='%s'>%s</set>" % (NS_RSM, body)


async def rsm_ask(self, title, set_xml=""):
    iid = self.new_id("rsm")
    return await self.rpc(self.iq("set", self.command(self.io_input(
        BROAD + set_xml)), iid), iid, title)


async def sc_rsm(self):
    """Pages of a broad answer (all eight clouds), in ranked order."""
    cases = [
        ("No <set>: every cloud, and the count", "", ALL, "0", 8),
        ("The first page of three", rsm_set(max=3), ALL[0:3], "0", 8),
        ("The page after cloud3", rsm_set(max=3, after="cloud3"), ALL[3:6],
         "3", 8),
        ("The last page", rsm_set(max=3, before=""), ALL[5:8], "5", 8),
        ("The page before cloud4", rsm_set(max=2, before="cloud4"),
         ALL[1:3], "1", 8),
        ("From index 6", rsm_set(max=5, index=6), ALL[6:8], "6", 8),
        ("Only the count", rsm_set(max=0), [], None, 8),
    ]
    for title, st, want, index, count in cases:
        res = await rsm_ask(self, "Paging: " + title.lower(), st)
        got = page_of(res)
        self.ok.check(got is not None and got[0] == want and got[1] == index
                      and got[4] == count and
                      (not want or (got[2] == want[0] and
                                    got[3] == want[-1])),
                      "RSM: %s" % title, repr(got))
    res = await rsm_ask(self, "Paging after a cloud not in the answer",
                        rsm_set(max=3, after="cloud99"))
    cmd = res.find(q(NS_CMD, "command")) if res is not None else None
    note = cmd.find(q(NS_CMD, "note")) if cmd is not None else None
    self.ok.check(note is not None and note.get("type") == "error" and
                  "cloud99" in (note.text or ""),
                  "RSM: after a cloud not in the answer is an error note")
    iid = self.new_id("rsm")
    res = await self.rpc(self.iq("set", self.command(self.io_input(
        BROAD + rsm_set(max="many"))), iid), iid)
    self.ok.check(self.error_of(res) == ("bad-request", "bad-payload"),
                  "RSM: a <max> that is not a number is bad-payload")


async def sc_rsm_default(self):
    """Without a <set>, the configured default maximum cuts the page, and
    the count still gives the whole."""
    limit = int(self.args.session or "5")
    got = page_of(await rsm_ask(self, "Paging by default"))
    self.ok.check(got is not None and got[0] == ALL[:limit] and
                  got[4] == len(ALL),
                  "without a <set>, %d of %d clouds and the count"
                  % (limit, len(ALL)), repr(got))


async def sc_queue(self):
    """Sends limit + 1 slow queries at once: the last is refused naming
    the per-account queue limit, the others are answered."""
    limit = int(self.args.session or "2")
    loop = asyncio.get_event_loop()
    futs = []
    for _ in range(limit + 1):
        iid = self.new_id("queue")
        fut = loop.create_future()
        self.pending[iid] = fut
        futs.append(fut)
        self.send_raw(self.iq("set", self.command(self.io_input(
            self.constraints([("replicas", "5")]))), iid))
    answers = []
    for fut in futs:
        try:
            answers.append(await asyncio.wait_for(fut, base.WAIT * 2))
        except asyncio.TimeoutError:
            answers.append(None)
    done = [r for r in answers if r is not None and r.get("type") == "result"]
    refused = [r for r in answers
               if self.error_of(r)[0] == "resource-constraint"]
    self.ok.check(len(done) == limit and len(refused) == 1 and
                  ("at most %d per account" % limit) in error_text(refused[0])
                  and "max_queue_per_jid" in error_text(refused[0]),
                  "query %d of one account at once is refused naming "
                  "max_queue_per_jid" % (limit + 1),
                  "%d answered, refusals: %s" % (
                      len(done), [error_text(r) for r in refused]))


OpsClient.sc_queue = sc_queue
OpsClient.sc_rsm = sc_rsm
OpsClient.sc_rsm_default = sc_rsm_default


def main():
    base.Client = OpsClient
    return base.main()


if __name__ == "__main__":
    sys.exit(main())
