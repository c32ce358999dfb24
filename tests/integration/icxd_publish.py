#!/usr/bin/python3
"""icxd_publish.py - a cloud's client for the publishing commands of icxd
(publish_capabilities, withdraw_capabilities), on top of icxd_client.py's
slixmpp client: the same options, checks and transcript, and scenarios of
its own.  Used by tests/integration/icxd-publish.test, which says which
account runs which scenario.

Every document is sent as real stanza text; a cloud's whole session with
the exchange is in the "operator" scenario (doc/protocol.md shows it).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import icxd_client  # noqa: E402
from icxd_client import (NS_CMD, NS_CSP, NS_IO, NS_XS, Client, q,  # noqa: E402
                         serialize)

NODE_PUBLISH = "publish_capabilities"
NODE_WITHDRAW = "withdraw_capabilities"

# cloud9: only it (of the shipped clouds and these) keeps 40 replicas.
CLOUD9_TTL = """@prefix res: <http://www.csp/resOntology#> .
@prefix ex:  <http://cloud9.example/ns#> .

ex:cloud a res:Cloud ;
    res:cloudName "cloud9" ;
    res:offers ex:storage .

ex:storage a res:StorageService ;
    res:availability 99.99 ;
    res:replicationFactor 40 ;
    res:tierCountry res:DE ;
    res:storageAccess res:NFS .
"""

# cloud10, inline RDF/XML: 31 replicas.
CLOUD10_RDF = """<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'
         xmlns:res='http://www.csp/resOntology#'>
  <res:Cloud rdf:about='http://cloud10.example/ns#cloud'>
    <res:cloudName>cloud10</res:cloudName>
    <res:offers>
      <res:StorageService rdf:about='http://cloud10.example/ns#storage'>
        <res:replicationFactor rdf:datatype='http://www.w3.org/2001/XMLSchema#integer'>31</res:replicationFactor>
      </res:StorageService>
    </res:offers>
  </res:Cloud>
