/* ocd-appstatus.c — whether the Obico app shows the printer online, inferred
 * from the official agent's connection (pure).
 *
 * No endpoint tells a printer's token what the app shows, but the server's
 * rule is known exactly (docs/obico-protocol.md): the app shows the printer
 * online while a status with `_ts` came within the last 120 s and the
 * agent's socket is open.  The kernel shows what the agent's connection
 * carries (ocd-sockdiag): how many bytes the server acknowledged, in how
 * many data segments, and how long ago data was last sent.  So, between two
 * samples of one connection:
 * - a status is hundreds of bytes, a keepalive at most a few dozen
 *   (OCD_APPSTATUS_STATUS_MIN_BYTES, OCD_APPSTATUS_KEEPALIVE_MAX_BYTES):
 *   when more than OCD_APPSTATUS_STATUS_MIN_BYTES were acknowledged, and
 *   more than a keepalive's worth per data segment, something other than
 *   keepalives went out — a status (or, while someone uses the printer in
 *   the app, what the agent relays for it: also a sign of life);
 * - it went out when data was last sent (tcp_info's last_data_sent): the
 *   status, unless a keepalive followed it within the same window, which
 *   daphne's 20 s of idleness before a Ping makes rare; the estimate is
 *   never earlier than the status, so offline is never said early.
 * online: an established connection sent a status within the TTL.
 * offline: no established connection (the server drops the status with the
 * last socket), or only keepalives for the TTL.
 * unknown: the kernel did not answer (a sandbox refusing netlink), the
 * agent's process is in another network namespace (a container: its
 * sockets are not this namespace's), nothing was sampled yet, or a
 * connection was first seen (the daemon started, or the last sample is
 * long ago) and has not sent a status since: one may have gone out before,
 * at the latest when it last sent data, so it is unknown until that status
 * would have lapsed or the next one is seen.
 * A connection that appeared since the previous sample (at most daphne's
 * idle time ago, so no Pong yet) is seen whole: its data segments beyond
 * its handshake's carried a message, the status the official agents send
 * as soon as the socket opens.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ocd-appstatus.h"

#include <string.h>

typedef struct {
  guint32 inode;
  guint64 bytes_acked;
  guint32 data_segs_out;
  guint32 total_retrans;
  gint64 last_status_t;   /* a status seen sent then; 0: none */
  gint64 unseen_t;        /* a status may have gone out unseen, at the latest then; 0: none */
  gboolean seen;          /* in the current sample */
} Conn;

struct _OcdAppTracker {
  gint64 ttl;
  guint handshake_segs;
  GArray *conns;          /* Conn */
  gint64 prev_t;          /* the last successful sample; 0: none */
  OcdAppVerdict last;     /* for the samples that decide nothing new */
};

OcdAppTracker *
ocd_app_tracker_new (gint64 ttl_usec, guint handshake_segs)
{
  OcdAppTracker *self = g_new0 (OcdAppTracker, 1);

  self->ttl = ttl_usec;
  self->handshake_segs = handshake_segs;
  self->conns = g_array_new (FALSE, TRUE, sizeof (Conn));
  self->last.status = OBICO_APP_STATUS_UNKNOWN;
  self->last.why = OCD_APPSTATUS_WHY_NO_SAMPLE;
  return self;
}

void
ocd_app_tracker_free (OcdAppTracker *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->conns);
  g_free (self);
}

gboolean
ocd_appstatus_window_has_status (guint64 bytes, guint32 new_segs, gboolean segs_known)
{
  if (bytes < OCD_APPSTATUS_STATUS_MIN_BYTES)
    return FALSE;
  if (!segs_known)
    return TRUE;
  return bytes > (guint64) OCD_APPSTATUS_KEEPALIVE_MAX_BYTES * MAX (new_segs, 1);
}

static Conn *
find_conn (OcdAppTracker *self, guint32 inode)
{
  for (guint i = 0; i < self->conns->len; i++)
    if (g_array_index (self->conns, Conn, i).inode == inode)
      return &g_array_index (self->conns, Conn, i);
  return NULL;
}

static guint32
new_segs (guint32 data_segs, guint32 retrans)
{
  return data_segs > retrans ? data_segs - retrans : data_segs;
}

/* The time data was last sent, as the kernel counted it at @t. */
static gint64
last_sent (const OcdSockdiagConn *c, gint64 t)
{
  return t - (gint64) c->last_data_sent_ms * 1000;
}

/* A connection seen for the first time: what went before is partly hidden. */
static void
first_sight (OcdAppTracker *self, Conn *rec, const OcdSockdiagConn *c, gint64 t, gboolean whole_life)
{
  guint32 segs = new_segs (c->data_segs_out, c->total_retrans);

  if (whole_life && c->has_data_segs && self->handshake_segs > 0 &&
      segs > self->handshake_segs && c->bytes_acked >= OCD_APPSTATUS_STATUS_MIN_BYTES)
    rec->last_status_t = last_sent (c, t);
  else if ((gint64) c->last_data_sent_ms * 1000 < self->ttl)
    rec->unseen_t = last_sent (c, t);
}

static void
follow (OcdAppTracker *self, Conn *rec, const OcdSockdiagConn *c, gint64 t)
{
  guint64 bytes = c->bytes_acked - rec->bytes_acked;
  guint32 segs = new_segs (c->data_segs_out - rec->data_segs_out, c->total_retrans - rec->total_retrans);

  if (ocd_appstatus_window_has_status (bytes, segs, c->has_data_segs))
    rec->last_status_t = MAX (rec->last_status_t, last_sent (c, t));
}

