#!/usr/bin/python3
"""page_stall.py - what paging through a large answer costs icxd's other
requests: one task asks for PAGES pages of a request's answer, one after
another (XEP-0059, <max> and <index>), while another pings the service
(XEP-0199) every 10 ms.  The pings go through icxd's loop thread, as
every request does; a page cut on that thread delays them.  Prints one
line:

  BENCH pages=N page_ms=MEDIAN idle_p50=.. idle_max=.. p50=.. p99=.. max=..

(ping round trips in ms: idle, before any page; then while paging).
Builds on tests/integration/icxd_client.py's client and options; every
wait is bounded.
"""

import asyncio
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
import icxd_client as base  # noqa: E402
from icxd_client import NS_CMD, NS_CSP, NS_RSM, q  # noqa: E402


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p))] if v else float("nan")


class StallClient(base.Client):
    async def ping_once(self):
        iid = self.new_id("ping")
        t = time.monotonic()
        res = await self.rpc(self.iq("get", "<ping xmlns='urn:xmpp:ping'/>", iid),
                             iid, timeout=60)
        return (time.monotonic() - t) * 1000 if res is not None else None

    async def sc_stall(self):
        with open(self.args.request, encoding="utf-8") as f:
            constraints = f.read()
        constraints = constraints[constraints.index("<constraints"):]
        idle = []
        for _ in range(100):
            ms = await self.ping_once()
            if ms is not None:
                idle.append(ms)
            await asyncio.sleep(0.01)
        busy, pages, stop, counts, last = [], [], [], [], []

        async def pinger():
            while not stop:
                ms = await self.ping_once()
                if ms is not None:
                    busy.append(ms)
                await asyncio.sleep(0.01)

        task = asyncio.ensure_future(pinger())
        for i in range(self.args.pages):
            iid = self.new_id("page")
            body = constraints + ("<set xmlns='%s'><max>%d</max><index>%d</index>"
                                  "</set>" % (NS_RSM, self.args.max,
                                              i * self.args.max))
            t = time.monotonic()
            res = await self.rpc(self.iq("set", self.command(self.io_input(body)), iid),
                                 iid, timeout=self.args.timeout / 2)
            cmd = res.find(q(NS_CMD, "command")) if res is not None else None
            if cmd is not None and cmd.get("status") == "executing":
                # slower than async_threshold_ms: the answer is pushed
                res = await self.wait_push(cmd.get("sessionid"))
            ms = (time.monotonic() - t) * 1000
            mc = res.find(".//" + q(NS_CSP, "matchingClouds")) if res is not None else None
            names = [c.text or "" for c in mc.findall(q(NS_CSP, "cloudName"))] \
                if mc is not None else []
            if not self.ok.check(len(names) > 0, "page %d holds clouds" % i,
                                 base.serialize(res)[:2000] if res is not None
                                 else "no answer"):
                break
            # Each page where it was asked for, of an answer of one size,
            # going on from the page before (a store nobody writes meanwhile).
            first = mc.find(q(NS_RSM, "set") + "/" + q(NS_RSM, "first"))
            count = mc.find(q(NS_RSM, "set") + "/" + q(NS_RSM, "count"))
            got = (first.get("index") if first is not None else None,
                   count.text if count is not None else None)
            if not self.ok.check(got[0] == str(i * self.args.max) and
                                 (not counts or got[1] == counts[0]) and
                                 (not last or last[-1] not in names),
                                 "page %d follows the page before" % i,
                                 "set %r, counts %r" % (got, counts[:1])):
                break
            counts.append(got[1])
            last[:] = names
            pages.append(ms)
        stop.append(1)
        await task
        print("BENCH pages=%d page_ms=%.1f idle_p50=%.2f idle_max=%.2f "
              "p50=%.2f p99=%.2f max=%.2f pings=%d" % (
                  len(pages), statistics.median(pages) if pages else float("nan"),
                  pct(idle, 0.5), max(idle) if idle else float("nan"),
                  pct(busy, 0.5), pct(busy, 0.99),
                  max(busy) if busy else float("nan"), len(busy)), flush=True)


def main():
    ap = base.client_args()
    ap.add_argument("--request", required=True,
                    help="a file holding the <constraints> to page through")
    ap.add_argument("--pages", type=int, default=10)
    ap.add_argument("--max", type=int, default=500)
    args = ap.parse_args()
    args.scenario = ["stall"]
    return base.run(StallClient(args), args)


if __name__ == "__main__":
    sys.exit(main())
