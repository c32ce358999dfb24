#!/usr/bin/python3
"""icxd_client.py - a real XMPP client (slixmpp) that drives icxd in the
integration tests and in run-exchange.

It sends stanzas as raw text (so the paper's request goes out verbatim),
matches answers by id, and checks them.  Each scenario prints "ok - ..." or
"not ok - ..." lines; the exit status is 0 only if every check passed.
Every wait is bounded.  With --transcript FILE, every exchange is written
to FILE (it feeds doc/protocol.md).
"""

import argparse
import asyncio
import logging
import os
import shutil
import ssl
import subprocess
import tempfile
import sys
import time
import xml.etree.ElementTree as ET

import slixmpp
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

NS_CLIENT = "jabber:client"
NS_CMD = "http://jabber.org/protocol/commands"
NS_IO = "urn:xmpp:tmp:io-data"
NS_DATA = "jabber:x:data"
NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"
NS_INFO = "http://jabber.org/protocol/disco#info"
NS_ITEMS = "http://jabber.org/protocol/disco#items"
NS_CSP = "http://www.csp/resOntology"
NS_XS = "http://www.w3.org/2001/XMLSchema"
NS_RSM = "http://jabber.org/protocol/rsm"
NS_M = "urn:icx:matches:0"
NODE = "constraint_catalog_resources"
NODE_EXPLAIN = "explain_constraints"
WAIT = 15.0


def q(ns, name):
    return "{%s}%s" % (ns, name)


def serialize(elem, parent_ns=None, indent=0):
    """XML text with default-namespace declarations (no ns0: prefixes)."""
    tag = elem.tag
    ns, name = (tag[1:].split("}", 1) if tag.startswith("{") else (None, tag))
    attrs = ""
    if ns != parent_ns and ns is not None:
        attrs += " xmlns='%s'" % ns
    for k, v in elem.attrib.items():
        if k.startswith("{http://www.w3.org/XML/1998/namespace}"):
            k = "xml:" + k.split("}", 1)[1]
        attrs += " %s='%s'" % (k, v.replace("&", "&amp;").replace("'", "&apos;")
                               .replace("<", "&lt;"))
    pad = "  " * indent
    text = (elem.text or "").strip()
    children = list(elem)
    if not children and not text:
        return "%s<%s%s/>" % (pad, name, attrs)
    esc = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if not children:
        return "%s<%s%s>%s</%s>" % (pad, name, attrs, esc, name)
    out = ["%s<%s%s>%s" % (pad, name, attrs, esc)]
    for c in children:
        out.append(serialize(c, ns, indent + 1))
    out.append("%s</%s>" % (pad, name))
    return "\n".join(out)


class Checker:
    def __init__(self):
        self.failures = 0
        self.count = 0

    def check(self, cond, what, detail=""):
        self.count += 1
        if cond:
            print("ok %d - %s" % (self.count, what), flush=True)
        else:
            self.failures += 1
            print("not ok %d - %s%s" % (self.count, what,
                                        (": " + detail) if detail else ""),
                  flush=True)
        return cond