static void
take_sample (OcdAppTracker *self, const OcdAppSample *sample)
{
  /* no Pong can have gone out on a connection younger than daphne's idle time */
  gboolean recent = self->prev_t > 0 && sample->t - self->prev_t <= OCD_APPSTATUS_PING_IDLE_USEC;

  for (guint i = 0; i < self->conns->len; i++)
    g_array_index (self->conns, Conn, i).seen = FALSE;

  for (guint i = 0; sample->conns != NULL && i < sample->conns->len; i++)
    {
      const OcdSockdiagConn *c = g_ptr_array_index (sample->conns, i);
      Conn *rec = find_conn (self, c->inode);

      if (rec != NULL && rec->seen)
        continue;   /* listed twice: the first one counts */
      if (rec != NULL && (c->bytes_acked < rec->bytes_acked || c->data_segs_out < rec->data_segs_out))
        {
          /* counters do not go back: another connection under a reused inode */
          memset (rec, 0, sizeof *rec);
          rec->inode = c->inode;
          first_sight (self, rec, c, sample->t, FALSE);
        }
      else if (rec != NULL)
        {
          follow (self, rec, c, sample->t);
        }
      else
        {
          Conn fresh = { .inode = c->inode };

          first_sight (self, &fresh, c, sample->t, recent);
          g_array_append_val (self->conns, fresh);
          rec = &g_array_index (self->conns, Conn, self->conns->len - 1);
        }
      rec->seen = TRUE;
      rec->bytes_acked = c->bytes_acked;
      rec->data_segs_out = c->data_segs_out;
      rec->total_retrans = c->total_retrans;
    }

  /* a connection gone is gone with its status (the server drops it with the last socket) */
  for (guint i = self->conns->len; i > 0; i--)
    if (!g_array_index (self->conns, Conn, i - 1).seen)
      g_array_remove_index (self->conns, i - 1);
  self->prev_t = sample->t;
}

/* The verdict from the connections followed so far: online while any sent a
 * status within the TTL, unknown while any may have sent one unseen. */
static OcdAppVerdict
judge (OcdAppTracker *self, gint64 now)
{
  OcdAppVerdict v = { OBICO_APP_STATUS_OFFLINE, OCD_APPSTATUS_WHY_NOT_REPORTING, 0, 0 };
  gint64 online_until = 0, unknown_until = 0;

  if (self->conns->len == 0)
    {
      v.why = OCD_APPSTATUS_WHY_NO_CONNECTION;
      return v;
    }
  for (guint i = 0; i < self->conns->len; i++)
    {
      const Conn *rec = &g_array_index (self->conns, Conn, i);

      v.last_status_t = MAX (v.last_status_t, rec->last_status_t);
      if (rec->last_status_t > 0 && now < rec->last_status_t + self->ttl)
        online_until = MAX (online_until, rec->last_status_t + self->ttl);
      if (rec->unseen_t > 0 && now < rec->unseen_t + self->ttl)
        unknown_until = MAX (unknown_until, rec->unseen_t + self->ttl);
    }
  if (online_until > 0)
    {
      v.status = OBICO_APP_STATUS_ONLINE;
      v.why = OCD_APPSTATUS_WHY_REPORTING;
      v.next_change_t = online_until;
    }
  else if (unknown_until > 0)
    {
      v.status = OBICO_APP_STATUS_UNKNOWN;
      v.why = OCD_APPSTATUS_WHY_NOT_YET_KNOWN;
      v.next_change_t = unknown_until;
    }
  return v;
}

OcdAppVerdict
ocd_app_tracker_verdict (OcdAppTracker *self, gint64 now)
{
  /* what does not come from the connections stands until the next sample */
  if (self->last.why == OCD_APPSTATUS_WHY_NO_SAMPLE || self->last.why == OCD_APPSTATUS_WHY_QUERY_FAILED ||
      self->last.why == OCD_APPSTATUS_WHY_OTHER_NETNS)
    return self->last;
  return judge (self, now);
}

OcdAppVerdict
ocd_app_tracker_sample (OcdAppTracker *self, const OcdAppSample *sample)
{
  OcdAppVerdict v = { OBICO_APP_STATUS_UNKNOWN, OCD_APPSTATUS_WHY_QUERY_FAILED, 0, 0 };

  if (!sample->ok)
    {
      /* the connections are kept: the next answer's differences span the gap */
      self->last = v;
      return v;
    }
  take_sample (self, sample);
  if (sample->netns == OCD_NETNS_OTHER)
    {
      v.why = OCD_APPSTATUS_WHY_OTHER_NETNS;
      self->last = v;
      return v;
    }
  self->last = judge (self, sample->t);
  return self->last;
}

const char *
ocd_appstatus_why_to_string (OcdAppStatusWhy why)
{
  switch (why)
    {
    case OCD_APPSTATUS_WHY_NO_SAMPLE:
      return "the agent's connection was not looked at yet";
    case OCD_APPSTATUS_WHY_QUERY_FAILED:
      return "the kernel did not list the TCP connections (netlink refused)";
    case OCD_APPSTATUS_WHY_OTHER_NETNS:
      return "the agent runs in another network namespace (a container?): its connection cannot be seen";
    case OCD_APPSTATUS_WHY_NOT_YET_KNOWN:
      return "the agent's connection was first seen recently: its next status tells";
    case OCD_APPSTATUS_WHY_NO_CONNECTION:
      return "the agent holds no connection to the server";
    case OCD_APPSTATUS_WHY_NOT_REPORTING:
      return "the agent is connected but sent no status for 120 s: only keepalives";
    case OCD_APPSTATUS_WHY_REPORTING:
      return "the agent is connected and sends its statuses";
    default:
      return "";
    }
}
