#!/usr/bin/python3
"""mkprotocol.py - writes doc/protocol.md from its template
(tests/integration/protocol.md.in) and a transcript captured by the
component test:

    ICXT_TRANSCRIPT=/tmp/t.md tests/integration/icxd-component.test
    ICXT_OPS_TRANSCRIPT=/tmp/o.md tests/integration/icxd-ops.test
    cat /tmp/o.md >> /tmp/t.md
    ICXT_TRANSCRIPT=/tmp/t.md tests/integration/icxd-publish.test
    ICXT_TRANSCRIPT=/tmp/t.md tests/integration/icxd-presence.test
    ICXT_FED_TRANSCRIPT=/tmp/t.md tests/integration/icxd-federation.test
    ICXT_FED_TRANSCRIPT=/tmp/t.md tests/integration/icxd-federation-scale.test
    tests/integration/mkprotocol.py /tmp/t.md > doc/protocol.md

With a second argument, the template to fill instead (e.g. one section of
protocol.md.in): only the @NAME@s it holds are filled.

Each @NAME@ of the template becomes the request and answer captured under
the matching heading; the hostile table is built from the answers.
"""
import re
import sys

TRANSCRIPT = sys.argv[1]
TEMPLATE = sys.argv[2] if len(sys.argv) > 2 else __file__.rsplit("/", 1)[0] + "/protocol.md.in"
t = open(TRANSCRIPT).read()
secs = {}
order = []
for m in re.finditer(r'^### (.*)$', t, re.M):
    order.append((m.group(1), m.start()))
for n, (title, start) in enumerate(order):
    end = order[n+1][1] if n+1 < len(order) else len(t)
    body = t[start:end]
    # pushed messages may sit inside a section: keep them
    secs.setdefault(title, body)

def blocks(title):
    body = secs[title]
    return re.findall(r'```xml\n(.*?)\n```', body, re.S)

def pushed():
    m = re.search(r'<!-- pushed by the exchange -->\n(<message.*?</message>)', t, re.S)
    return m.group(1)

def trim_options(x, keep=3):
    # shorten the country list of the form
    def cut(m):
        opts = re.findall(r"(\s*<option label=.*?</option>)", m.group(2), re.S)
        if len(opts) <= keep + 1:
            return m.group(0)
        return m.group(1) + "".join(opts[:keep]) + "\n        <!-- ... %d more options, one per country of the vocabulary ... -->" % (len(opts) - keep) + m.group(3)
    return re.sub(r"(<field [^>]*var='tierCountry'.*?</desc>)(.*?)(\n\s*</field>)", cut, x, flags=re.S)

def ex(title, shown_title=None, sent=True, received=True, trim=False):
    b = blocks(title)
    out = []
    if sent:
        out.append("```xml\n%s\n```" % b[0])
    if received and len(b) > 1:
        r = b[1]
        if trim:
            r = trim_options(r)
        out.append("```xml\n%s\n```" % r)
    return "\n\n".join(out)

def first_answer_line(title):
    b = blocks(title)
    if len(b) < 2:
        return "?"
    r = b[1]
    m = re.search(r"<error type='(\w+)'>\s*<([\w-]+) xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>(?:\s*<([\w-]+) xmlns='http://jabber.org/protocol/commands'/>)?", r)
    if m:
        return "IQ error `%s`%s (type %s)" % (m.group(2), " + `%s`" % m.group(3) if m.group(3) else "", m.group(1))
    m = re.search(r"<note type='error'>(.*?)</note>", r, re.S)
    if m:
        note = m.group(1)
        note = note.replace('&lt;', '<').replace('&gt;', '>').replace('&apos;', "'").replace('&quot;', '"').replace('&amp;', '&')
        if len(note) > 110:
            note = note[:107] + "..."
        return "completed, note error: \u201c%s\u201d" % note.replace("|", "\\|").replace("<", "&lt;")
    return "?"

hostile = [title for title, _ in order if title.startswith('Hostile: ')]
rows = "\n".join("| %d | %s | %s |" % (i + 1, h[len('Hostile: '):].replace('|', '\\|').replace('<', '&lt;'), first_answer_line(h)) for i, h in enumerate(hostile))

doc = open(TEMPLATE).read()
# Only the keys the template holds are filled in: a part of the template
# (one section) can be made from the transcript of the test that feeds it.
def fill(text, key, value):
    if key not in text:
        return text
    return text.replace(key, value() if callable(value) else value)
doc = fill(doc, '@PAPER@', lambda: ex("The paper's request (section 6), sent verbatim"))
# From the ops test's transcript (paging, refused payloads).
for key, title in [
    ('@RSM_FIRST@', 'Paging: the first page of three'),
    ('@RSM_AFTER@', 'Paging: the page after cloud3'),
    ('@RSM_LAST@', 'Paging: the last page'),
    ('@RSM_COUNT@', 'Paging: only the count'),
    ('@PAYLOAD_TWO@', 'Refused: two IO Data payloads'),
    ('@PAYLOAD_NS@', 'Refused: IO Data in an unknown namespace'),
]:
    doc = fill(doc, key, lambda: ex(title))
