/* test-appstatus.c — whether the app shows the printer online, inferred from
 * successive samples of the official agent's connection: the server's rule
 * (docs/obico-protocol.md: a status with _ts within 120 s, the socket open)
 * against what the kernel counts of the connection. */
#include "config.h"

#include <math.h>

#include "ocd-appstatus.h"

#define S(x) ((gint64) ((x) * G_USEC_PER_SEC))
#define T0 1000.0          /* samples' times are seconds after this */
#define ANY NAN            /* a time the step does not check */
#define NONE -1.0          /* a time that must be 0 */

enum { END, OK, FAILED, OTHER_NETNS, LATER };   /* LATER: the verdict at t without a sample */

typedef struct {
  guint32 inode;           /* 0: no connection in this slot */
  guint64 acked;
  guint32 segs;            /* data segments sent */
  guint32 retrans;
  guint32 lds_ms;          /* since data was last sent */
  gboolean old_kernel;     /* no data_segs_out in tcp_info */
} C;

typedef struct {
  double t;
  int kind;
  C conns[2];
  ObicoAppStatus status;
  OcdAppStatusWhy why;
  double last_status;      /* seconds after T0, ANY or NONE */
  double next_change;
} Step;

typedef struct {
  const char *name;
  guint handshake_segs;
  Step steps[14];
} Case;

#define ON OBICO_APP_STATUS_ONLINE
#define OFF OBICO_APP_STATUS_OFFLINE
#define UNK OBICO_APP_STATUS_UNKNOWN
#define W_NONE OCD_APPSTATUS_WHY_NO_SAMPLE
#define W_FAIL OCD_APPSTATUS_WHY_QUERY_FAILED
#define W_NETNS OCD_APPSTATUS_WHY_OTHER_NETNS
#define W_YET OCD_APPSTATUS_WHY_NOT_YET_KNOWN
#define W_NOCONN OCD_APPSTATUS_WHY_NO_CONNECTION
#define W_QUIET OCD_APPSTATUS_WHY_NOT_REPORTING
#define W_REP OCD_APPSTATUS_WHY_REPORTING