class Client(slixmpp.ClientXMPP):
    def __init__(self, args):
        super().__init__(args.jid, args.password)
        self.args = args
        self.service = args.service
        self.pending = {}
        self.messages = []
        self.message_event = asyncio.Event()
        self.ok = Checker()
        self.counter = 0
        self.transcript = open(args.transcript, "a") if args.transcript else None
        self.ca_certs = args.ca
        if args.insecure:
            self.ssl_context.check_hostname = False
            self.ssl_context.verify_mode = ssl.CERT_NONE
        self.register_handler(Callback("icx iq", MatchXPath(q(NS_CLIENT, "iq")),
                                       self.on_iq))
        self.register_handler(Callback(
            "icx msg", MatchXPath("{%s}message/{%s}command" % (NS_CLIENT, NS_CMD)),
            self.on_message))
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("failed_auth", self.on_failed_auth)
        self.result = None

    def on_failed_auth(self, _event):
        print("not ok - authentication failed", flush=True)
        self.ok.failures += 1
        self.disconnect()

    def on_iq(self, iq):
        xml = iq.xml
        iid = xml.get("id")
        fut = self.pending.pop(iid, None)
        if fut and not fut.done():
            fut.set_result(xml)

    def on_message(self, msg):
        self.messages.append(msg.xml)
        self.message_event.set()
        self.log("<!-- pushed by the exchange -->\n" + serialize(msg.xml))

    def log(self, text):
        if self.transcript:
            self.transcript.write(text + "\n")
            self.transcript.flush()

    def new_id(self, prefix="t"):
        self.counter += 1
        return "%s%d" % (prefix, self.counter)

    async def rpc(self, text, iid, title=None, timeout=WAIT):
        """Sends raw stanza text, returns the answering <iq> element."""
        fut = asyncio.get_event_loop().create_future()
        self.pending[iid] = fut
        if title:
            self.log("\n### %s\n\n```xml\n%s\n```\n" % (title, text.strip()))
        self.send_raw(text)
        try:
            res = await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError:
            self.pending.pop(iid, None)
            return None
        if title:
            self.log("```xml\n%s\n```" % serialize(res))
        return res

    def iq(self, typ, payload, iid, to=None):
        return "<iq type='%s' to='%s' id='%s'>%s</iq>" % (
            typ, to or self.service, iid, payload)

    def command(self, inner="", action="execute", sid=None, node=NODE,
                extra=""):
        attrs = " node='%s'" % node if node is not None else ""
        if action is not None:
            attrs += " action='%s'" % action
        if sid:
            attrs += " sessionid='%s'" % sid
        return "<command xmlns='%s'%s%s>%s</command>" % (NS_CMD, attrs, extra,
                                                        inner)

    @staticmethod
    def constraints(pairs):
        body = "".join("<constraint><attribute>%s</attribute><value>%s</value>"
                       "</constraint>" % p for p in pairs)
        return "<constraints xmlns='%s'>%s</constraints>" % (NS_CSP, body)

    def io_input(self, inner):
        return "<iodata xmlns='%s' type='input'><in>%s</in></iodata>" % (NS_IO,
                                                                        inner)

    # ---- checks on answers ---------------------------------------------
    def addressed(self, res, what):
        return self.ok.check(
            res is not None and res.get("from") == self.service and
            res.get("to") == str(self.boundjid), what + ": from and to",
            "" if res is None else "from=%r to=%r" % (res.get("from"),
                                                      res.get("to")))

    @staticmethod
    def error_of(res):
        if res is None or res.get("type") != "error":
            return None, None
        err = res.find(q(NS_CLIENT, "error"))
        if err is None:
            return "?", None
        cond = app = None
        for c in err:
            ns, name = c.tag[1:].split("}", 1)
            if ns == NS_STANZAS and name != "text":
                cond = name
            elif ns == NS_CMD:
                app = name
        return cond, app

    @staticmethod
    def clouds_of(res):
        return sorted(e.text.strip() for e in
                      res.iter(q(NS_CSP, "cloudName")))

    def expect_clouds(self, res, what, want=("cloud2", "cloud5")):
        cmd = res.find(q(NS_CMD, "command")) if res is not None else None
        ok = (res is not None and res.get("type") == "result" and cmd is not None
              and cmd.get("status") == "completed" and cmd.get("sessionid")
              and cmd.get("node") == NODE)
        io = cmd.find(q(NS_IO, "iodata")) if ok else None
        ok = ok and io is not None and io.get("type") == "output"
        clouds = self.clouds_of(res) if ok else None
        return self.ok.check(ok and clouds == sorted(want), what,
                             "got %s" % (serialize(res) if res is not None
                                         else "no answer"))

    # ---- scenarios -----------------------------------------------------
    async def sc_paper(self):
        with open(self.args.paper) as f:
            text = f.read()
        if self.service != "service.intercloudexchg.com":
            text = text.replace("to='service.intercloudexchg.com'",
                                "to='%s'" % self.service)
        res = await self.rpc(text, "cloud1_id1",
                             "The paper's request (section 6), sent verbatim")
        want = tuple(self.args.want.split())
        self.expect_clouds(res, "paper request answers %s" % " and ".join(want)
                           if want else "paper request answers no cloud", want)
        self.addressed(res, "paper answer")
        if res is not None and self.args.print_answer:
            print(serialize(res))

    async def sc_ping(self):
        iid = self.new_id("ping")
        res = await self.rpc(self.iq("get", "<ping xmlns='urn:xmpp:ping'/>", iid),
                             iid, "Ping (XEP-0199)")
        self.ok.check(res is not None and res.get("type") == "result",
                      "ping answered")
        self.addressed(res, "ping")

    async def sc_disco(self):
        iid = self.new_id("disco")
        res = await self.rpc(self.iq("get", "<query xmlns='%s'/>" % NS_INFO, iid),
                             iid, "disco#info on the service")
        feats = set()
        idents = []
        if res is not None and res.get("type") == "result":
            qy = res.find(q(NS_INFO, "query"))
            feats = {f.get("var") for f in qy.findall(q(NS_INFO, "feature"))}
            idents = qy.findall(q(NS_INFO, "identity"))
        want = {NS_INFO, NS_ITEMS, NS_CMD, NS_IO, NS_DATA, "urn:xmpp:ping"}
        self.ok.check(want <= feats, "disco#info lists the features",
                      "missing %s" % (want - feats))
        self.ok.check(len(idents) >= 1, "disco#info has an identity")
        self.addressed(res, "disco#info")

        iid = self.new_id("disco")
        res = await self.rpc(self.iq("get", "<query xmlns='%s' node='%s'/>"
                                     % (NS_ITEMS, NS_CMD), iid),
                             iid, "disco#items: the command list")
        items = res.findall(".//" + q(NS_ITEMS, "item")) if res is not None else []
        self.ok.check([i.get("node") for i in items] ==
                      [NODE, NODE_EXPLAIN, "publish_capabilities",
                       "withdraw_capabilities", "list_presence",
                       "subscribe_matches", "unsubscribe_matches",
                       "list_subscriptions"]
                      and all(i.get("name") and i.get("jid") == self.service
                              for i in items),
                      "command list names constraint_catalog_resources, "
                      "explain_constraints, publish_capabilities, "
                      "withdraw_capabilities, list_presence and the "
                      "three of standing requests",
                      serialize(res) if res is not None else "no answer")

        iid = self.new_id("disco")
        res = await self.rpc(self.iq("get", "<query xmlns='%s' node='%s'/>"
                                     % (NS_INFO, NODE), iid),
                             iid, "disco#info on the command node")
        feats = set()
        if res is not None and res.get("type") == "result":
            feats = {f.get("var") for f in res.iter(q(NS_INFO, "feature"))}
            ident = res.find(".//" + q(NS_INFO, "identity"))
            self.ok.check(ident is not None and
                          ident.get("category") == "automation" and
                          ident.get("type") == "command-node",
                          "command node identity automation/command-node")
        self.ok.check({NS_CMD, NS_IO, NS_DATA} <= feats,
                      "command node lists commands, io-data, x:data")

        iid = self.new_id("disco")
        res = await self.rpc(self.iq("get", "<query xmlns='%s' node='%s'/>"
                                     % (NS_INFO, NODE_EXPLAIN), iid),
                             iid, "disco#info on the explain node")
        feats = set()
        ident = None
        if res is not None and res.get("type") == "result":
            feats = {f.get("var") for f in res.iter(q(NS_INFO, "feature"))}
            ident = res.find(".//" + q(NS_INFO, "identity"))
        self.ok.check(ident is not None and
                      ident.get("category") == "automation" and
                      ident.get("type") == "command-node" and
                      feats == {NS_CMD, NS_IO},
                      "explain node: automation/command-node with commands "
                      "and io-data (no form)",
                      serialize(res) if res is not None else "no answer")

    async def sc_schemata(self):
        iid = self.new_id("schema")
        res = await self.rpc(self.iq("set", self.command(
            "<iodata xmlns='%s' type='io-schemata-get'/>" % NS_IO), iid),
            iid, "IO Data schemata")
        io = res.find(".//" + q(NS_IO, "iodata")) if res is not None else None
        ok = io is not None and io.get("type") == "io-schemata-result"
        self.ok.check(ok, "io-schemata-get answered io-schemata-result")
        if not ok:
            return
        cmd = res.find(q(NS_CMD, "command"))
        self.ok.check(cmd.get("status") == "completed" and cmd.get("sessionid"),
                      "schemata: completed with a sessionid")
        ins = io.find(q(NS_IO, "in"))
        outs = io.find(q(NS_IO, "out"))
        self.ok.check(io.find(q(NS_IO, "desc")) is not None, "schemata: desc")
        for part, elem, name in (("in", ins, "constraints"),
                                 ("out", outs, "matchingClouds")):
            sch = elem.find(q(NS_XS, "schema")) if elem is not None else None
            names = [e.get("name") for e in sch.iter(q(NS_XS, "element"))] \
                if sch is not None else []
            self.ok.check(sch is not None and
                          sch.get("targetNamespace") == NS_CSP and name in names,
                          "schemata: <%s> holds an XML Schema for <%s>" %
                          (part, name))
            if sch is not None:
                self.validate(sch, part)

    def validate(self, schema, part):
        """Validates the paper's stanzas, and the extended forms (op, soft
        constraints, units, a place; scores and degrees), with the schema
        (xmllint)."""
        with open(self.args.paper) as f:
            paper = ET.fromstring(f.read())
        if part == "in":
            what = "request"
            insts = [("the paper's", paper.find(".//" + q(NS_CSP, "constraints"))),
                     ("an extended", ET.fromstring(
                         "<constraints xmlns='%s'><constraint op='atLeast'><attribute>"
                         "memory</attribute><value unit='TB'>2</value></constraint>"
                         "<constraint required='false' weight='-5'><attribute>latency"
                         "</attribute><value from='Germany' unit='ms'>50</value>"
                         "</constraint><constraint op='exists'><attribute>gpuModel"
                         "</attribute></constraint><constraint op='anyOf'><attribute>"
                         "tierCountry</attribute><value>JP</value><value>SG</value>"
                         "</constraint></constraints>" % NS_CSP))]
        else:
            what = "answer"
            insts = [("the paper's", ET.fromstring(
                         "<matchingClouds xmlns='%s'><cloudName>cloud2</cloudName>"
                         "<cloudName>cloud5</cloudName></matchingClouds>" % NS_CSP)),
                     ("an extended", ET.fromstring(
                         "<matchingClouds xmlns='%s'><cloudName score='5' "
                         "degree='narrower'>cloud2</cloudName></matchingClouds>" % NS_CSP))]
        for which, inst in insts:
            self.validate_with(schema, inst, "schemata: %s %s validates against the "
                               "<%s> schema" % (which, what, part))

    def validate_with(self, schema, inst, what):
        """Checks that element inst is valid under schema (xmllint)."""
        xmllint = shutil.which("xmllint")
        if not xmllint:
            print("# xmllint missing: not checked: %s" % what)
            return
        with tempfile.TemporaryDirectory() as d:
            xsd, xml = os.path.join(d, "s.xsd"), os.path.join(d, "i.xml")
            with open(xsd, "w") as f:
                f.write(serialize(schema))
            with open(xml, "w") as f:
                f.write(serialize(inst))
            r = subprocess.run([xmllint, "--noout", "--schema", xsd, xml],
                               capture_output=True, text=True, timeout=30)
        self.ok.check(r.returncode == 0, what, r.stderr.strip())

    async def sc_form(self):
        iid = self.new_id("form")
        res = await self.rpc(self.iq("set", self.command(), iid), iid,
                             "Execute without payload: the data form")
        cmd = res.find(q(NS_CMD, "command")) if res is not None else None
        x = cmd.find(q(NS_DATA, "x")) if cmd is not None else None
        ok = (cmd is not None and cmd.get("status") == "executing" and
              cmd.get("sessionid") and x is not None and x.get("type") == "form")
        self.ok.check(ok, "execute without payload gets executing + a form")
        if not ok:
            return
        sid = cmd.get("sessionid")
        fields = {f.get("var"): f for f in x.findall(q(NS_DATA, "field"))
                  if f.get("type") != "hidden"}
        self.ok.check(len(fields) >= 5, "form has one field per attribute",
                      "%d fields" % len(fields))
        lists = [f for f in fields.values() if f.get("type") == "list-single"]
        self.ok.check(lists and all(f.findall(q(NS_DATA, "option"))
                                    for f in lists),
                      "individual-valued fields carry options")
        self.ok.check(all(f.find(q(NS_DATA, "desc")) is not None and
                          "Rule:" in f.find(q(NS_DATA, "desc")).text
                          for f in fields.values()),
                      "every field describes its rule")
        want = {"availability": "99.999", "replicationFactor": "5",
                "tierCountry": "JAPAN", "replicationMethod": "AMQP",
                "storageAccess": "NFS"}
        # Pick option values by label, as a person would.
        values = {}
        for var, v in want.items():
            f = fields.get(var)
            if f is None:
                continue
            opts = {o.get("label", "").lower(): o.find(q(NS_DATA, "value")).text
                    for o in f.findall(q(NS_DATA, "option"))}
            values[var] = opts.get(v.lower(), v)
        self.ok.check(len(values) == 5, "form names the paper's attributes",
                      ", ".join(sorted(fields)))
        sub = "".join("<field var='%s'><value>%s</value></field>" % kv
                      for kv in values.items())
        iid = self.new_id("form")
        res = await self.rpc(self.iq("set", self.command(
            "<x xmlns='%s' type='submit'>%s</x>" % (NS_DATA, sub),
            action="complete", sid=sid), iid), iid, "Submitting the form")
        cmd = res.find(q(NS_CMD, "command")) if res is not None else None
        x = cmd.find(q(NS_DATA, "x")) if cmd is not None else None
        got = sorted(v.text for v in x.iter(q(NS_DATA, "value"))) \
            if x is not None else None
        self.ok.check(cmd is not None and cmd.get("status") == "completed" and
                      x is not None and x.get("type") == "result" and
                      got == ["cloud2", "cloud5"],
                      "submitted form returns cloud2 and cloud5 as a result form",
                      serialize(res) if res is not None else "no answer")
        # Cancel a second form session.
        iid = self.new_id("form")
        res = await self.rpc(self.iq("set", self.command(), iid), iid)
        sid = res.find(q(NS_CMD, "command")).get("sessionid")
        iid = self.new_id("form")
        res = await self.rpc(self.iq("set", self.command(action="cancel",
                                                         sid=sid), iid), iid,
                             "Canceling a form session")
        cmd = res.find(q(NS_CMD, "command")) if res is not None else None
        self.ok.check(cmd is not None and cmd.get("status") == "canceled",
                      "cancel answers status canceled")

    async def sc_errors(self):
        """A request with an unknown attribute: completed + note error."""
        iid = self.new_id("err")
        res = await self.rpc(self.iq("set", self.command(self.io_input(
            self.constraints([("colourOfTheSky", "blue")]))), iid), iid,
            "A constraint naming an unknown attribute")
        self.expect_note_error(res, "unknown attribute: completed with a note",
                               "colourOfTheSky")
        iid = self.new_id("err")
        res = await self.rpc(self.iq("set", self.command(self.io_input(
            self.constraints([("tierCountry", "Japna")]))), iid), iid,
            "A constraint with a misspelt country")
        self.expect_note_error(res, "misspelt value: the note says did you mean",
                               'did you mean "Japan"? known values, nearest first: Japan;')

    def expect_note_error(self, res, what, mention=None, iodata=True):
        cmd = res.find(q(NS_CMD, "command")) if res is not None else None
        note = cmd.find(q(NS_CMD, "note")) if cmd is not None else None
        io = cmd.find(q(NS_IO, "iodata")) if cmd is not None else None
        ok = (res is not None and res.get("type") == "result" and
              cmd is not None and cmd.get("status") == "completed" and
              note is not None and note.get("type") == "error" and
              (note.text or "").strip() != "")
        if iodata:
            ok = ok and io is not None and io.get("type") == "error"
        if mention:
            ok = ok and mention.lower() in (note.text or "").lower()
        return self.ok.check(ok, what, serialize(res)[:600]
                             if res is not None else "no answer")

    def hostile_table(self):
        big = "9" * 100000
        deep = "<a>" * 2000 + "1" + "</a>" * 2000
        many = [("replicationFactor", str(i)) for i in range(3000)]
        c = self.constraints
        inp = self.io_input
        cmd = self.command

        def explain(inner="", **kw):
            return cmd(inner, node=NODE_EXPLAIN, **kw)

        def cloud_names(*names, ns=NS_CSP):
            return "".join("<cloudName xmlns='%s'>%s</cloudName>" % (ns, n)
                           for n in names)
        paper = c([("availability", "99.999"), ("replicationFactor", "5")])
        return [
            ("unknown action", "set", cmd(action="explode"),
             ("error", "bad-request", "malformed-action")),
            ("prev without a session", "set", cmd(action="prev"),
             ("error", "bad-request", "bad-action")),
            ("complete without a session", "set", cmd(action="complete"),
             ("error", "bad-request", "bad-action")),
            ("unknown node", "set", cmd(node="rm_rf_everything"),
             ("error", "item-not-found", None)),
            ("command without node", "set", cmd(node=None),
             ("error", "bad-request", None)),
            ("unknown sessionid", "set", cmd(sid="icx-00000000"),
             ("error", "bad-request", "bad-sessionid")),
            ("cancel of an unknown session", "set",
             cmd(action="cancel", sid="nope"),
             ("error", "bad-request", "bad-sessionid")),
            ("getStatus without a session", "set",
             cmd("<iodata xmlns='%s' type='getStatus'/>" % NS_IO),
             ("error", "bad-request", "bad-sessionid")),
            ("command sent as iq get", "get", cmd(inp(c([("replicas", "5")]))),
             ("error", "bad-request", None)),
            ("command in a wrong namespace", "set",
             "<command xmlns='urn:evil' node='%s' action='execute'/>" % NODE,
             ("error", "service-unavailable", None)),
            ("unknown payload", "get", "<query xmlns='jabber:iq:evil'/>",
             ("error", "service-unavailable", None)),
            # Prosody itself refuses these two before routing them (its
            # error has no 'to'); icxd answers them the same way if a
            # server lets them through.
            ("iq set without payload", "set", "",
             ("error", "bad-request", None, "server")),
            ("two payloads", "get",
             "<ping xmlns='urn:xmpp:ping'/><ping xmlns='urn:xmpp:ping'/>",
             ("error", "bad-request", None, "server")),
            ("ping as set", "set", "<ping xmlns='urn:xmpp:ping'/>",
             ("error", "service-unavailable", None)),
            ("disco#info on an unknown node", "get",
             "<query xmlns='%s' node='nowhere'/>" % NS_INFO,
             ("error", "item-not-found", None)),
            ("unknown iodata type", "set",
             cmd("<iodata xmlns='%s' type='explode'/>" % NS_IO),
             ("error", "bad-request", "bad-payload")),
            ("iodata input without <in>", "set",
             cmd("<iodata xmlns='%s' type='input'/>" % NS_IO),
             ("error", "bad-request", "bad-payload")),
            ("constraints in a wrong namespace", "set",
             cmd(inp("<constraints xmlns='urn:evil'><constraint><attribute>"
                     "replicas</attribute><value>5</value></constraint>"
                     "</constraints>")), ("note", None)),
            ("no constraints element", "set", cmd(inp("<foo/>")), ("note", None)),
            ("constraint without value", "set",
             cmd(inp("<constraints xmlns='%s'><constraint><attribute>replicas"
                     "</attribute></constraint></constraints>" % NS_CSP)),
             ("note", None)),
            ("constraint without attribute", "set",
             cmd(inp("<constraints xmlns='%s'><constraint><value>5</value>"
                     "</constraint></constraints>" % NS_CSP)), ("note", None)),
            ("unknown attribute", "set",
             cmd(inp(c([("colourOfTheSky", "blue")]))),
             ("note", "colourOfTheSky")),
            ("unknown country", "set", cmd(inp(c([("tierCountries", "Atlantis")]))),
             ("note", "Atlantis")),
            ("value that is not a number", "set",
             cmd(inp(c([("replicationFactor", "five")]))), ("note", None)),
            ("SPARQL in a numeric value", "set",
             cmd(inp(c([("availability", "99 } UNION { ?s ?p ?o }")]))),
             ("note", None)),
            ("SPARQL in an individual value", "set",
             cmd(inp(c([("tierCountries",
                         "JAPAN&quot; . } ; DROP ALL ; #")]))), ("note", None)),
            ("SPARQL in an attribute name", "set",
             cmd(inp(c([("&lt;http://evil&gt; ?p ?o } #", "1")]))),
             ("note", None)),
            ("markup escaping out of a value", "set",
             cmd(inp(c([("replicas", "&lt;/value&gt;&lt;value&gt;5")]))),
             ("note", None)),
            ("huge value (100 kB)", "set",
             cmd(inp(c([("availability", big)]))), ("note", None)),
            ("deep nesting (2000 levels)", "set",
             cmd(inp("<constraints xmlns='%s'><constraint><attribute>replicas"
                     "</attribute><value>%s</value></constraint></constraints>"
                     % (NS_CSP, deep))), ("note", None)),
            ("deep nesting around constraints (2000 levels)", "set",
             cmd(inp("<a>" * 2000 + c([("replicas", "5")]) + "</a>" * 2000)),
             ("note", None)),
        ] + ([
            # ejabberd closes the sender's own stream on this one (its
            # parser's depth limit): the stanza never reaches icxd.
            ("very deep nesting (30000 levels, near Prosody's size limit)",
             "set", cmd(inp("<a>" * 30000 + "</a>" * 30000)), ("note", None)),
        ] if self.args.server == "prosody" else []) + [
            ("3000 constraints", "set", cmd(inp(c(many))), ("note", None)),
            # 256 constraints parse (the engine's count limit) but need 260
            # triple patterns, and a query may have 64: refused at once by
            # the compiler (the third element is the most seconds allowed).
            ("256 constraints (260 triple patterns, more than 64)", "set",
             cmd(inp(c(many[:256]))), ("note", "260 triple patterns", 5.0)),
            ("form with an unknown field", "set",
             cmd("<x xmlns='%s' type='submit'><field var='nonsense'><value>x"
                 "</value></field></x>" % NS_DATA), ("form-note", None)),
            # explain_constraints takes the same input, plus <cloudName>s.
            ("explain: unknown action", "set", explain(action="explode"),
             ("error", "bad-request", "malformed-action")),
            ("explain: execute without IO Data", "set", explain(),
             ("error", "bad-request", "bad-payload")),
            ("explain: a submitted form", "set",
             explain("<x xmlns='%s' type='submit'><field var='replicas'>"
                     "<value>5</value></field></x>" % NS_DATA),
             ("error", "bad-request", "bad-payload")),
            ("explain: getStatus without a session", "set",
             explain("<iodata xmlns='%s' type='getStatus'/>" % NS_IO),
             ("error", "bad-request", "bad-sessionid")),
            ("explain: unknown attribute", "set",
             explain(inp(c([("colourOfTheSky", "blue")]) +
                         cloud_names("cloud1"))),
             ("note", "colourOfTheSky")),
            ("explain: no constraints element", "set",
             explain(inp(cloud_names("cloud1"))), ("note", "<constraints")),
            ("explain: <cloudName> outside the constraints namespace", "set",
             explain(inp(paper + cloud_names("cloud1", ns=NS_IO))),
             ("note", "expected \"%s\"" % NS_CSP)),
            ("explain: empty <cloudName>", "set",
             explain(inp(paper + cloud_names(" "))), ("note", "is empty")),
            ("explain: <cloudName> holding an element", "set",
             explain(inp(paper + cloud_names("<b>cloud1</b>"))),
             ("note", "holds an element")),
            ("explain: <cloud> instead of <cloudName>", "set",
             explain(inp(paper + "<cloud xmlns='%s'>cloud1</cloud>" % NS_CSP)),
             ("note", "unexpected <cloud>")),
            ("explain: 33 clouds", "set",
             explain(inp(paper + cloud_names(*["c%d" % i for i in range(33)]))),
             ("note", "more than 32 <cloudName>")),
            ("explain: huge cloud name (100 kB)", "set",
             explain(inp(paper + cloud_names("c" * 100000))),
             ("note", "longer than 1024 bytes")),
            ("explain: SPARQL in a numeric value", "set",
             explain(inp(c([("availability", "99 } UNION { ?s ?p ?o }")]))),
             ("note", None)),
            ("explain: 3000 constraints", "set", explain(inp(c(many))),
             ("note", "more than 256 constraints")),
            # An explanation matches many subsets of the constraints: the
            # whole request is refused before any of them runs.
            ("explain: 100 constraints (104 triple patterns, more than 64)",
             "set", explain(inp(c(many[:100]))),
             ("note", "104 triple patterns", 5.0)),
        ]

    async def sc_hostile(self):
        for title, typ, payload, expect in self.hostile_table():
            iid = self.new_id("bad")
            text = self.iq(typ, payload, iid)
            shown = text if len(text) < 600 else text[:300] + " ... " + text[-120:]
            self.log("\n### Hostile: %s\n\n```xml\n%s\n```\n" % (title, shown))
            t0 = time.monotonic()
            res = await self.rpc(text, iid)
            took = time.monotonic() - t0
            if res is not None:
                self.log("```xml\n%s\n```" % serialize(res))
            if expect[0] == "note" and len(expect) > 2:
                self.ok.check(res is not None and took <= expect[2],
                              "hostile: %s answered within %.0f s" % (
                                  title, expect[2]), "took %.1f s" % took)
            if expect[0] == "error":
                cond, app = self.error_of(res)
                self.ok.check(cond == expect[1] and app == expect[2],
                              "hostile: %s -> %s%s" % (
                                  title, expect[1],
                                  "/" + expect[2] if expect[2] else ""),
                              "got %s/%s" % (cond, app))
                if len(expect) < 4:
                    self.addressed(res, "hostile: %s" % title)
            elif expect[0] == "note":
                self.expect_note_error(res, "hostile: %s -> completed with "
                                       "note error" % title, expect[1])
            else:
                self.expect_note_error(res, "hostile: %s -> completed with "
                                       "note error" % title, expect[1],
                                       iodata=False)
            iid = self.new_id("alive")
            pong = await self.rpc(self.iq("get", "<ping xmlns='urn:xmpp:ping'/>",
                                          iid), iid, timeout=5)
            if not self.ok.check(pong is not None and
                                 pong.get("type") == "result",
                                 "icxd still answers after: %s" % title):
                return
        await self.sc_paper()

    # ---- explain_constraints ------------------------------------------
    PAPER_CONSTRAINTS = [
        ("availabilityQuanity ", "99.999"), ("replicationFactor", "5"),
        ("tierCountries", "JAPAN"), ("StorageReplicationMethod\n", "AMQP"),
        ("InterCloudStorageAccess\n", "NFS")]

    def explain_request(self, pairs, clouds=(), iid=None):
        names = "".join("<cloudName xmlns='%s'>%s</cloudName>" % (NS_CSP, n)
                        for n in clouds)
        return self.iq("set", self.command(self.io_input(
            self.constraints(pairs) + names), node=NODE_EXPLAIN), iid)

    def explanation_of(self, res, what):
        """The <explanation> of a completed explain_constraints answer, as
        plain data, or None (and a failed check)."""
        cmd = res.find(q(NS_CMD, "command")) if res is not None else None
        io = cmd.find(q(NS_IO, "iodata")) if cmd is not None else None
        out = io.find(q(NS_IO, "out")) if io is not None else None
        ex = out.find(q(NS_CSP, "explanation")) if out is not None else None
        if not self.ok.check(
                ex is not None and res.get("type") == "result" and
                cmd.get("node") == NODE_EXPLAIN and
                cmd.get("status") == "completed" and
                io.get("type") == "output",
                what + ": completed with an <explanation>",
                serialize(res)[:800] if res is not None else "no answer"):
            return None
        return self.explanation_data(ex)

    @staticmethod
    def explanation_data(ex):
        return {
            "matching": int(ex.get("matching")),
            "constraints": [(c.get("attribute"), int(c.get("alone")),
                             int(c.get("remaining")))
                            for c in ex.findall(q(NS_CSP, "constraint"))],
            "clouds": {c.get("name"): (c.get("known"), c.get("matches"),
                                       [(int(f.get("constraint")), f.text)
                                        for f in c.findall(q(NS_CSP, "fails"))])
                       for c in ex.findall(q(NS_CSP, "cloud"))},
            "relaxations": [(r.get("without"), r.get("matching"), r.get("clouds"))
                            for r in ex.findall(q(NS_CSP, "relaxation"))],
            "element": ex,
        }

    async def sc_explain(self):
        """explain_constraints on the shipped data (data/clouds)."""
        iid = self.new_id("explain")
        res = await self.rpc(self.iq("set", self.command(
            "<iodata xmlns='%s' type='io-schemata-get'/>" % NS_IO,
            node=NODE_EXPLAIN), iid), iid, "IO Data schemata of the explain node")
        io = res.find(".//" + q(NS_IO, "iodata")) if res is not None else None
        sch_in = io.find("%s/%s" % (q(NS_IO, "in"), q(NS_XS, "schema"))) \
            if io is not None else None
        sch_out = io.find("%s/%s" % (q(NS_IO, "out"), q(NS_XS, "schema"))) \
            if io is not None else None
        self.ok.check(io is not None and io.get("type") == "io-schemata-result"
                      and sch_in is not None and sch_out is not None and
                      res.find(q(NS_CMD, "command")).get("node") == NODE_EXPLAIN,
                      "explain node: io-schemata-result with an <in> and an "
                      "<out> schema")

        # The paper's request, explained for five clouds.  Worked out by
        # hand from data/clouds (every constraint must hold on one storage
        # service of a cloud; cloud8 has two):
        #  alone: availability >= 99.999 fails only cloud1 (99.99);
        #    replicationFactor >= 5 only cloud3 (4); tier in Japan only
        #    cloud4 (DE, FR); AMQP only cloud6 (Rsync; cloud4's AMQP 1.0 is
        #    narrower than AMQP); NFS only cloud7 (CIFS; NFSv3, NFSv4 and
        #    NFSv4.1 are narrower than NFS).  So 7 of the 8 clouds each.
        #  remaining, in order: 7 (all but cloud1); 6 (cloud3 out); 5
        #    (cloud4 out); 3 (cloud6 out, and cloud8: its archive service,
        #    which met the first three, replicates over rsync; its fast
        #    one has AMQP but 99.9 availability); 2 (cloud7 out): cloud2
        #    and cloud5, the paper's answer.
        #  cloud1 fails only constraint 1 (best offer 99.99); cloud4 only
        #  constraint 3; cloud8 meets each constraint alone (archive or
        #  fast) and so fails none, yet does not match; cloud2 matches; no
        #  cloud is called "nosuch"; a name that tries to break out of the
        #  query is just an unknown name.
        names = ["cloud1", "cloud4", "cloud8", "cloud2", "nosuch",
                 "x&quot;) } UNION { ?s ?p ?o } #"]
        iid = self.new_id("explain")
        res = await self.rpc(self.explain_request(self.PAPER_CONSTRAINTS, names,
                                                  iid), iid,
                             "Explaining the paper's request for six clouds")
        ex = self.explanation_of(res, "explain the paper's request")
        if ex is not None:
            self.addressed(res, "explanation")
            labels = ["availability", "replicationFactor", "tierCountry",
                      "replicationMethod", "storageAccess"]
            self.ok.check(ex["matching"] == 2, "explanation: 2 clouds match",
                          str(ex["matching"]))
            self.ok.check(ex["constraints"] ==
                          list(zip(labels, [7] * 5, [7, 6, 5, 3, 2])),
                          "explanation: 7 clouds meet each constraint alone; "
                          "7, 6, 5, 3, 2 remain in order", str(ex["constraints"]))
            cl = ex["clouds"]
            self.ok.check(list(cl) == names[:5] + ['x") } UNION { ?s ?p ?o } #'],
                          "explanation: one <cloud> per name, in order",
                          str(list(cl)))
            c1 = cl.get("cloud1", (None, None, []))
            self.ok.check(c1[:2] == ("true", "false") and len(c1[2]) == 1 and
                          c1[2][0][0] == 1 and "99.99," in c1[2][0][1] and
                          "99.999" in c1[2][0][1],
                          "explanation: cloud1 fails availability only "
                          "(99.99 < 99.999)", str(c1))
            c4 = cl.get("cloud4", (None, None, []))
            self.ok.check(c4[:2] == ("true", "false") and
                          [f[0] for f in c4[2]] == [3] and
                          "France" in c4[2][0][1] and "Japan" in c4[2][0][1],
                          "explanation: cloud4 fails the tier country only",
                          str(c4))
            self.ok.check(cl.get("cloud8") == ("true", "false", []),
                          "explanation: cloud8 fails no constraint alone, "
                          "yet does not match", str(cl.get("cloud8")))
            self.ok.check(cl.get("cloud2") == ("true", "true", []),
                          "explanation: cloud2 matches", str(cl.get("cloud2")))
            self.ok.check(cl.get("nosuch") == ("false", "false", []) and
                          cl.get('x") } UNION { ?s ?p ?o } #') ==
                          ("false", "false", []),
                          "explanation: unknown names (one of them SPARQL) "
                          "are unknown clouds")
            self.ok.check(ex["relaxations"] == [],
                          "explanation: no relaxations when something matches")
            if sch_out is not None:
                self.validate_with(sch_out, ex["element"],
                                   "explanation validates against the "
                                   "explain node's <out> schema")
            if sch_in is not None:
                body = ET.fromstring(self.io_input(self.constraints(
                    self.PAPER_CONSTRAINTS) + "<cloudName xmlns='%s'>cloud1"
                    "</cloudName>" % NS_CSP)).find(q(NS_IO, "in"))
                for part in body:
                    self.validate_with(sch_in, part, "explain input <%s> "
                                       "validates against the <in> schema" %
                                       part.tag.split("}")[1])

        # Nothing matches: storage access CIFS (only cloud7), a tier in
        # Singapore (only cloud5), at least 9 replicas (only cloud8's
        # archive).  Each constraint alone: 1 cloud; remaining: 1, then 0.
        # Dropping one constraint leaves two that no cloud meets together;
        # dropping two leaves one: without 1 and 2, cloud8; without 1 and
        # 3, cloud5; without 2 and 3, cloud7.
        iid = self.new_id("explain")
        res = await self.rpc(self.explain_request(
            [("storageAccess", "CIFS"), ("tierCountry", "Singapore"),
             ("replicationFactor", "9")], ["cloud5"], iid), iid,
            "An explanation when nothing matches")
        ex = self.explanation_of(res, "explain a request nothing matches")
        if ex is not None:
            self.ok.check(ex["matching"] == 0 and
                          [c[1:] for c in ex["constraints"]] ==
                          [(1, 1), (1, 0), (1, 0)],
                          "no match: 1 cloud per constraint alone; 1, 0, 0 "
                          "remain", str(ex["constraints"]))
            self.ok.check(ex["relaxations"] == [("1 2", "1", "cloud8"),
                                                ("1 3", "1", "cloud5"),
                                                ("2 3", "1", "cloud7")],
                          "no match: the three smallest removals, how many "
                          "clouds each gives and which", str(ex["relaxations"]))
            c5 = ex["clouds"].get("cloud5", (None, None, []))
            self.ok.check(c5[:2] == ("true", "false") and
                          [f[0] for f in c5[2]] == [1, 3],
                          "no match: cloud5 fails storage access and replicas",
                          str(c5))

        # Removals are searched in requests of at most 16 constraints; past
        # that an explanation of no match says so in an info note.
        iid = self.new_id("explain")
        res = await self.rpc(self.explain_request(
            [("replicationFactor", "100")] * 17, [], iid), iid)
        ex = self.explanation_of(res, "explain 17 constraints nothing meets")
        note = res.find("%s/%s" % (q(NS_CMD, "command"), q(NS_CMD, "note"))) \
            if res is not None else None
        self.ok.check(ex is not None and ex["matching"] == 0 and
                      ex["relaxations"] == [] and note is not None and
                      note.get("type") == "info" and
                      "at most 16 constraints" in (note.text or ""),
                      "17 constraints, no match: an info note says removals "
                      "were not searched",
                      serialize(res)[:600] if res is not None else "no answer")

        # A sessionid belongs to its node.
        iid = self.new_id("explain")
        res = await self.rpc(self.iq("set", self.command(), iid), iid)
        sid = res.find(q(NS_CMD, "command")).get("sessionid") \
            if res is not None else None
        iid = self.new_id("explain")
        res = await self.rpc(self.iq("set", self.command(
            action="cancel", sid=sid, node=NODE_EXPLAIN), iid), iid)
        self.ok.check(self.error_of(res) == ("bad-request", "bad-sessionid"),
                      "a match session is not an explain session")
        iid = self.new_id("explain")
        res = await self.rpc(self.iq("set", self.command(action="cancel",
                                                         sid=sid), iid), iid)
        self.ok.check(res is not None and res.get("type") == "result",
                      "the match session is still there for its own node")

    # ---- an explanation past the servers' stanza size limits -------------
    # 32 clouds named, each offering 14 countries of long names, and 60
    # constraints each asking 20 others: whole, the explanation is some
    # 2 MB (1,920 sentences), from a request of 60 KB, past ejabberd's
    # component listener (1 MB in doc/servers.md) and Prosody's s2s limit.
    BIG_OFFERED = ("GS", "SH", "KP", "CD", "UM", "HM", "VE", "BQ", "LA", "VC",
                   "BO", "FM", "IO", "VA")
    BIG_ASKED = ("Tanzania, United Republic of", "Falkland Islands (Malvinas)",
                 "French Southern Territories", "Saint Martin (French part)",
                 "Iran, Islamic Republic of", "Saint Pierre and Miquelon",
                 "Sint Maarten (Dutch part)", "Taiwan, Province of China",
                 "Central African Republic", "Northern Mariana Islands",
                 "Turks and Caicos Islands", "Cocos (Keeling) Islands",
                 "Virgin Islands, British", "Bosnia and Herzegovina",
                 "Svalbard and Jan Mayen", "Saint Kitts and Nevis",
                 "Sao Tome and Principe", "United Arab Emirates",
                 "Moldova, Republic of", "Syrian Arab Republic")

    @staticmethod
    def big_cloud_name(k):
        return "cloud-with-a-long-name-%02d-%s" % (k, "x" * 60)

    @staticmethod
    def clouds_doc(ns, names, service):
        """Turtle: one cloud per name (in namespace ns), each offering one
        storage service with the properties service gives."""
        out = ["@prefix res: <http://www.csp/resOntology#> .",
               "@prefix ex: <%s> ." % ns]
        for k, name in enumerate(names):
            out.append('ex:c%d a res:Cloud ; res:cloudName "%s" ; res:offers ex:s%d .'
                       % (k, name, k))
            out.append("ex:s%d a res:StorageService ; %s ." % (k, service))
        return "\n".join(out) + "\n"

    @classmethod
    def big_doc(cls):
        """The Turtle of the 32 clouds sc_explain_big names."""
        return cls.clouds_doc(
            "http://big.example/ns#", [cls.big_cloud_name(k) for k in range(32)],
            "res:availability 99.9 ; res:replicationFactor 2 ; res:tierCountry "
            + ", ".join("res:" + c for c in cls.BIG_OFFERED))

    async def sc_explain_big(self):
        """An explanation that would be some 2 MB: it comes cut under
        explain_max_bytes (128 KiB by default), every cloud named still
        there, and the exchange answers the next request (a server that
        got a stanza past its limit would have closed icxd's stream)."""
        body = "".join(
            "<constraint op='anyOf'><attribute>tierCountry</attribute>%s"
            "</constraint>" % "".join("<value>%s</value>" % v
                                      for v in self.BIG_ASKED)
            for _ in range(60))
        names = "".join("<cloudName xmlns='%s'>%s</cloudName>" %
                        (NS_CSP, self.big_cloud_name(k)) for k in range(32))
        iid = self.new_id("explainbig")
        req = self.iq("set", self.command(self.io_input(
            "<constraints xmlns='%s'>%s</constraints>" % (NS_CSP, body) + names),
            node=NODE_EXPLAIN), iid)
        res = await self.rpc(req, iid)
        cmd = res.find(q(NS_CMD, "command")) if res is not None else None
        if cmd is not None and cmd.get("status") == "executing":
            # Slower than the async threshold (a sanitizer build): the
            # explanation comes in a message, then from getOutput; the
            # message is bounded as the answer is.
            sid = cmd.get("sessionid")
            pushed = await self.wait_push(sid)
            pex = pushed.find(".//" + q(NS_CSP, "explanation")) \
                if pushed is not None else None
            self.ok.check(pex is not None and pex.get("cut") == "true" and
                          len(serialize(pushed)) <= 131072 + 4096,
                          "the explanation pushed in a message is cut too",
                          "%d bytes" % len(serialize(pushed)) if pushed is not None
                          else "no message")
            iid = self.new_id("explainbig")
            res = await self.rpc(self.iq("set", self.command(
                "<iodata xmlns='%s' type='getOutput'/>" % NS_IO, sid=sid,
                node=NODE_EXPLAIN), iid), iid)
        ex = self.explanation_of(res, "explanation past the size limit")
        if ex is None:
            return
        size = len(serialize(ex["element"]))
        el = ex["element"]
        clouds = el.findall(q(NS_CSP, "cloud"))
        whole = [c for c in clouds if c.find(q(NS_CSP, "fails")) is not None]
        bare = [c for c in clouds if c.get("failures") is not None]
        note = res.find(".//" + q(NS_CMD, "note"))
        self.ok.check(el.get("cut") == "true" and size <= 131072,
                      "explanation cut under explain_max_bytes",
                      "cut=%s, %d bytes" % (el.get("cut"), size))
        self.ok.check(len(clouds) == 32 and len(whole) >= 1 and
                      len(whole) + len(bare) == 32 and
                      all(c.get("failures") == "60" and c.get("known") == "true"
                          for c in bare),
                      "every cloud named is there, the later ones with failures=",
                      "%d clouds, %d whole, %d bare" % (len(clouds), len(whole),
                                                        len(bare)))
        self.ok.check(len(ex["constraints"]) == 60,
                      "every constraint's line is kept")
        sentence = whole[0].find(q(NS_CSP, "fails")).text if whole else ""
        self.ok.check(sentence.count(",") < 30 and ", ..." in sentence,
                      "a sentence lists at most 12 values asked", sentence[:300])
        self.ok.check(note is not None and "explain_max_bytes" in (note.text or ""),
                      "a note says the explanation was cut",
                      serialize(note) if note is not None else "no note")
        await self.sc_ping()
        await self.sc_paper()

    # ---- answers that list every matching cloud --------------------------
    # 8,000 clouds of 200-character names, every one matching
    # replicationFactor >= 1: listed whole, an answer is some 1.7 MB, past
    # ejabberd's component limit (1 MB in doc/servers.md), which ends
    # icxd's stream.
    @staticmethod
    def broad_cloud_name(k):
        return "broad-cloud-%05d-%s" % (k, "y" * 182)

    @classmethod
    def broad_doc(cls):
        """The Turtle of the clouds sc_broad_lists expects."""
        return cls.clouds_doc("http://broad.example/ns#",
                              [cls.broad_cloud_name(k) for k in range(8000)],
                              "res:replicationFactor 3")

    async def broad_answer(self, what, text, iid, limit=262144):
        """Sends text; checks its answer came and stays under limit.  An
        answer slower than the async threshold (a sanitizer build) is the
        message pushed when it is done: it is checked, and returned."""
        res = await self.rpc(text, iid)
        size = len(serialize(res)) if res is not None else 0
        self.ok.check(res is not None and size <= limit,
                      "%s: answered in at most %d bytes" % (what, limit),
                      "%d bytes" % size if res is not None else "no answer")
        cmd = res.find(q(NS_CMD, "command")) if res is not None else None
        if cmd is not None and cmd.get("status") == "executing":
            res = await self.wait_push(cmd.get("sessionid"))
            size = len(serialize(res)) if res is not None else 0
            self.ok.check(res is not None and size <= limit,
                          "%s: pushed in at most %d bytes" % (what, limit),
                          "%d bytes" % size if res is not None else "no message")
        return res

    @staticmethod
    def rsm_of(el):
        """(first, last, count) of el's <set>, or None."""
        st = el.find(q(NS_RSM, "set")) if el is not None else None
        if st is None:
            return None
        f, l, c = (st.find(q(NS_RSM, n)) for n in ("first", "last", "count"))
        return (f.text if f is not None else None,
                l.text if l is not None else None,
                int(c.text) if c is not None else None)

    @staticmethod
    def names_in(el, ns=NS_CSP):
        return [] if el is None else [
            (c.text or "").strip() for c in el.findall(q(ns, "cloudName"))]

    async def broad_list(self, inner, iid):
        """list_subscriptions with inner in <in>: its answer, or the
        message pushed when it went asynchronous."""
        res = await self.rpc(self.iq("set", self.command(
            self.io_input(inner) if inner else "", node="list_subscriptions"),
            iid), iid)
        cmd = res.find(q(NS_CMD, "command")) if res is not None else None
        if cmd is not None and cmd.get("status") == "executing":
            res = await self.wait_push(cmd.get("sessionid"))
        return res

    async def sc_broad_lists(self):
        """Every answer that lists matching clouds stays under the servers'
        stanza limits on a broad request, and icxd's stream stays up: the
        data form's result lists the first clouds and says how many more;
        subscribe_matches and list_subscriptions give pages (XEP-0059),
        and list_subscriptions walks one subscription's clouds to the
        last."""
        # The broad clouds sort first; the store's own (the shipped data)
        # may match too and come after them.
        want = [self.broad_cloud_name(k) for k in range(8000)]
        # The data form flow.
        iid = self.new_id("broad")
        res = await self.rpc(self.iq("set", self.command(), iid), iid)
        cmd = res.find(q(NS_CMD, "command")) if res is not None else None
        if not self.ok.check(cmd is not None and cmd.get("sessionid"),
                             "broad: a form session"):
            return
        sub = "<field var='replicationFactor'><value>1</value></field>"
        iid = self.new_id("broad")
        res = await self.broad_answer("the form's result", self.iq(
            "set", self.command("<x xmlns='%s' type='submit'>%s</x>" % (NS_DATA, sub),
                                action="complete", sid=cmd.get("sessionid")), iid), iid)
        x = res.find(".//" + q(NS_DATA, "x")) if res is not None else None
        items = [] if x is None else [
            (i.find(".//" + q(NS_DATA, "value")).text or "")
            for i in x.findall(q(NS_DATA, "item"))]
        title = x.find(q(NS_DATA, "title")) if x is not None else None
        note = res.find(".//" + q(NS_CMD, "note")) if res is not None else None
        total = int(title.text.split()[0]) if title is not None else 0
        self.ok.check(total >= 8000 and title.text == "%d matching clouds" % total and
                      0 < len(items) < 8000 and items == want[:len(items)] and
                      note is not None and (note.text or "").startswith(
                          "%d matching clouds, the first %d listed" % (total, len(items))),
                      "the form's result: the first clouds, all counted",
                      "%d items, title %r, note %r" % (
                          len(items), None if title is None else title.text,
                          None if note is None else note.text))
        # A standing request: its first page, then its pages by name.
        req = self.io_input(self.constraints([("replicationFactor", "1")]))
        iid = self.new_id("broad")
        res = await self.broad_answer("subscribe_matches", self.iq("set", self.command(
            req, node="subscribe_matches"), iid), iid)
        sd = res.find(".//" + q(NS_M, "subscribed")) if res is not None else None
        mc = sd.find(q(NS_CSP, "matchingClouds")) if sd is not None else None
        first = self.names_in(mc)
        self.ok.check(sd is not None and 0 < len(first) < 8000 and
                      first == want[:len(first)] and
                      self.rsm_of(mc) == (first[0], first[-1], total),
                      "subscribe_matches: a first page of them all",
                      "%d names, set %r" % (len(first), self.rsm_of(mc)))
        sid = sd.get("subscription") if sd is not None else "0"
        # A page other than the first is refused before anything is kept.
        iid = self.new_id("broad")
        res = await self.rpc(self.iq("set", self.command(self.io_input(
            self.constraints([("replicationFactor", "2")]) +
            "<set xmlns='%s'><after>%s</after></set>" % (NS_RSM, want[0])),
            node="subscribe_matches"), iid), iid)
        err = res.find(".//" + q(NS_STANZAS, "text")) if res is not None else None
        self.ok.check(err is not None and res.get("type") == "error" and
                      "takes only <max>" in (err.text or ""),
                      "subscribe_matches with <after> is refused",
                      "" if res is None else serialize(res)[:300])
        iid = self.new_id("broad")
        res = await self.broad_answer("list_subscriptions", self.iq("set", self.command(
            "", node="list_subscriptions"), iid), iid)
        el = None
        if res is not None:
            for e in res.iter(q(NS_M, "subscription")):
                if e.get("id") == sid:
                    el = e
        listed = self.names_in(el, NS_M)
        n_subs = len(list(res.iter(q(NS_M, "subscription")))) if res is not None else 0
        self.ok.check(n_subs == 1, "the refused subscribe kept nothing",
                      "%d subscriptions" % n_subs)
        self.ok.check(el is not None and el.get("clouds") == str(total) and
                      0 < len(listed) < 8000 and listed == want[:len(listed)] and
                      (self.rsm_of(el) or (0, 0, 0))[2] == total,
                      "list_subscriptions: a first page of each, counted",
                      "%d names, set %r" % (len(listed), self.rsm_of(el)))
        got, after, pages = [], None, 0
        while pages < 200 and len(got) < total:
            pages += 1
            iid = self.new_id("broad")
            res = await self.broad_list(
                "<list xmlns='%s' subscription='%s'/>%s" % (
                    NS_M, sid, "" if after is None else
                    "<set xmlns='%s'><after>%s</after></set>" % (NS_RSM, after)), iid)
            el = res.find(".//" + q(NS_M, "subscription")) if res is not None else None
            page = self.names_in(el, NS_M)
            if not page:
                break
            got += page
            after = page[-1]
        self.ok.check(got[:8000] == want and len(got) == total and
                      len(set(got)) == total,
                      "list_subscriptions pages one subscription to its "
                      "last cloud", "%d names in %d pages" % (len(got), pages))
        # The match itself paged to its last cloud, a request a page
        # (<after>): icxd keeps the answer for the pages that follow, and
        # its log says which pages took it (icxd-component.test).
        got, after, pages = [], None, 0
        while pages < 200 and len(got) < total:
            pages += 1
            iid = self.new_id("broad")
            res = await self.broad_answer("a page of the match", self.iq(
                "set", self.command(self.io_input(
                    self.constraints([("replicationFactor", "1")]) +
                    ("" if after is None else "<set xmlns='%s'><after>%s</after></set>"
                     % (NS_RSM, after)))), iid), iid)
            mc = res.find(".//" + q(NS_CSP, "matchingClouds")) if res is not None else None
            page = self.names_in(mc)
            if not page or (self.rsm_of(mc) or (0, 0, 0))[2] != total:
                break
            got += page
            after = page[-1]
        self.ok.check(got[:8000] == want and len(got) == total and
                      len(set(got)) == total,
                      "the match pages to its last cloud",
                      "%d names in %d pages" % (len(got), pages))
        iid = self.new_id("broad")
        res = await self.broad_list("<list xmlns='%s' subscription='999999'/>" % NS_M, iid)
        note = res.find(".//" + q(NS_CMD, "note")) if res is not None else None
        self.ok.check(note is not None and note.get("type") == "error" and
                      note.text == "no subscription 999999 of yours",
                      "list_subscriptions of a subscription not yours",
                      None if note is None else note.text)
        iid = self.new_id("broad")
        res = await self.broad_list("<set xmlns='%s'><max>5</max></set>" % NS_RSM, iid)
        err = res.find(".//" + q(NS_STANZAS, "text")) if res is not None else None
        self.ok.check(err is not None and res.get("type") == "error" and
                      "name it with <list" in (err.text or ""),
                      "list_subscriptions: a <set> without a subscription is "
                      "refused", "" if res is None else serialize(res)[:300])
        iid = self.new_id("broad")
        await self.rpc(self.iq("set", self.command(self.io_input(
            "<unsubscribe xmlns='%s' subscription='all'/>" % NS_M),
            node="unsubscribe_matches"), iid), iid)
        await self.sc_ping()
        await self.sc_paper()

    async def sc_explain_async(self):
        """Needs icxd with a query delay above its async threshold: an
        explanation goes asynchronous like a match, and its push names the
        explain node."""
        iid = self.new_id("async")
        res = await self.rpc(self.explain_request(self.PAPER_CONSTRAINTS,
                                                  ["cloud1"], iid), iid)
        cmd = res.find(q(NS_CMD, "command")) if res is not None else None
        ok = cmd is not None and cmd.get("status") == "executing" and \
            cmd.get("node") == NODE_EXPLAIN and cmd.get("sessionid")
        self.ok.check(ok, "long explanation answered executing on its node",
                      serialize(res) if res is not None else "no answer")
        if not ok:
            return
        sid = cmd.get("sessionid")
        pushed = await self.wait_push(sid)
        pc = pushed.find(q(NS_CMD, "command")) if pushed is not None else None
        self.ok.check(pc is not None and pc.get("node") == NODE_EXPLAIN and
                      pc.get("status") == "completed" and
                      pushed.find(".//" + q(NS_CSP, "explanation")) is not None,
                      "explanation pushed in a message from the explain node")
        iid = self.new_id("async")
        res = await self.rpc(self.iq("set", self.command(
            "<iodata xmlns='%s' type='getOutput'/>" % NS_IO, sid=sid,
            node=NODE_EXPLAIN), iid), iid)
        ex = self.explanation_of(res, "getOutput of an explanation")
        self.ok.check(ex is not None and ex["matching"] == 2 and
                      [f[0] for f in ex["clouds"]["cloud1"][2]] == [1],
                      "getOutput returns the explanation")

    async def sc_async(self):
        """Needs icxd with a query delay above its async threshold."""
        paper = self.command(self.io_input(self.constraints([
            ("availabilityQuanity ", "99.999"), ("replicationFactor", "5"),
            ("tierCountries", "JAPAN"), ("StorageReplicationMethod\n", "AMQP"),
            ("InterCloudStorageAccess\n", "NFS")])))
        iid = self.new_id("async")
        t0 = time.monotonic()
        res = await self.rpc(self.iq("set", paper, iid), iid,
                             "A long query: answered executing at once")
        cmd = res.find(q(NS_CMD, "command")) if res is not None else None
        ok = cmd is not None and cmd.get("status") == "executing" and \
            cmd.get("sessionid")
        self.ok.check(ok, "long query answered executing with a sessionid",
                      serialize(res) if res is not None else "no answer")
        if not ok:
            return
        sid = cmd.get("sessionid")
        iid = self.new_id("async")
        pong = await self.rpc(self.iq("get", "<ping xmlns='urn:xmpp:ping'/>", iid),
                              iid)
        early = [m for m in self.messages
                 if m.find(q(NS_CMD, "command")) is not None and
                 m.find(q(NS_CMD, "command")).get("sessionid") == sid]
        self.ok.check(pong is not None and not early,
                      "the loop answers a ping while the query runs")
        iid = self.new_id("async")
        res = await self.rpc(self.iq("set", self.command(
            "<iodata xmlns='%s' type='getStatus'/>" % NS_IO, sid=sid), iid), iid,
            "getStatus while the query runs")
        st = res.find(".//" + q(NS_IO, "state")) if res is not None else None
        self.ok.check(st is not None and st.text in ("queued", "running") and
                      res.find(q(NS_CMD, "command")).get("status") == "executing",
                      "getStatus reports progress",
                      serialize(res) if res is not None else "no answer")
        iid = self.new_id("async")
        res = await self.rpc(self.iq("set", self.command(action="complete",
                                                         sid=sid), iid), iid,
                             "complete before the query is done")
        cmd = res.find(q(NS_CMD, "command")) if res is not None else None
        self.ok.check(cmd is not None and cmd.get("status") == "executing",
                      "complete before done answers executing")
        pushed = await self.wait_push(sid)
        self.ok.check(pushed is not None and
                      pushed.find(q(NS_CMD, "command")).get("status") ==
                      "completed" and self.clouds_of(pushed) ==
                      ["cloud2", "cloud5"],
                      "result pushed in a message when done (%.1f s)" %
                      (time.monotonic() - t0))
        self.ok.check(pushed is not None and
                      pushed.get("from") == self.service and
                      pushed.get("to") == str(self.boundjid),
                      "pushed message: from and to")
        iid = self.new_id("async")
        res = await self.rpc(self.iq("set", self.command(
            "<iodata xmlns='%s' type='getOutput'/>" % NS_IO, sid=sid), iid), iid,
            "getOutput after the push")
        self.expect_clouds(res, "getOutput returns the result")
        iid = self.new_id("async")
        res = await self.rpc(self.iq("set", self.command(
            "<iodata xmlns='%s' type='getOutput'/>" % NS_IO, sid=sid), iid), iid)
        self.ok.check(self.error_of(res) == ("bad-request", "bad-sessionid"),
                      "the session is gone once fetched")
        # complete fetches too; and cancel drops a running query.
        iid = self.new_id("async")
        res = await self.rpc(self.iq("set", paper, iid), iid)
        sid = res.find(q(NS_CMD, "command")).get("sessionid")
        iid = self.new_id("async")
        res = await self.rpc(self.iq("set", self.command(action="cancel",
                                                         sid=sid), iid), iid,
                             "cancel of a running query")
        self.ok.check(res is not None and res.find(q(NS_CMD, "command"))
                      .get("status") == "canceled", "running query canceled")
        iid = self.new_id("async")
        res = await self.rpc(self.iq("set", self.command(
            "<iodata xmlns='%s' type='getStatus'/>" % NS_IO, sid=sid), iid), iid)
        self.ok.check(self.error_of(res) == ("bad-request", "bad-sessionid"),
                      "a canceled session is gone")
        # A form submitted, then canceled before the answer: both IQs are
        # answered 'canceled'.
        iid = self.new_id("async")
        res = await self.rpc(self.iq("set", self.command(), iid), iid)
        sid = res.find(q(NS_CMD, "command")).get("sessionid")
        sub_id = self.new_id("async")
        sub = asyncio.ensure_future(self.rpc(self.iq("set", self.command(
            "<x xmlns='%s' type='submit'><field var='replicas'><value>5</value>"
            "</field></x>" % NS_DATA, action="complete", sid=sid), sub_id),
            sub_id))
        await asyncio.sleep(0.05)
        iid = self.new_id("async")
        res = await self.rpc(self.iq("set", self.command(action="cancel",
                                                         sid=sid), iid), iid)
        sres = await sub
        self.ok.check(all(r is not None and r.find(q(NS_CMD, "command"))
                          is not None and r.find(q(NS_CMD, "command"))
                          .get("status") == "canceled" for r in (res, sres)),
                      "cancel while a submitted form runs: both IQs answered "
                      "canceled")
        iid = self.new_id("async")
        res = await self.rpc(self.iq("set", paper, iid), iid)
        sid = res.find(q(NS_CMD, "command")).get("sessionid")
        self.ok.check(await self.wait_push(sid) is not None,
                      "the third query is pushed too")
        iid = self.new_id("async")
        res = await self.rpc(self.iq("set", self.command(action="complete",
                                                         sid=sid), iid), iid,
                             "complete after the query is done")
        self.expect_clouds(res, "complete fetches the result")

    async def wait_push(self, sid, timeout=WAIT):
        """The <message> pushed for session sid, or None (bounded wait)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for m in self.messages:
                c = m.find(q(NS_CMD, "command"))
                if c is not None and c.get("sessionid") == sid:
                    return m
            self.message_event.clear()
            try:
                await asyncio.wait_for(self.message_event.wait(),
                                       max(0.05, end - time.monotonic()))
            except asyncio.TimeoutError:
                return None
        return None

    async def sc_subscribe(self):
        """Client mode: icxd accepts a subscription request, so the
        requester's roster shows the exchange online (Prosody then sends
        the exchange's available presence; it does not always forward the
        'subscribed' itself)."""
        bare = self.service.split("/", 1)[0]
        got = asyncio.get_event_loop().create_future()

        def on_presence(pres):
            if pres["from"].bare == bare and pres["type"] in (
                    "subscribed", "available", "chat", "away", "dnd", "xa") \
                    and not got.done():
                got.set_result(pres)
        self.add_event_handler("presence_subscribed", on_presence)
        self.add_event_handler("presence_available", on_presence)
        self.send_presence(pto=bare, ptype="subscribe")
        try:
            await asyncio.wait_for(got, WAIT)
            ok = True
        except asyncio.TimeoutError:
            ok = False
        self.ok.check(ok, "subscription accepted: the exchange is seen online")

    async def sc_shutdown_pending(self):
        """Sends a slow query; the test stops icxd while it runs: the IQ
        must still be answered (service-unavailable, type wait)."""
        iid = self.new_id("stop")
        print("PENDING", flush=True)
        res = await self.rpc(self.iq("set", self.command(self.io_input(
            self.constraints([("replicas", "5")]))), iid), iid,
            "A query still running when icxd is stopped", timeout=WAIT)
        err = res.find(q(NS_CLIENT, "error")) if res is not None else None
        self.ok.check(self.error_of(res)[0] == "service-unavailable" and
                      err.get("type") == "wait",
                      "a query pending at shutdown gets service-unavailable",
                      serialize(res) if res is not None else "no answer")

    async def sc_other_user_session(self):
        """Used with two clients: prints a sessionid for another to try."""
        iid = self.new_id("form")
        res = await self.rpc(self.iq("set", self.command(), iid), iid)
        print("SESSION %s" % res.find(q(NS_CMD, "command")).get("sessionid"))

    async def sc_steal(self):
        iid = self.new_id("steal")
        res = await self.rpc(self.iq("set", self.command(
            action="cancel", sid=self.args.session), iid), iid)
        self.ok.check(self.error_of(res) == ("bad-request", "bad-sessionid"),
                      "another user's session is not visible")

    async def on_start(self, _event):
        try:
            self.send_presence()
            for name in self.args.scenario:
                await getattr(self, "sc_" + name.replace("-", "_"))()
        except Exception as exc:  # report, never hang
            self.ok.check(False, "scenario raised", repr(exc))
        finally:
            self.result = self.ok.failures
            self.disconnect()


def client_args(jid="user@cloud1.org/test"):
    """An argument parser with what every scenario client takes: its
    account and server, the service, the scenarios, a transcript file and
    a time limit."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--jid", default=jid)
    ap.add_argument("--password", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=5222)
    ap.add_argument("--ca")
    ap.add_argument("--insecure", action="store_true")
    ap.add_argument("--service", default="service.intercloudexchg.com")
    ap.add_argument("--scenario", action="append", default=[])
    ap.add_argument("--transcript")
    ap.add_argument("--timeout", type=float, default=150)
    return ap


