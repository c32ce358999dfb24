#!/usr/bin/python3
"""icxd_presence.py - clients for tests/integration/icxd-presence.test:
presence-aware matching (doc/protocol.md, "Presence").

Two roles:
  --role clouds   two cloud accounts (--jid and --jid2, one password) that
                  publish a document each (with --publish), print READY,
                  then read lines "N STATE" from stdin (N 1 or 2; STATE an
                  XMPP show value, available, unavailable, or quit) and
                  show that presence, printing "DONE N STATE" for each;
  --role asker    one account that runs checks (--scenario) and exits.

A check that waits for presence to travel polls a bounded number of times
(every 0.3 s for at most --settle seconds): presence reaches icxd
asynchronously, and a check asks "does it get there", not "how fast".
"""

import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import icxd_client  # noqa: E402
import icxd_publish  # noqa: E402
from icxd_client import NS_CMD, NS_CSP, NS_IO, NS_XS, q, serialize  # noqa: E402

NS_RSM = "http://jabber.org/protocol/rsm"

NODE_LIST = "list_presence"
NODE_EXPLAIN = "explain_constraints"


class Cloud(icxd_publish.Publisher):
    """One cloud account: publishes, then shows what it is told."""

    def __init__(self, args, jid, doc, published):
        args.jid = jid
        super().__init__(args)
        self.doc = doc
        self.published = published

    async def on_start(self, _event):
        try:
            self.send_presence()
            if self.doc is not None:
                iid = self.new_id("pub")
                body, fmt = self.doc
                res = await self.rpc(self.publish_stanza(iid, body, fmt), iid,
                                     "A cloud publishes its document")
                st = self.stored(res, "published")
                self.ok.check(st is not None, "%s published" % self.boundjid.bare,
                              serialize(res)[:600] if res is not None else "no answer")
        except Exception as exc:  # report, never hang
            self.ok.check(False, "publish raised", repr(exc))
        self.published.set_result(self.ok.failures)

    def show(self, state):
        if state == "unavailable":
            self.send_presence(ptype="unavailable")
        elif state == "available":
            self.send_presence()
        else:
            self.send_presence(pshow=state)


async def run_clouds(args):
    loop = asyncio.get_event_loop()
    docs = [(icxd_publish.esc(icxd_publish.CLOUD9_TTL), "turtle"),
            (icxd_publish.esc(CLOUD10_TTL), "turtle")]
    clouds = []
    for jid, doc in ((args.jid, docs[0]), (args.jid2, docs[1])):
        fut = loop.create_future()
        c = Cloud(args, jid, doc if args.publish else None, fut)
        c.connect(address=(args.host, args.port))
        clouds.append((c, fut))
    failures = 0
    for c, fut in clouds:
        failures += await asyncio.wait_for(fut, 60)
    print("READY" if not failures else "FAILED", flush=True)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader),
                                 sys.stdin)
    while True:
        line = (await reader.readline()).decode().strip()
        if not line or line == "quit":
            break
        n, state = line.split()
        clouds[int(n) - 1][0].show(state)
        print("DONE %s" % line, flush=True)
    for c, _ in clouds:
        c.disconnect()
    await asyncio.sleep(0.5)
    return 1 if failures else 0


# cloud10 as Turtle: 31 replicas.
CLOUD10_TTL = """@prefix res: <http://www.csp/resOntology#> .
<http://cloud10.example/ns#cloud> a res:Cloud ; res:cloudName "cloud10" ;
    res:offers <http://cloud10.example/ns#storage> .
<http://cloud10.example/ns#storage> a res:StorageService ;
    res:replicationFactor 31 .
"""


