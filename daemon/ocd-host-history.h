/* ocd-host-history.h — the host's context over the last 24 hours: what
 * changed and when (Wi-Fi signal and bit rate, roams, the WebSocket's RTT
 * and retransmissions, under-voltage, the clock), for the report's lanes
 * under the error chart and the support report.
 *
 * Recorded on change only (the Host property's changes, already stripped of
 * jitter), changes within a minute folded into one entry that keeps the
 * worst of that minute, so the history holds at most one entry a minute:
 * 1441 entries of 48 bytes at most, whatever the Wi-Fi does.  Pure: the
 * caller tells the time; kept in memory only (see docs/architecture.md). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The window kept, and how close changes fold into one entry. */
#define OCD_HOST_HISTORY_WINDOW_USEC  (24 * G_TIME_SPAN_HOUR)
#define OCD_HOST_HISTORY_FOLD_USEC    G_TIME_SPAN_MINUTE

typedef struct _OcdHostHistory OcdHostHistory;

OcdHostHistory *ocd_host_history_new       (void);
void            ocd_host_history_free      (OcdHostHistory *self);
/* The host's context (a{sv}, the Host property) as it is at @now (unix µs):
 * what differs from the last one recorded becomes (part of) an entry. */
void            ocd_host_history_record    (OcdHostHistory *self,
                                            GVariant       *context,
                                            gint64          now);
/* GetReport's host_history at @now: a floating aa{sv}, oldest first (keys
 * in io.obico.Connect1.xml). */
GVariant       *ocd_host_history_to_variant (OcdHostHistory *self,
                                             gint64          now);
/* How many entries are kept, and the bytes they take (for the benchmark's
 * and the tests' figures). */
guint           ocd_host_history_get_length (OcdHostHistory *self);
gsize           ocd_host_history_get_size   (OcdHostHistory *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OcdHostHistory, ocd_host_history_free)

G_END_DECLS
