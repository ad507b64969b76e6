/* ocd-stats.h — the error account of the connectivity report (pure) */
#pragma once

#include <glib.h>

#include "obico-enums.h"

G_BEGIN_DECLS

typedef struct _OcdStats OcdStats;

typedef struct {
  guint          attempts;
  guint          errors;
  double         rate;       /* errors / attempts, 0 without attempts */
  gint64         first;      /* unix µs of the first error, 0 none */
  gint64         last;       /* unix µs of the last error, 0 none */
  ObicoSeverity  severity;
  gboolean       alert;
  double         window_seconds;  /* the span summarized, 0 since start */
} OcdStatsSummary;

/* The recent window that drives State: each outage (errors in a row, ended
 * by the next success) counts as one failed exchange, so the retries of one
 * outage do not make a working link look unreliable afterwards. */
typedef struct {
  OcdStatsSummary  exchanges;  /* errors = outages begun in the window */
  gboolean         ongoing;    /* an outage now */
} OcdStatsRecent;

OcdStats      *ocd_stats_new          (gint64 window_usec, guint max_events);
void           ocd_stats_free         (OcdStats *stats);
void           ocd_stats_record       (OcdStats   *stats,
                                       gint64      now,
                                       gboolean    error,
                                       const char *kind,
                                       const char *cause);
void           ocd_stats_reset        (OcdStats *stats);
/* The host's context now (a{sv}, NULL: none known): every error recorded
 * from now on and every outage begun carries it. */
void           ocd_stats_set_context  (OcdStats *stats, GVariant *context);
/* The host's context at the start of each outage begun in the recent
 * window, oldest first (an empty a{sv} where none was known). */
GPtrArray     *ocd_stats_recent_drops (OcdStats *stats, gint64 now);
/* The recent window (15 minutes unless set). */
void           ocd_stats_set_recent   (OcdStats *stats, gint64 recent_usec);
void           ocd_stats_summarize_recent (OcdStats *stats, gint64 now, OcdStatsRecent *recent);
/* When the recent summary next changes by time alone (unix µs), 0 never. */
gint64         ocd_stats_recent_expiry (OcdStats *stats, gint64 now);
GVariant      *ocd_stats_outages      (OcdStats *stats, gint64 now);
void           ocd_stats_add_outages_to_dict (OcdStats *stats, gint64 now, GVariantDict *dict);
void           ocd_stats_summarize    (OcdStats *stats, gint64 now, OcdStatsSummary *window,
                                       OcdStatsSummary *since_start);
void           ocd_stats_add_to_dict  (OcdStats *stats, gint64 now, GVariantDict *dict);
GVariant      *ocd_stats_to_variant   (OcdStats *stats, gint64 now);
GVariant      *ocd_stats_events       (OcdStats *stats);
ObicoSeverity  ocd_stats_severity_for (guint attempts, guint errors);
gboolean       ocd_stats_alert_for    (guint attempts, guint errors);
const char    *ocd_stats_advice       (ObicoSeverity severity);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OcdStats, ocd_stats_free)

G_END_DECLS