/* An idle OctoPrint-Obico status is ~900 bytes; a Pong ~40 (with TLS). */
static const Case cases[] = {
  { "nothing sampled yet", 1, {
      { 0, LATER, {}, UNK, W_NONE, NONE, NONE },
  } },
  { "the kernel refuses, then answers", 1, {
      { 0, FAILED, {}, UNK, W_FAIL, NONE, NONE },
      { 5, LATER, {}, UNK, W_FAIL, NONE, NONE },
      { 10, OK, {}, OFF, W_NOCONN, NONE, NONE },
  } },
  { "the agent runs in another network namespace", 1, {
      { 0, OTHER_NETNS, {}, UNK, W_NETNS, NONE, NONE },
      /* even a connection of the same uid here is not the agent's */
      { 10, OTHER_NETNS, { { 7, 5000, 10, 0, 100 } }, UNK, W_NETNS, NONE, NONE },
      { 15, LATER, {}, UNK, W_NETNS, NONE, NONE },
  } },
  { "no connection", 1, {
      { 0, OK, {}, OFF, W_NOCONN, NONE, NONE },
      { 200, LATER, {}, OFF, W_NOCONN, NONE, NONE },
  } },
  /* The daemon starts while the agent reports: unknown until its next status,
   * then online until 120 s after that status went out. */
  { "a reporting agent found at start", 1, {
      { 0, OK, { { 7, 100000, 500, 0, 5000 } }, UNK, W_YET, NONE, 115 },
      { 10, OK, { { 7, 100040, 501, 0, 1000 } }, UNK, W_YET, NONE, 115 },   /* a Pong */
      { 20, OK, { { 7, 100940, 502, 0, 2000 } }, ON, W_REP, 18, 138 },      /* a status at 18 */
      { 30, OK, { { 7, 100940, 502, 0, 12000 } }, ON, W_REP, 18, 138 },
      { 137.9, LATER, {}, ON, W_REP, 18, 138 },
      { 138, LATER, {}, OFF, W_QUIET, 18, NONE },
  } },
  /* A stuck status loop (OctoPrint-Obico#247): only Pongs, every 20 s. */
  { "a stuck agent found at start", 1, {
      { 0, OK, { { 7, 100000, 500, 0, 15000 } }, UNK, W_YET, NONE, 105 },
      { 10, OK, { { 7, 100040, 501, 0, 5000 } }, UNK, W_YET, NONE, 105 },
      { 30, OK, { { 7, 100080, 502, 0, 5000 } }, UNK, W_YET, NONE, 105 },
      { 100, OK, { { 7, 100240, 506, 0, 5000 } }, UNK, W_YET, NONE, 105 },
      { 104.9, LATER, {}, UNK, W_YET, NONE, 105 },
      { 110, OK, { { 7, 100240, 506, 0, 15000 } }, OFF, W_QUIET, NONE, NONE },
  } },
  { "silent for longer than the TTL when found", 1, {
      { 0, OK, { { 7, 100000, 500, 0, 130000 } }, OFF, W_QUIET, NONE, NONE },
  } },
  /* Reporting, then the statuses stop while the socket stays open. */
  { "an agent that stops reporting", 1, {
      { 0, OK, { { 7, 10000, 20, 0, 4000 } }, UNK, W_YET, NONE, ANY },
      { 10, OK, { { 7, 10900, 21, 0, 2000 } }, ON, W_REP, 8, 128 },
      { 40, OK, { { 7, 11800, 22, 0, 3000 } }, ON, W_REP, 37, 157 },
      { 60, OK, { { 7, 11840, 23, 0, 3000 } }, ON, W_REP, 37, 157 },        /* a Pong */
      { 80, OK, { { 7, 11880, 24, 0, 3000 } }, ON, W_REP, 37, 157 },
      { 150, OK, { { 7, 12000, 27, 0, 9000 } }, ON, W_REP, 37, 157 },
      { 156.9, LATER, {}, ON, W_REP, 37, 157 },
      { 160, OK, { { 7, 12000, 27, 0, 19000 } }, OFF, W_QUIET, 37, NONE },
      /* it reports again on the same socket */
      { 170, OK, { { 7, 12900, 28, 0, 500 } }, ON, W_REP, 169.5, 289.5 },
  } },
  /* What counts as a status in one window. */
  { "keepalives never add up to a status", 1, {
      { 0, OK, { { 7, 5000, 10, 0, 1000 } }, UNK, W_YET, NONE, ANY },
      /* six 50-byte frames: 300 bytes, but 50 a segment */
      { 10, OK, { { 7, 5300, 16, 0, 1000 } }, UNK, W_YET, NONE, ANY },
      /* one 200-byte frame: more than a keepalive, less than any status */
      { 20, OK, { { 7, 5500, 17, 0, 1000 } }, UNK, W_YET, NONE, ANY },
      /* one 300-byte frame */
      { 30, OK, { { 7, 5800, 18, 0, 1000 } }, ON, W_REP, 29, 149 },
  } },
  { "retransmissions are not new segments", 1, {
      { 0, OK, { { 7, 5000, 10, 0, 1000 } }, UNK, W_YET, NONE, ANY },
      /* 400 bytes in 10 segments, 8 of them sent again: 200 a new segment */
      { 10, OK, { { 7, 5400, 20, 8, 1000 } }, ON, W_REP, 9, 129 },
  } },
  { "a kernel that does not count data segments", 1, {
      { 0, OK, { { 7, 5000, 0, 0, 1000, TRUE } }, UNK, W_YET, NONE, ANY },
      { 10, OK, { { 7, 5100, 0, 0, 1000, TRUE } }, UNK, W_YET, NONE, ANY },
      { 20, OK, { { 7, 5400, 0, 0, 1000, TRUE } }, ON, W_REP, 19, 139 },
  } },
  /* The server drops the status with the socket; the agent reconnects and
   * sends a status at once (ws://: the upgrade request, then the status). */
  { "a reconnect seen whole (ws)", 1, {
      { 0, OK, { { 7, 10000, 20, 0, 4000 } }, UNK, W_YET, NONE, ANY },
      { 10, OK, { { 7, 10900, 21, 0, 2000 } }, ON, W_REP, 8, 128 },
      { 20, OK, {}, OFF, W_NOCONN, NONE, NONE },
      { 30, OK, { { 8, 1150, 2, 0, 3000 } }, ON, W_REP, 27, 147 },
      /* the old socket's close and the new one's open between two samples */
      { 40, OK, { { 9, 1150, 2, 0, 1000 } }, ON, W_REP, 39, 159 },
  } },
  { "a new connection that sent only its handshake", 1, {
      { 0, OK, {}, OFF, W_NOCONN, NONE, NONE },
      { 10, OK, { { 8, 250, 1, 0, 5000 } }, UNK, W_YET, NONE, 125 },
      { 20, OK, { { 8, 1150, 2, 0, 1000 } }, ON, W_REP, 19, 139 },
  } },
  { "a reconnect over wss://", OCD_APPSTATUS_HANDSHAKE_SEGS_WSS, {
      { 0, OK, {}, OFF, W_NOCONN, NONE, NONE },
      /* ClientHello, Finished, the upgrade request and a status */
      { 10, OK, { { 8, 2300, 4, 0, 3000 } }, UNK, W_YET, NONE, 127 },
      { 20, OK, {}, OFF, W_NOCONN, NONE, NONE },
      /* one more segment than any handshake sends */
      { 30, OK, { { 9, 2300, 5, 0, 3000 } }, ON, W_REP, 27, 147 },
  } },
  { "a new connection after a long gap is not seen whole", 1, {
      { 0, OK, {}, OFF, W_NOCONN, NONE, NONE },
      /* 25 s: a Pong may have gone out; its data may be the handshake and a Pong */
      { 25, OK, { { 8, 1150, 3, 0, 3000 } }, UNK, W_YET, NONE, 142 },
  } },
  { "the scheme not known", 0, {
      { 0, OK, {}, OFF, W_NOCONN, NONE, NONE },
      { 10, OK, { { 8, 2300, 9, 0, 3000 } }, UNK, W_YET, NONE, 127 },
  } },
  { "two connections: one reports", 1, {
      { 0, OK, { { 7, 10000, 20, 0, 4000 }, { 9, 3000, 50, 0, 2000 } }, UNK, W_YET, NONE, 118 },
      { 10, OK, { { 7, 10040, 21, 0, 4000 }, { 9, 3900, 51, 0, 1000 } }, ON, W_REP, 9, 129 },
      /* the reporting one closes: the other was quiet since before it was seen */
      { 20, OK, { { 7, 10040, 21, 0, 14000 } }, UNK, W_YET, NONE, 116 },
      { 120, OK, { { 7, 10200, 25, 0, 9000 } }, OFF, W_QUIET, NONE, NONE },
  } },
  { "a failed query keeps what was seen", 1, {
      { 0, OK, { { 7, 10000, 20, 0, 4000 } }, UNK, W_YET, NONE, ANY },
      { 10, OK, { { 7, 10900, 21, 0, 2000 } }, ON, W_REP, 8, 128 },
      { 20, FAILED, {}, UNK, W_FAIL, NONE, NONE },
      { 30, OK, { { 7, 10900, 21, 0, 22000 } }, ON, W_REP, 8, 128 },
  } },
  { "an inode reused by another connection", 1, {
      { 0, OK, { { 7, 10000, 20, 0, 4000 } }, UNK, W_YET, NONE, ANY },
      { 10, OK, { { 7, 10900, 21, 0, 2000 } }, ON, W_REP, 8, 128 },
      /* counters going back: not the same connection, and its past unseen */
      { 30, OK, { { 7, 3000, 5, 0, 5000 } }, UNK, W_YET, NONE, 145 },
  } },
};

