/* canned_component.c - `make bench-throughput`'s baseline: an XMPP
 * component that answers every ad-hoc command with the same completed
 * answer icxd gives to the paper's request (cloud2 and cloud5, with its
 * RSM <set>), and does nothing else.  Behind the same server as icxd, the
 * throughput it reaches is what the XMPP path costs without an engine;
 * icxd's throughput against it is issue 13's "at least 90%" figure.
 *
 * It reads each request as icxd's loop does (libstrophe parses the
 * stanza), builds the answer from a template per request (a stanza parsed
 * from text, as icxd builds its <out>), addresses it back and sends it.
 *
 * libstrophe 0.12.2 needs the same workaround icxd_conn.c applies (see
 * there): a client connection attempt that fails at once, before the
 * component connects, or the server's <handshake/> crashes it.
 *
 * Usage: canned_component JID HOST PORT SECRET_FILE
 * Runs until SIGTERM or SIGINT.  Libraries: libstrophe only.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strophe.h>

#define CANNED_NS_COMMANDS "http://jabber.org/protocol/commands"

/* The <command> of icxd's answer to the paper's request. */
static const char canned_answer[] =
  "<command xmlns='" CANNED_NS_COMMANDS "' sessionid='icx-00000000000000000000000000000000'"
  " node='constraint_catalog_resources' status='completed'>"
  "<iodata xmlns='urn:xmpp:tmp:io-data' type='output'><out>"
  "<matchingClouds xmlns='http://www.csp/resOntology'>"
  "<cloudName>cloud2</cloudName><cloudName>cloud5</cloudName>"
  "<set xmlns='http://jabber.org/protocol/rsm'><first index='0'>cloud2</first>"
  "<last>cloud5</last><count>2</count></set>"
  "</matchingClouds></out></iodata></command>";

static volatile sig_atomic_t canned_stop;
static unsigned long canned_answered;

static void canned_on_signal(int sig)
{
  (void)sig;
  canned_stop = 1;
}

static int canned_on_iq(xmpp_conn_t *conn, xmpp_stanza_t *iq, void *ud)
{
  xmpp_ctx_t *ctx = ud;
  const char *type = xmpp_stanza_get_type(iq);
  xmpp_stanza_t *cmd, *res, *payload;

  if (!type || strcmp(type, "set") != 0)
    return 1;
  cmd = xmpp_stanza_get_child_by_ns(iq, CANNED_NS_COMMANDS);
  if (!cmd)
    return 1;
  res = xmpp_iq_new(ctx, "result", xmpp_stanza_get_id(iq));
  payload = xmpp_stanza_new_from_string(ctx, canned_answer);
  if (!res || !payload) {
    fprintf(stderr, "canned_component: out of memory\n");
    exit(1);
  }
  xmpp_stanza_set_to(res, xmpp_stanza_get_from(iq));
  xmpp_stanza_set_from(res, xmpp_stanza_get_to(iq));
  xmpp_stanza_add_child(res, payload);
  xmpp_stanza_release(payload);
  xmpp_send(conn, res);
  xmpp_stanza_release(res);
  canned_answered++;
  return 1;
}

static void canned_on_conn(xmpp_conn_t *conn, xmpp_conn_event_t event, int error,
                           xmpp_stream_error_t *stream_error, void *ud)
{
  xmpp_ctx_t *ctx = ud;

  (void)error;
  (void)stream_error;
  if (event == XMPP_CONN_CONNECT) {
    xmpp_handler_add(conn, canned_on_iq, NULL, "iq", NULL, ctx);
    printf("canned_component: connected\n");
    fflush(stdout);
  } else {
    fprintf(stderr, "canned_component: disconnected\n");
    canned_stop = 1;
  }
}

static void canned_on_nothing(xmpp_conn_t *conn, xmpp_conn_event_t event, int error,
                              xmpp_stream_error_t *stream_error, void *ud)
{
  (void)conn;
  (void)event;
  (void)error;
  (void)stream_error;
  (void)ud;
}

int main(int argc, char **argv)
{
  char secret[256];
  xmpp_ctx_t *ctx;
  xmpp_conn_t *conn;
  FILE *f;
  size_t n;

  if (argc != 5) {
    fprintf(stderr, "usage: canned_component JID HOST PORT SECRET_FILE\n");
    return 2;
  }
  if (!(f = fopen(argv[4], "r"))) {
    fprintf(stderr, "canned_component: cannot open %s\n", argv[4]);
    return 1;
  }
  if (!fgets(secret, sizeof secret, f)) {
    fprintf(stderr, "canned_component: cannot read a secret from %s\n", argv[4]);
    fclose(f);
    return 1;
  }
  fclose(f);
  n = strcspn(secret, "\r\n");
  secret[n] = '\0';
  signal(SIGTERM, canned_on_signal);
  signal(SIGINT, canned_on_signal);
  xmpp_initialize();
  ctx = xmpp_ctx_new(NULL, NULL);
  conn = ctx ? xmpp_conn_new(ctx) : NULL;
  if (!conn) {
    fprintf(stderr, "canned_component: out of memory\n");
    return 1;
  }
  xmpp_conn_set_jid(conn, argv[1]);
  xmpp_conn_set_pass(conn, secret);
  if (xmpp_connect_client(conn, "", 1, canned_on_nothing, NULL) == XMPP_EOK)
    xmpp_disconnect(conn);
  if (xmpp_connect_component(conn, argv[2], (unsigned short)atoi(argv[3]), canned_on_conn,
                             ctx) != XMPP_EOK) {
    fprintf(stderr, "canned_component: cannot connect to %s:%s\n", argv[2], argv[3]);
    return 1;
  }
  while (!canned_stop)
    xmpp_run_once(ctx, 50);
  printf("canned_component: %lu answered\n", canned_answered);
  xmpp_conn_release(conn);
  xmpp_ctx_free(ctx);
  xmpp_shutdown();
  return 0;
}