def main():
    if len(sys.argv) == 3 and sys.argv[1] in ("--write-big-doc", "--write-broad-doc"):
        # The Turtle of the clouds explain-big or broad-lists work on, for
        # the test to load.
        with open(sys.argv[2], "w", encoding="utf-8") as f:
            f.write(Client.big_doc() if sys.argv[1] == "--write-big-doc"
                    else Client.broad_doc())
        return 0
    ap = client_args()
    ap.add_argument("--paper", default="data/constraints/paper.xml")
    ap.add_argument("--session")
    ap.add_argument("--print-answer", action="store_true")
    ap.add_argument("--server", default="prosody", choices=("prosody", "ejabberd"),
                    help="the XMPP server between client and icxd")
    ap.add_argument("--want", default="cloud2 cloud5",
                    help="the clouds the paper scenario expects, space-separated")
    ap.add_argument("--debug", action="store_true")
    args = ap.parse_args()
    if args.debug:
        logging.basicConfig(level=logging.DEBUG)
    return run(Client(args), args)


def run(c, args):
    """Connects client c, runs its scenarios until it disconnects or
    args.timeout passes, prints the count of checks; the exit status."""
    c.connect(address=(args.host, args.port))
    c.loop.call_later(args.timeout, c.disconnect)
    c.process(forever=False)
    if c.result is None:
        print("not ok - the client did not finish (connection or timeout)")
        return 1
    print("# %d checks, %d failed" % (c.ok.count, c.ok.failures))
    return 1 if c.result else 0


if __name__ == "__main__":
    sys.exit(main())