for key, title, kw in [
    ('@DISCO_INFO@', 'disco#info on the service', {}),
    ('@DISCO_ITEMS@', 'disco#items: the command list', {}),
    ('@DISCO_NODE@', 'disco#info on the command node', {}),
    ('@DISCO_EXPLAIN@', 'disco#info on the explain node', {}),
    ('@EXPLAIN_SCHEMATA@', 'IO Data schemata of the explain node', {}),
    ('@EXPLAIN_PAPER@', "Explaining the paper's request for six clouds", {}),
    ('@EXPLAIN_NOMATCH@', 'An explanation when nothing matches', {}),
    ('@H_EXPLAIN_CLOUD@', 'Hostile: explain: <cloud> instead of <cloudName>', {}),
    ('@SCHEMATA@', 'IO Data schemata', {}),
    ('@PING@', 'Ping (XEP-0199)', {}),
    ('@FORM@', 'Execute without payload: the data form', {'trim': True}),
    ('@SUBMIT@', 'Submitting the form', {}),
    ('@CANCEL_FORM@', 'Canceling a form session', {}),
    ('@UNKNOWN_ATTR@', 'A constraint naming an unknown attribute', {}),
    ('@H_ACTION@', 'Hostile: unknown action', {}),
    ('@H_NODE@', 'Hostile: unknown node', {}),
    ('@H_SESSION@', 'Hostile: unknown sessionid', {}),
    ('@H_PAYLOAD@', 'Hostile: unknown payload', {}),
    ('@H_SPARQL@', 'Hostile: SPARQL in a numeric value', {}),
    ('@ASYNC_START@', 'A long query: answered executing at once', {}),
    ('@ASYNC_STATUS@', 'getStatus while the query runs', {}),
    ('@ASYNC_EARLY@', 'complete before the query is done', {}),
    ('@ASYNC_OUTPUT@', 'getOutput after the push', {}),
    ('@ASYNC_CANCEL@', 'cancel of a running query', {}),
    ('@ASYNC_COMPLETE@', 'complete after the query is done', {}),
    ('@SHUTDOWN@', 'A query still running when icxd is stopped', {}),
    ('@PUBLISH_TURTLE@', 'Publishing a Turtle document', {}),
    ('@PUBLISH_INLINE@', 'Publishing inline RDF/XML under a second name', {}),
    ('@PUBLISH_SEEN@', 'A requester sees the published clouds at once', {}),
    ('@PUBLISH_BROKEN@', 'A broken document: the error names its line', {}),
    ('@FORBID_REPLACE@', "Another account tries to replace a cloud's document", {}),
    ('@FORBID_WITHDRAW@', 'Another account tries to withdraw it', {}),
    ('@FORBID_OPERATOR@', 'An account tries to withdraw a document the operator loaded', {}),
    ('@FORBID_LIST@', 'A JID the access list leaves out tries to publish', {}),
    ('@FORBID_QUERY@', 'A query from a JID the query list leaves out', {}),
    ('@WITHDRAW@', 'The owner withdraws its document', {}),
    ('@OP_DISCO@', 'Operator: the commands on offer', {}),
    ('@OP_PUBLISH@', 'Operator: publish', {}),
    ('@OP_MATCH@', 'Operator: the cloud matches', {}),
    ('@OP_WITHDRAW@', 'Operator: withdraw', {}),
    ('@PRES_REQUIRE@', 'A request that requires presence', {}),
    ('@PRES_PREFER@', 'A request that prefers presence', {}),
    ('@PRES_BAD@', 'A presence the exchange does not know', {}),
    ('@PRES_EXPLAIN@', 'An explanation of a request that requires presence', {}),
    ('@PRES_LIST@', "An administrator lists the publishers' presence", {}),
    ('@PRES_DENIED@', 'list_presence from a JID that is no administrator', {}),
    ('@FED_PAPER@', "The paper's request to the root, scope='federation'", {}),
    ('@FED_EXPLAIN@', 'A federated explanation naming cloud5', {}),
    ('@FED_FORWARD@', 'The root asks an exchange, as any requester would', {}),
    ('@FED_RING@', 'A ring: the request to exchange a travels a -> b -> root', {}),
    ('@FED_PARTIAL@', 'A partial answer: exchange b does not answer in time', {}),
    ('@FED_DIRECTORY@', "The root's directory (disco#items)", {}),
    ('@FED_SCALE@', "Two instances: the fan-out from the instance's own name", {}),
]:
    doc = fill(doc, key, lambda: ex(title, **kw))
doc = fill(doc, '@PUSH@', lambda: "```xml\n%s\n```" % pushed())
doc = fill(doc, '@HOSTILE_TABLE@', rows)
doc = fill(doc, '@NHOSTILE@', str(len(hostile)))
# The test loads the shipped clouds from the source tree: show them where
# an exchange would keep them, not in a folder of the machine that ran it.
doc = re.sub(r"file://[^'\"<> ]*/data/clouds/", "file:///srv/icx/clouds/", doc)
sys.stdout.write(doc)