class Asker(icxd_client.Client):
    def request(self, presence=None, required=None, weight=None, jid=None):
        attrs = ""
        for name, value in (("presence", presence), ("presenceRequired", required),
                            ("presenceWeight", weight), ("jid", jid)):
            if value is not None:
                attrs += " %s='%s'" % (name, value)
        return ("<constraints xmlns='%s'%s><constraint><attribute>replicationFactor"
                "</attribute><value>30</value></constraint></constraints>"
                % (NS_CSP, attrs))

    async def ask(self, title=None, rsm=None, **kw):
        """The match command; rsm: the inside of a <set> for the page."""
        iid = self.new_id("q")
        page = "" if rsm is None else "<set xmlns='%s'>%s</set>" % (NS_RSM, rsm)
        return await self.rpc(self.iq("set", self.command(self.io_input(
            self.request(**kw) + page)), iid), iid, title)

    @staticmethod
    def page_set(res):
        """(first index, first, last, count) of an answer's <set>, or None."""
        mc = res.find(".//" + q(NS_CSP, "matchingClouds")) if res is not None else None
        st = mc.find(q(NS_RSM, "set")) if mc is not None else None
        if st is None:
            return None
        first = st.find(q(NS_RSM, "first"))
        return (first.get("index") if first is not None else None,
                st.findtext(q(NS_RSM, "first")), st.findtext(q(NS_RSM, "last")),
                st.findtext(q(NS_RSM, "count")))

    @staticmethod
    def ranked(res):
        """[(name, jid, score)] in the answer's order, or None."""
        if res is None or res.get("type") != "result":
            return None
        return [(e.text.strip(), e.get("jid"), e.get("score"))
                for e in res.iter(q(NS_CSP, "cloudName"))]

    async def settle(self, what, probe, want):
        """Polls probe() until it returns want (bounded); checks it did."""
        got = None
        for _ in range(int(self.args.settle / 0.3) + 1):
            got = await probe()
            if got == want:
                break
            await asyncio.sleep(0.3)
        return self.ok.check(got == want, what, "got %r, want %r" % (got, want))

    def expected(self):
        """--expect 'cloud10,cloud9' in order ('' for none)."""
        return [x for x in (self.args.expect or "").split(",") if x]

    async def sc_require(self):
        """presence=--presence required: exactly --expect, in order, each
        with its JID."""
        want = self.expected()

        async def probe():
            r = self.ranked(await self.ask(presence=self.args.presence))
            return None if r is None else [n for n, _, _ in r]
        if await self.settle("required presence '%s': %s" % (self.args.presence, want),
                             probe, want):
            res = await self.ask("A request that requires presence",
                                 presence=self.args.presence)
            r = self.ranked(res)
            self.ok.check(all(j == JIDS.get(n) for n, j, _ in r),
                          "each cloudName carries its publisher's JID", repr(r))
            await self.validate_answer(res)

    async def sc_prefer(self):
        """The soft form: every cloud stays, ranked by presence first."""
        want = self.expected()

        async def probe():
            r = self.ranked(await self.ask(presence=self.args.presence,
                                           required="false", weight="20"))
            return None if r is None else [n for n, _, _ in r]
        if await self.settle("preferred presence '%s': ranked %s" % (self.args.presence,
                                                                     want),
                             probe, want):
            res = await self.ask("A request that prefers presence",
                                 presence=self.args.presence, required="false",
                                 weight="20")
            r = self.ranked(res)
            self.ok.check(r[0][2] == "20" and all(s is not None for _, _, s in r),
                          "the present cloud scores the weight, all have scores",
                          repr(r))
            await self.validate_answer(res)
            await self.prefer_pages(r)

    async def prefer_pages(self, whole):
        """The ranked answer page by page (<max>1</max>, then <after>, then
        <index>): each page the next cloud of the whole answer, with its
        score, and a <set> that says where it lies; an <after> naming no
        cloud of the answer is an error that names it."""
        kw = dict(presence=self.args.presence, required="false", weight="20")
        got, after = [], None
        for i in range(len(whole) + 1):
            rsm = "<max>1</max>" + ("" if after is None else "<after>%s</after>" % after)
            res = await self.ask(rsm=rsm, **kw)
            r = self.ranked(res) or []
            st = self.page_set(res)
            if not r:
                self.ok.check(st is not None and st[3] == str(len(whole)) and
                              st[1] is None, "past the last page: none, counted",
                              repr(st))
                break
            self.ok.check(len(r) == 1 and st == (str(i), r[0][0], r[0][0],
                                                 str(len(whole))),
                          "page %d of the ranked answer, its <set>" % i,
                          "%r %r" % (r, st))
            got += r
            after = r[0][0]
        self.ok.check(got == whole, "the pages put together are the whole ranked "
                      "answer", "%r against %r" % (got, whole))
        res = await self.ask(rsm="<max>1</max><index>%d</index>" % (len(whole) - 1), **kw)
        self.ok.check(self.ranked(res) == whole[-1:], "<index> gives the last cloud",
                      repr(self.ranked(res)))
        res = await self.ask(rsm="<after>no-such-cloud</after>", **kw)
        self.expect_note_error(res, "an <after> naming no cloud of the ranked answer",
                               "no-such-cloud")

    async def sc_plain(self):
        """Without presence, the paper's form: no JID, no score."""
        res = await self.ask("A request without presence")
        r = self.ranked(res)
        self.ok.check(r is not None and sorted(n for n, _, _ in r) == self.expected()
                      and all(j is None and s is None for _, j, s in r),
                      "no presence asked: the clouds, without jid or score", repr(r))
        res = await self.ask(jid="true")
        r = self.ranked(res)
        self.ok.check(r is not None and all(j == JIDS.get(n) for n, j, _ in r),
                      "jid='true' alone: the JIDs, whatever the presence", repr(r))

    async def sc_bad(self):
        res = await self.ask("A presence the exchange does not know",
                             presence="online")
        self.expect_note_error(res, "an unknown presence state is refused", "online")

    async def schemata(self, node):
        iid = self.new_id("schema")
        res = await self.rpc(self.iq("set", self.command(
            "<iodata xmlns='%s' type='io-schemata-get'/>" % NS_IO, node=node), iid),
            iid)
        io = res.find(".//" + q(NS_IO, "iodata")) if res is not None else None
        out = io.find(q(NS_IO, "out")) if io is not None else None
        ins = io.find(q(NS_IO, "in")) if io is not None else None
        return (ins.find(q(NS_XS, "schema")) if ins is not None else None,
                out.find(q(NS_XS, "schema")) if out is not None else None)

    async def validate_answer(self, res, node=icxd_client.NODE, name="matchingClouds",
                              request=None):
        ins, outs = await self.schemata(node)
        inst = res.find(".//" + q(NS_CSP, name))
        self.ok.check(outs is not None and inst is not None,
                      "the %s schema and answer are there" % name)
        if outs is None or inst is None:
            return
        # The page's <set> is the RSM namespace's; the schema skips it.
        self.validate_with(outs, inst, "the answer validates against the "
                           "advertised <%s> schema" % name)
        req = icxd_client.ET.fromstring(request or self.request(
            presence="available chat", required="false", weight="7", jid="true"))
        self.validate_with(ins, req, "a request with presence validates "
                           "against the advertised input schema")

    async def sc_explain(self):
        """explain_constraints names the clouds that fail on presence alone
        (--expect 'cloud9=away'), with since when."""
        want = dict(x.split("=") for x in self.expected())
        req = self.request(presence="available")

        async def probe():
            iid = self.new_id("x")
            res = await self.rpc(self.iq("set", self.command(
                self.io_input(req), node=NODE_EXPLAIN), iid), iid)
            pres = res.find(".//" + q(NS_CSP, "presence")) if res is not None else None
            if pres is None:
                return None
            return {c.get("name"): c.get("show") for c in pres.findall(q(NS_CSP, "cloud"))
                    if c.get("name") in ("cloud9", "cloud10")}
        if not await self.settle("explain: clouds failing on presence alone %s" % want,
                                 probe, want):
            return
        iid = self.new_id("x")
        res = await self.rpc(self.iq("set", self.command(
            self.io_input(req), node=NODE_EXPLAIN), iid), iid,
            "An explanation of a request that requires presence")
        pres = res.find(".//" + q(NS_CSP, "presence"))
        clouds = pres.findall(q(NS_CSP, "cloud"))
        self.ok.check(pres.get("accepted") == "available" and
                      pres.get("required") == "true" and
                      all(c.get("since") and c.get("jid") == JIDS[c.get("name")]
                          for c in clouds if c.get("name") in JIDS),
                      "each cloud failing on presence has its JID and since when",
                      serialize(pres))
        await self.validate_answer(res, NODE_EXPLAIN, "explanation", req)

    async def sc_list(self):
        """list_presence (an administrator): --expect 'jid=show,...'."""
        want = dict(x.split("=") for x in self.expected())

        async def probe():
            iid = self.new_id("l")
            res = await self.rpc(self.iq("set", self.command(node=NODE_LIST), iid), iid)
            lst = res.find(".//" + q(NS_CSP, "presenceList")) if res is not None else None
            if lst is None:
                return None
            return {p.get("jid"): p.get("show") for p in lst.findall(q(NS_CSP, "publisher"))}
        if await self.settle("list_presence shows %s" % want, probe, want):
            iid = self.new_id("l")
            res = await self.rpc(self.iq("set", self.command(node=NODE_LIST), iid), iid,
                                 "An administrator lists the publishers' presence")
            _, outs = await self.schemata(NODE_LIST)
            inst = res.find(".//" + q(NS_CSP, "presenceList"))
            if outs is not None and inst is not None:
                self.validate_with(outs, inst, "list_presence validates against "
                                   "its advertised schema")
            else:
                self.ok.check(False, "list_presence schema and answer")
            await self.list_pages(sorted(want), outs)

    async def list_pages(self, jids, outs):
        """list_presence one publisher at a time (XEP-0059 in its IO Data
        input): each page one JID in order, its set counting them all."""
        got, after = [], None
        for n in range(len(jids) + 1):
            rsm = "<set xmlns='%s'><max>1</max>%s</set>" % (
                NS_RSM, "<after>%s</after>" % after if after else "")
            iid = self.new_id("l")
            res = await self.rpc(self.iq("set", self.command(
                self.io_input(rsm), node=NODE_LIST), iid), iid,
                "An administrator lists the publishers one page at a time")
            lst = res.find(".//" + q(NS_CSP, "presenceList")) if res is not None else None
            st = lst.find(q(NS_RSM, "set")) if lst is not None else None
            if st is None:
                self.ok.check(False, "list_presence page %d: a presenceList with a set" % n,
                              serialize(res) if res is not None else "no answer")
                return
            page = [p.get("jid") for p in lst.findall(q(NS_CSP, "publisher"))]
            self.ok.check(st.findtext(q(NS_RSM, "count")) == str(len(jids)) and
                          len(page) == (1 if n < len(jids) else 0),
                          "list_presence page %d: %d publisher(s) of %d" %
                          (n, 1 if n < len(jids) else 0, len(jids)), serialize(lst))
            if outs is not None:
                self.validate_with(outs, lst, "list_presence page %d validates" % n)
            if not page:
                break
            got += page
            after = st.findtext(q(NS_RSM, "last"))
        self.ok.check(got == jids, "list_presence pages give every publisher once, "
                      "in order", repr(got))

    async def sc_list_denied(self):
        iid = self.new_id("l")
        res = await self.rpc(self.iq("set", self.command(node=NODE_LIST), iid), iid,
                             "list_presence from a JID that is no administrator")
        self.ok.check(self.error_of(res)[0] == "forbidden",
                      "list_presence: forbidden to a non-administrator",
                      serialize(res) if res is not None else "no answer")

    async def sc_inject(self):
        """This account owns no document: its presence, sent straight to
        the exchange, must not reach the table."""
        bare = self.service.split("/", 1)[0]
        self.send_presence(pto=bare, pshow="chat")
        self.send_presence(pto=bare + "/x", pshow="chat")
        await asyncio.sleep(1.0)
        iid = self.new_id("l")
        res = await self.rpc(self.iq("set", self.command(node=NODE_LIST), iid), iid)
        lst = res.find(".//" + q(NS_CSP, "presenceList")) if res is not None else None
        jids = [p.get("jid") for p in lst.findall(q(NS_CSP, "publisher"))] \
            if lst is not None else None
        self.ok.check(jids is not None and self.boundjid.bare not in jids,
                      "presence from a JID without a document is ignored", repr(jids))


JIDS = {}


def main():
    ap = icxd_client.client_args(jid="user@cloud1.org/c")
    ap.add_argument("--role", choices=("clouds", "asker"), required=True)
    ap.add_argument("--jid2", default="other@cloud1.org/c")
    ap.add_argument("--publish", action="store_true")
    ap.add_argument("--presence", default="available")
    ap.add_argument("--expect")
    ap.add_argument("--settle", type=float, default=20)
    ap.add_argument("--cloud-jids", default="cloud9=user@cloud1.org,"
                    "cloud10=other@cloud1.org")
    args = ap.parse_args()
    args.paper = None
    args.print_answer = False
    args.owner = args.operator_doc = None
    JIDS.update(x.split("=") for x in args.cloud_jids.split(","))
    if args.role == "clouds":
        loop = asyncio.get_event_loop()
        return loop.run_until_complete(asyncio.wait_for(run_clouds(args), 600))
    return icxd_client.run(Asker(args), args)


if __name__ == "__main__":
    sys.exit(main())