static gint64
at (double seconds)
{
  return S (T0 + seconds);
}

static void
check_time (const char *name, guint step, const char *what, gint64 got, double want)
{
  if (isnan (want))
    return;
  if (want == NONE ? got != 0 : got != at (want))
    g_error ("%s, step %u: %s %.3f, expected %s%.3f", name, step, what,
             got == 0 ? -1.0 : (got - S (T0)) / 1e6, want == NONE ? "none " : "", want);
}

static void
test_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *k = &cases[i];
      g_autoptr(OcdAppTracker) tracker = ocd_app_tracker_new (OCD_APPSTATUS_TTL_USEC, k->handshake_segs);

      for (guint j = 0; j < G_N_ELEMENTS (k->steps) && k->steps[j].kind != END; j++)
        {
          const Step *step = &k->steps[j];
          g_autoptr(GPtrArray) conns = g_ptr_array_new_with_free_func ((GDestroyNotify) ocd_sockdiag_conn_free);
          OcdAppSample sample = { at (step->t), step->kind != FAILED,
                                  step->kind == OTHER_NETNS ? OCD_NETNS_OTHER : OCD_NETNS_SAME, conns };
          OcdAppVerdict v;

          for (guint c = 0; c < G_N_ELEMENTS (step->conns) && step->conns[c].inode != 0; c++)
            {
              OcdSockdiagConn *conn = g_new0 (OcdSockdiagConn, 1);

              conn->inode = step->conns[c].inode;
              conn->state = 1;
              conn->has_info = TRUE;
              conn->has_data_segs = !step->conns[c].old_kernel;
              conn->bytes_acked = step->conns[c].acked;
              conn->bytes_sent = step->conns[c].acked;
              conn->data_segs_out = step->conns[c].segs;
              conn->segs_out = step->conns[c].segs * 2;
              conn->total_retrans = step->conns[c].retrans;
              conn->last_data_sent_ms = step->conns[c].lds_ms;
              g_ptr_array_add (conns, conn);
            }
          v = step->kind == LATER ? ocd_app_tracker_verdict (tracker, at (step->t))
                                  : ocd_app_tracker_sample (tracker, &sample);
          if (v.status != step->status || v.why != step->why)
            g_error ("%s, step %u (t=%g): %s (%s), expected %s (%s)", k->name, j, step->t,
                     obico_app_status_to_string (v.status), ocd_appstatus_why_to_string (v.why),
                     obico_app_status_to_string (step->status), ocd_appstatus_why_to_string (step->why));
          check_time (k->name, j, "last status", v.last_status_t, step->last_status);
          check_time (k->name, j, "next change", v.next_change_t, step->next_change);
        }
    }
}