</rdf:RDF>"""

# A typo on line 10: a ']' where a ';' goes on.
BROKEN_TTL = CLOUD9_TTL.replace("res:replicationFactor 40 ;",
                                "res:replicationFactor 40 ]")


def esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Publisher(Client):
    def publish_stanza(self, iid, body, fmt=None, name=None, owner=None):
        attrs = ""
        if name:
            attrs += " name='%s'" % name
        if fmt:
            attrs += " format='%s'" % fmt
        if owner:
            attrs += " owner='%s'" % owner
        return self.iq("set", self.command(self.io_input(
            "<capabilities xmlns='%s'%s>%s</capabilities>" % (NS_CSP, attrs, body)),
            node=NODE_PUBLISH), iid)

    def withdraw_stanza(self, iid, name=None, owner=None, document=None):
        attrs = ""
        if name:
            attrs += " name='%s'" % name
        if owner:
            attrs += " owner='%s'" % owner
        if document:
            attrs += " document='%s'" % esc(document).replace("'", "&apos;")
        return self.iq("set", self.command(self.io_input(
            "<withdraw xmlns='%s'%s/>" % (NS_CSP, attrs)), node=NODE_WITHDRAW), iid)

    def stored(self, res, element):
        """(document IRI, triples, clouds) of a completed answer, or None."""
        cmd = res.find(q(NS_CMD, "command")) if res is not None else None
        if cmd is None or cmd.get("status") != "completed":
            return None
        el = cmd.find(".//" + q(NS_CSP, element))
        if el is None:
            return None
        return (el.get("document"), el.get("triples"),
                sorted(c.text for c in el.findall(q(NS_CSP, "cloudName"))),
                el.get("owner"))

    def forbidden(self, res, what, mention=None):
        cond, _ = self.error_of(res)
        err = res.find(q(icxd_client.NS_CLIENT, "error")) if res is not None else None
        text = err.find(q(icxd_client.NS_STANZAS, "text")) if err is not None else None
        ok = cond == "forbidden" and err.get("type") == "auth" and text is not None \
            and (text.text or "").strip() != ""
        if ok and mention:
            ok = mention in text.text
        return self.ok.check(ok, what, serialize(res)[:600] if res is not None
                             else "no answer")

    async def query_replicas(self, n, title=None):
        iid = self.new_id("q")
        res = await self.rpc(self.iq("set", self.command(self.io_input(
            self.constraints([("replicationFactor", str(n))]))), iid), iid, title)
        return self.clouds_of(res) if res is not None else None

    # ---- scenarios -------------------------------------------------------
    async def sc_publish(self):
        """The owner publishes Turtle (as text) and RDF/XML (inline); a
        requester sees both at once; a broken replacement is refused with
        its place and changes nothing."""
        iid = self.new_id("pub")
        res = await self.rpc(self.publish_stanza(iid, esc(CLOUD9_TTL), "turtle"),
                             iid, "Publishing a Turtle document")
        st = self.stored(res, "published")
        self.ok.check(st is not None and st[2] == ["cloud9"] and st[1] == "8" and
                      st[3] == self.boundjid.bare and
                      st[0] == "xmpp:%s?icx-capabilities;name=default" %
                      self.boundjid.bare,
                      "publish: completed with the document, its triples and "
                      "cloud9", serialize(res)[:800] if res is not None else "no answer")
        self.addressed(res, "publish answer")
        iid = self.new_id("pub")
        res = await self.rpc(self.publish_stanza(iid, CLOUD10_RDF, name="rdf"), iid,
                             "Publishing inline RDF/XML under a second name")
        st = self.stored(res, "published")
        self.ok.check(st is not None and st[2] == ["cloud10"],
                      "publish inline RDF/XML: cloud10",
                      serialize(res)[:800] if res is not None else "no answer")
        got = await self.query_replicas(30, "A requester sees the published clouds at once")
        self.ok.check(got == ["cloud10", "cloud9"],
                      "the published clouds match at once", str(got))
        iid = self.new_id("pub")
        res = await self.rpc(self.publish_stanza(iid, esc(BROKEN_TTL), "turtle"), iid,
                             "A broken document: the error names its line")
        self.expect_note_error(res, "broken Turtle: completed with an error note",
                               "line 10")
        err = res.find(".//" + q(NS_CSP, "error")) if res is not None else None
        # (raptor's Turtle parser knows the line only; RDF/XML and
        # N-Triples errors carry a column too)
        self.ok.check(err is not None and err.get("line") == "10" and
                      err.get("code") == "rdf",
                      "the IO Data error carries line='10'",
                      serialize(res)[:800] if res is not None else "no answer")
        got = await self.query_replicas(30)
        self.ok.check(got == ["cloud10", "cloud9"],
                      "a failed publish leaves the published document", str(got))
        iid = self.new_id("pub")
        res = await self.rpc(self.publish_stanza(
            iid, esc(CLOUD9_TTL) * 20, "turtle"), iid)
        self.expect_note_error(res, "a document over the size limit is refused",
                               "several documents under different names")
        iid = self.new_id("pub")
        res = await self.rpc(self.iq("set", self.command(
            "<iodata xmlns='%s' type='io-schemata-get'/>" % NS_IO, node=NODE_PUBLISH),
            iid), iid)
        io = res.find(".//" + q(NS_IO, "iodata")) if res is not None else None
        sch = io.find("%s/%s" % (q(NS_IO, "in"), q(NS_XS, "schema"))) \
            if io is not None else None
        self.ok.check(sch is not None and any(
            e.get("name") == "capabilities" for e in sch.iter(q(NS_XS, "element"))),
            "publish schemata describe <capabilities>")

    async def sc_intruder(self):
        """Another account that may publish cannot replace or withdraw the
        owner's document, nor the operator's."""
        owner = self.args.owner
        iid = self.new_id("x")
        res = await self.rpc(self.publish_stanza(iid, esc(CLOUD9_TTL), "turtle",
                                                 owner=owner), iid,
                             "Another account tries to replace a cloud's document")
        self.forbidden(res, "replacing another JID's document: forbidden")
        self.ok.check(res is not None and owner not in serialize(res),
                      "the refusal names no other account")
        iid = self.new_id("x")
        doc = "xmpp:%s?icx-capabilities;name=default" % owner
        res = await self.rpc(self.withdraw_stanza(iid, document=doc), iid,
                             "Another account tries to withdraw it")
        self.forbidden(res, "withdrawing another JID's document: forbidden",
                       "not yours")
        iid = self.new_id("x")
        res = await self.rpc(self.withdraw_stanza(
            iid, document="xmpp:nobody@cloud1.org?icx-capabilities;name=default"), iid)
        self.forbidden(res, "a document that does not exist gets the same answer",
                       "not yours")
        iid = self.new_id("x")
        res = await self.rpc(self.withdraw_stanza(iid, document=self.args.operator_doc),
                             iid, "An account tries to withdraw a document the "
                             "operator loaded")
        self.forbidden(res, "the operator's document cannot be withdrawn over XMPP",
                       "operator")
        # The intruder's own document may not take the owner's cloud: not
        # its IRI, and not its name under another IRI (one document per
        # cloud); the note names the cloud, not the owner.
        iid = self.new_id("x")
        res = await self.rpc(self.publish_stanza(iid, esc(CLOUD9_TTL), "turtle",
                                                 name="mine"), iid,
                             "Another account describes the owner's cloud in a "
                             "document of its own")
        self.expect_note_error(res, "describing another document's cloud: refused",
                               "cloud9")
        self.ok.check(res is not None and owner not in serialize(res),
                      "that refusal names no other account",
                      serialize(res)[:600] if res is not None else "no answer")
        iid = self.new_id("x")
        fake = CLOUD9_TTL.replace("cloud9.example", "impostor.example")
        res = await self.rpc(self.publish_stanza(iid, esc(fake), "turtle",
                                                 name="mine"), iid,
                             "Another account names its own cloud cloud9")
        self.expect_note_error(res, "taking another document's cloud name: refused",
                               '"cloud9" is taken')
        self.ok.check(res is not None and owner not in serialize(res),
                      "that refusal names no other account",
                      serialize(res)[:600] if res is not None else "no answer")
        got = await self.query_replicas(30)
        self.ok.check(got == ["cloud10", "cloud9"],
                      "the owner's documents are still there", str(got))

    async def sc_not_listed(self):
        """A JID the access list does not name may not publish."""
        iid = self.new_id("n")
        res = await self.rpc(self.publish_stanza(iid, esc(CLOUD9_TTL), "turtle"), iid,
                             "A JID the access list leaves out tries to publish")
        self.forbidden(res, "publish from a JID not on the publish list: forbidden",
                       "access list")
        got = await self.query_replicas(30)
        self.ok.check(got is not None, "the same JID may still query")

    async def sc_query_denied(self):
        """With query limited by the access list, a JID off it is refused."""
        iid = self.new_id("d")
        res = await self.rpc(self.iq("set", self.command(self.io_input(
            self.constraints([("replicationFactor", "5")]))), iid), iid,
            "A query from a JID the query list leaves out")
        self.forbidden(res, "query from a JID not on the query list: forbidden",
                       "access list")

    async def sc_sees(self):
        """Whatever the test expects to match 30 replicas (--expect)."""
        got = await self.query_replicas(30)
        want = sorted(x for x in (self.args.expect or "").split(",") if x)
        self.ok.check(got == want, "clouds with 30 replicas: %s" % want, str(got))

    async def sc_withdraw(self):
        iid = self.new_id("w")
        res = await self.rpc(self.withdraw_stanza(iid), iid,
                             "The owner withdraws its document")
        st = self.stored(res, "withdrawn")
        self.ok.check(st is not None and st[2] == ["cloud9"],
                      "withdraw: completed, naming cloud9",
                      serialize(res)[:800] if res is not None else "no answer")
        iid = self.new_id("w")
        res = await self.rpc(self.withdraw_stanza(iid, name="rdf"), iid)
        st = self.stored(res, "withdrawn")
        self.ok.check(st is not None and st[2] == ["cloud10"],
                      "withdraw by name: cloud10")
        got = await self.query_replicas(30)
        self.ok.check(got == [], "withdrawn clouds no longer match", str(got))
        iid = self.new_id("w")
        res = await self.rpc(self.withdraw_stanza(iid), iid)
        self.expect_note_error(res, "withdrawing again: nothing of that name",
                               "no document")

    async def sc_operator(self):
        """A cloud operator's whole session: what the exchange offers, the
        schemata, a publish, a check that it matches, a withdrawal (shown
        in doc/protocol.md, "Publish your capabilities")."""
        iid = self.new_id("op")
        res = await self.rpc(self.iq("get", "<query xmlns='%s' node='%s'/>"
                                     % (icxd_client.NS_ITEMS, NS_CMD), iid), iid,
                             "Operator: the commands on offer")
        nodes = [i.get("node") for i in res.iter(q(icxd_client.NS_ITEMS, "item"))] \
            if res is not None else []
        self.ok.check(NODE_PUBLISH in nodes and NODE_WITHDRAW in nodes,
                      "disco#items lists the publishing commands", str(nodes))
        iid = self.new_id("op")
        res = await self.rpc(self.publish_stanza(iid, esc(CLOUD9_TTL), "turtle",
                                                 name="storage-eu"), iid,
                             "Operator: publish")
        st = self.stored(res, "published")
        self.ok.check(st is not None and st[2] == ["cloud9"], "operator: published")
        got = await self.query_replicas(30, "Operator: the cloud matches")
        self.ok.check(got == ["cloud9"], "operator: cloud9 matches", str(got))
        iid = self.new_id("op")
        res = await self.rpc(self.withdraw_stanza(iid, name="storage-eu"), iid,
                             "Operator: withdraw")
        st = self.stored(res, "withdrawn")
        self.ok.check(st is not None and st[2] == ["cloud9"], "operator: withdrawn")


def main():
    ap = icxd_client.client_args()
    ap.add_argument("--owner", help="the bare JID whose document to attack")
    ap.add_argument("--operator-doc", help="the IRI of a document icx loaded")
    ap.add_argument("--expect", help="clouds expected at 30 replicas, a,b")
    args = ap.parse_args()
    args.paper = None
    args.print_answer = False
    return icxd_client.run(Publisher(args), args)


if __name__ == "__main__":
    sys.exit(main())
