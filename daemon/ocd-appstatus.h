/* ocd-appstatus.h — whether the Obico app shows the printer online, inferred
 * from what the kernel shows of the official agent's connection to the
 * server (pure: samples in, a verdict out; ocd-sockdiag takes the samples). */
#pragma once

#include <glib.h>

#include "obico-enums.h"
#include "ocd-sockdiag.h"

G_BEGIN_DECLS

/* obico-server's STATUS_TTL_SECONDS: the app shows a printer offline when no
 * status with _ts came for this long (docs/obico-protocol.md). */
#define OCD_APPSTATUS_TTL_USEC ((gint64) 120 * G_USEC_PER_SEC)

/* daphne pings a socket after 20 s without a message from the agent; the
 * agent's Pong is the only data it sends that is not its own. */
#define OCD_APPSTATUS_PING_IDLE_USEC ((gint64) 20 * G_USEC_PER_SEC)

/* The smallest status an official agent sends, in bytes on the wire.
 * OctoPrint-Obico's and moonraker-obico's statuses carry `_ts`,
 * `current_print_ts` and `status.state` with its flags, the job, the
 * progress and the temperatures: 600 bytes and more for an idle printer
 * (the first, with `settings`, several kilobytes).  256 leaves room below. */
#define OCD_APPSTATUS_STATUS_MIN_BYTES 256

/* The largest keepalive frame, in bytes on the wire: a Pong echoes the
 * server's Ping payload (autobahn, under daphne: 4 to 12 bytes), a Ping of
 * the agent's own (websocket-client) is empty; with the 2-byte header, the
 * 4-byte mask and a TLS record's overhead (5 + 8 + 16 with AES-GCM in TLS
 * 1.2, 5 + 1 + 16 in TLS 1.3) that is at most 47 bytes.  A segment carrying
 * more than this on average carried something that is not a keepalive. */
#define OCD_APPSTATUS_KEEPALIVE_MAX_BYTES 64

/* What a connection's handshake sends before any message, in data segments:
 * the upgrade request over ws://; over wss:// also the ClientHello and the
 * client's second flight (Finished), with room for one more (a TLS 1.3
 * HelloRetryRequest's second ClientHello). */
#define OCD_APPSTATUS_HANDSHAKE_SEGS_WS 1
#define OCD_APPSTATUS_HANDSHAKE_SEGS_WSS 4

/* Why the verdict is what it is. */
typedef enum {
  OCD_APPSTATUS_WHY_NO_SAMPLE,       /* unknown: nothing was looked at yet */
  OCD_APPSTATUS_WHY_QUERY_FAILED,    /* unknown: the kernel did not list the connections */
  OCD_APPSTATUS_WHY_OTHER_NETNS,     /* unknown: the agent's connections are out of sight */
  OCD_APPSTATUS_WHY_NOT_YET_KNOWN,   /* unknown: a connection first seen; its next status tells */
  OCD_APPSTATUS_WHY_NO_CONNECTION,   /* offline: no established connection to the server */
  OCD_APPSTATUS_WHY_NOT_REPORTING,   /* offline: connected, no status for the TTL */
  OCD_APPSTATUS_WHY_REPORTING,       /* online: connected, a status within the TTL */
} OcdAppStatusWhy;

/* One look at the agent's connections. */
typedef struct {
  gint64 t;             /* monotonic µs when the kernel was asked */
  gboolean ok;          /* FALSE: the query failed (conns is ignored) */
  OcdNetns netns;       /* the agent's process against ours, when it is known */
  GPtrArray *conns;     /* OcdSockdiagConn: the agent's connections to the server */
} OcdAppSample;

typedef struct {
  ObicoAppStatus status;
  OcdAppStatusWhy why;
  gint64 last_status_t;   /* monotonic µs of the last status seen sent; 0: none */
  gint64 next_change_t;   /* when the verdict changes if nothing new is seen; 0: not by itself */
} OcdAppVerdict;

typedef struct _OcdAppTracker OcdAppTracker;

/* @ttl_usec: the server's status lifetime (OCD_APPSTATUS_TTL_USEC);
 * @handshake_segs: OCD_APPSTATUS_HANDSHAKE_SEGS_WS or _WSS for the server's
 * scheme, 0 if it is not known (a new connection then waits for its next
 * status like one seen for the first time). */
OcdAppTracker *ocd_app_tracker_new     (gint64               ttl_usec,
                                        guint                handshake_segs);
void           ocd_app_tracker_free    (OcdAppTracker       *tracker);
OcdAppVerdict  ocd_app_tracker_sample  (OcdAppTracker       *tracker,
                                        const OcdAppSample  *sample);
/* The verdict at @now without a new sample (e.g. at next_change_t). */
OcdAppVerdict  ocd_app_tracker_verdict (OcdAppTracker       *tracker,
                                        gint64               now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OcdAppTracker, ocd_app_tracker_free)

/* Whether data a connection sent between two samples holds a status:
 * @bytes acknowledged in @new_segs data segments (not retransmissions);
 * @segs_known FALSE where the kernel does not count data segments. */
gboolean       ocd_appstatus_window_has_status (guint64  bytes,
                                                guint32  new_segs,
                                                gboolean segs_known);

/* A sentence for the report and the log. */
const char    *ocd_appstatus_why_to_string (OcdAppStatusWhy why);

G_END_DECLS