/* The window rule on its own: a status is big, keepalives are small, even many. */
static void
test_window (void)
{
  static const struct {
    guint64 bytes;
    guint32 segs;
    gboolean segs_known;
    gboolean status;
  } windows[] = {
    { 0, 0, TRUE, FALSE },
    { 40, 1, TRUE, FALSE },                     /* a Pong */
    { 255, 1, TRUE, FALSE },                    /* below any status */
    { 256, 1, TRUE, TRUE },
    { 900, 1, TRUE, TRUE },                     /* an idle OctoPrint-Obico status */
    { 940, 2, TRUE, TRUE },                     /* a status and a Pong */
    { 1000, 20, TRUE, FALSE },                  /* twenty 50-byte frames */
    { 1300, 20, TRUE, TRUE },
    { 4000, 3, TRUE, TRUE },                    /* the first status, with settings, in segments */
    { 256, 0, TRUE, TRUE },                     /* counted before its segment (never: taken as one) */
    { 1000, 20, FALSE, TRUE },                  /* without segment counts, bytes alone */
    { 255, 0, FALSE, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (windows); i++)
    if (ocd_appstatus_window_has_status (windows[i].bytes, windows[i].segs, windows[i].segs_known) !=
        windows[i].status)
      g_error ("%" G_GUINT64_FORMAT " bytes in %u segments: expected %s", windows[i].bytes, windows[i].segs,
               windows[i].status ? "a status" : "keepalives");
}

/* A shorter TTL (as the sim's --status-ttl) is the TTL. */
static void
test_ttl (void)
{
  g_autoptr(OcdAppTracker) tracker = ocd_app_tracker_new (S (3), 1);
  g_autoptr(GPtrArray) conns = g_ptr_array_new_with_free_func ((GDestroyNotify) ocd_sockdiag_conn_free);
  OcdSockdiagConn *conn = g_new0 (OcdSockdiagConn, 1);
  OcdAppSample sample = { at (0), TRUE, OCD_NETNS_UNKNOWN, conns };
  OcdAppVerdict v;

  conn->inode = 3;
  conn->has_data_segs = TRUE;
  conn->bytes_acked = 100;
  conn->data_segs_out = 1;
  conn->last_data_sent_ms = 100;
  g_ptr_array_add (conns, conn);
  v = ocd_app_tracker_sample (tracker, &sample);
  g_assert_cmpint (v.status, ==, OBICO_APP_STATUS_UNKNOWN);
  g_assert_cmpint (v.next_change_t, ==, at (2.9));

  sample.t = at (1);
  conn->bytes_acked = 1000;
  conn->data_segs_out = 2;
  conn->last_data_sent_ms = 0;
  v = ocd_app_tracker_sample (tracker, &sample);
  g_assert_cmpint (v.status, ==, OBICO_APP_STATUS_ONLINE);
  g_assert_cmpint (v.next_change_t, ==, at (4));
  g_assert_cmpint (ocd_app_tracker_verdict (tracker, at (3.99)).status, ==, OBICO_APP_STATUS_ONLINE);
  g_assert_cmpint (ocd_app_tracker_verdict (tracker, at (4)).status, ==, OBICO_APP_STATUS_OFFLINE);
}

static void
test_why_strings (void)
{
  for (int why = OCD_APPSTATUS_WHY_NO_SAMPLE; why <= OCD_APPSTATUS_WHY_REPORTING; why++)
    g_assert_cmpuint (strlen (ocd_appstatus_why_to_string (why)), >, 10);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/appstatus/table", test_table);
  g_test_add_func ("/appstatus/window", test_window);
  g_test_add_func ("/appstatus/ttl", test_ttl);
  g_test_add_func ("/appstatus/why", test_why_strings);
  return g_test_run ();
}
