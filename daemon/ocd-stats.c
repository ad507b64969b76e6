/* ocd-stats.c — counts attempts and errors as the official plugin does, both
 * since start and over a sliding window.  The window is kept in a fixed ring
 * of buckets, so memory stays the same however long the daemon runs; the
 * event list for the chart is capped too. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ocd-stats.h"

#define N_BUCKETS 96
#define DEFAULT_RECENT (15 * 60 * G_USEC_PER_SEC)
#define MAX_EXCHANGES 4096   /* the recent window's counted exchanges */
#define MAX_OUTAGES 100

typedef struct {
  gint64 start;   /* unix µs; 0 = empty */
  guint  attempts;
  guint  errors;
  gint64 first_error;
  gint64 last_error;
} Bucket;

typedef struct {
  gint64      t;
  gboolean    error;
  const char *kind;   /* interned */
  char       *cause;
  GVariant   *host;   /* the host's context at an error, NULL: none known */
} Event;

/* One counted exchange of the recent window: a success, or the first
 * error of an outage. */
typedef struct {
  gint64   t;
  gboolean error;
} Exchange;

typedef struct {
  gint64      start;   /* unix µs */
  gint64      end;     /* unix µs, 0 while it lasts */
  const char *kind;    /* interned: what failed first */
  char       *cause;
  GVariant   *host;    /* the host's context at its start, NULL: none known */
} Outage;

struct _OcdStats {
  gint64  window;
  gint64  bucket_span;
  Bucket  buckets[N_BUCKETS];
  guint   max_events;
  GQueue  events;
  guint   total_attempts;
  guint   total_errors;
  gint64  total_first;
  gint64  total_last;
  gint64  recent;
  GQueue  exchanges;       /* Exchange, oldest first */
  GQueue  outages;         /* Outage, oldest first, the last may be ongoing */
  gboolean in_outage;
  guint   total_outages;
  gint64  total_outage_usec;   /* of the ended ones */
  GVariant *context;           /* the host's now, what errors carry */
};

static void
outage_free (Outage *outage)
{
  g_clear_pointer (&outage->host, g_variant_unref);
  g_free (outage->cause);
  g_free (outage);
}

static void
event_free (Event *event)
{
  g_clear_pointer (&event->host, g_variant_unref);
  g_free (event->cause);
  g_free (event);
}

OcdStats *
ocd_stats_new (gint64 window_usec, guint max_events)
{
  OcdStats *stats = g_new0 (OcdStats, 1);

  stats->window = MAX (window_usec, N_BUCKETS);
  stats->bucket_span = stats->window / N_BUCKETS;
  stats->max_events = MAX (max_events, 1);
  stats->recent = DEFAULT_RECENT;
  g_queue_init (&stats->events);
  g_queue_init (&stats->exchanges);
  g_queue_init (&stats->outages);
  return stats;
}

void
ocd_stats_reset (OcdStats *stats)
{
  memset (stats->buckets, 0, sizeof stats->buckets);
  g_queue_clear_full (&stats->events, (GDestroyNotify) event_free);
  stats->total_attempts = stats->total_errors = 0;
  stats->total_first = stats->total_last = 0;
  g_queue_clear_full (&stats->exchanges, g_free);
  g_queue_clear_full (&stats->outages, (GDestroyNotify) outage_free);
  stats->in_outage = FALSE;
  stats->total_outages = 0;
  stats->total_outage_usec = 0;
}

void
ocd_stats_set_context (OcdStats *stats,
                       GVariant *context)
{
  g_clear_pointer (&stats->context, g_variant_unref);
  stats->context = context != NULL ? g_variant_ref_sink (context) : NULL;
}

GPtrArray *
ocd_stats_recent_drops (OcdStats *stats,
                        gint64    now)
{
  GPtrArray *drops = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);

  for (GList *l = stats->outages.head; l != NULL; l = l->next)
    {
      const Outage *outage = l->data;

      if (outage->start <= now - stats->recent || outage->start > now)
        continue;
      g_ptr_array_add (drops, outage->host != NULL ? g_variant_ref (outage->host)
                                                   : g_variant_ref_sink (g_variant_new ("a{sv}", NULL)));
    }
  return drops;
}

void
ocd_stats_set_recent (OcdStats *stats,
                      gint64    recent_usec)
{
  stats->recent = MAX (recent_usec, 1);
}

static void
count_exchange (OcdStats *stats, gint64 now, gboolean error)
{
  Exchange *exchange = g_new (Exchange, 1);

  exchange->t = now;
  exchange->error = error;
  g_queue_push_tail (&stats->exchanges, exchange);
  while (g_queue_get_length (&stats->exchanges) > MAX_EXCHANGES)
    g_free (g_queue_pop_head (&stats->exchanges));
}

/* Errors in a row are one outage; a success of what failed first ends it
 * (an answer of /hc/ or of the credential check while the WebSocket keeps
 * failing says why, it does not end the outage).  A failure nothing of
 * ours repeats (the official agent's log, Link()) ends with any success
 * but the health check's. */
static const char *
family (const char *kind)
{
  if (g_strcmp0 (kind, "websocket-send") == 0)
    return "websocket";
  if (g_strcmp0 (kind, "agent") == 0 || g_strcmp0 (kind, "link") == 0)
    return NULL;
  return kind;
}

static gboolean
ends_outage (OcdStats *stats, const char *kind)
{
  const Outage *outage = g_queue_peek_tail (&stats->outages);
  const char *first = family (outage->kind);

  if (first == NULL)
    return g_strcmp0 (kind, "health") != 0;
  return g_strcmp0 (family (kind), first) == 0;
}

static void
note_episode (OcdStats *stats, gint64 now, gboolean error, const char *kind, const char *cause)
{
  if (error && !stats->in_outage)
    {
      Outage *outage = g_new0 (Outage, 1);

      outage->start = now;
      outage->kind = kind;
      outage->cause = g_strdup (cause != NULL ? cause : "");
      outage->host = stats->context != NULL ? g_variant_ref (stats->context) : NULL;
      g_queue_push_tail (&stats->outages, outage);
      while (g_queue_get_length (&stats->outages) > MAX_OUTAGES)
        outage_free (g_queue_pop_head (&stats->outages));
      stats->in_outage = TRUE;
      stats->total_outages++;
      count_exchange (stats, now, TRUE);
    }
  else if (!error)
    {
      if (stats->in_outage && !ends_outage (stats, kind))
        return;
      if (stats->in_outage)
        {
          Outage *outage = g_queue_peek_tail (&stats->outages);

          outage->end = MAX (now, outage->start);
          stats->total_outage_usec += outage->end - outage->start;
          stats->in_outage = FALSE;
        }
      count_exchange (stats, now, FALSE);
    }
}

void
ocd_stats_free (OcdStats *stats)
{
  if (stats == NULL)
    return;
  ocd_stats_reset (stats);
  g_clear_pointer (&stats->context, g_variant_unref);
  g_free (stats);
}

void
ocd_stats_record (OcdStats   *stats,
                  gint64      now,
                  gboolean    error,
                  const char *kind,
                  const char *cause)
{
  gint64 start = now - now % stats->bucket_span;
  Bucket *bucket = &stats->buckets[(now / stats->bucket_span) % N_BUCKETS];
  Event *event;

  if (bucket->start != start)
    {
      memset (bucket, 0, sizeof *bucket);
      bucket->start = start;
    }
  bucket->attempts++;
  stats->total_attempts++;
  if (error)
    {
      bucket->errors++;
      stats->total_errors++;
      if (bucket->first_error == 0)
        bucket->first_error = now;
      bucket->last_error = now;
      if (stats->total_first == 0)
        stats->total_first = now;
      stats->total_last = now;
    }

  note_episode (stats, now, error, g_intern_string (kind != NULL ? kind : ""), cause);

  event = g_new0 (Event, 1);
  event->t = now;
  event->error = error;
  event->kind = g_intern_string (kind != NULL ? kind : "");
  event->cause = g_strdup (cause != NULL ? cause : "");
  if (error && stats->context != NULL)
    event->host = g_variant_ref (stats->context);
  g_queue_push_tail (&stats->events, event);
  while (g_queue_get_length (&stats->events) > stats->max_events)
    event_free (g_queue_pop_head (&stats->events));
}

ObicoSeverity
ocd_stats_severity_for (guint attempts, guint errors)
{
  double rate;

  if (errors == 0 || attempts == 0)
    return OBICO_SEVERITY_NONE;
  if (errors >= attempts)
    return OBICO_SEVERITY_TOTAL;
  rate = (double) errors / attempts;
  if (rate < 0.05)
    return OBICO_SEVERITY_LOW;
  if (rate <= 0.20)
    return OBICO_SEVERITY_MODERATE;
  return OBICO_SEVERITY_HIGH;
}

gboolean
ocd_stats_alert_for (guint attempts, guint errors)
{
  double rate = attempts > 0 ? (double) errors / attempts : 0;

  /* The official plugin's rule (docs/guided-fixes.md). */
  if (attempts < 8)
    return FALSE;
  if (attempts < 10 && rate < 0.5)
    return FALSE;
  if (rate < 0.25)
    return FALSE;
  return TRUE;
}

static void
fill (OcdStatsSummary *summary, guint attempts, guint errors, gint64 first, gint64 last)
{
  summary->attempts = attempts;
  summary->errors = errors;
  summary->rate = attempts > 0 ? (double) errors / attempts : 0;
  summary->first = first;
  summary->last = last;
  summary->severity = ocd_stats_severity_for (attempts, errors);
  summary->alert = ocd_stats_alert_for (attempts, errors);
  summary->window_seconds = 0;
}

void
ocd_stats_summarize (OcdStats        *stats,
                     gint64           now,
                     OcdStatsSummary *window,
                     OcdStatsSummary *since_start)
{
  guint attempts = 0, errors = 0;
  gint64 first = 0, last = 0;

  for (guint i = 0; i < N_BUCKETS; i++)
    {
      const Bucket *b = &stats->buckets[i];

      if (b->start == 0 || b->start + stats->bucket_span <= now - stats->window || b->start > now)
        continue;
      attempts += b->attempts;
      errors += b->errors;
      if (b->first_error != 0 && (first == 0 || b->first_error < first))
        first = b->first_error;
      if (b->last_error > last)
        last = b->last_error;
    }
  if (window != NULL)
    {
      fill (window, attempts, errors, first, last);
      window->window_seconds = stats->window / (double) G_USEC_PER_SEC;
    }
  if (since_start != NULL)
    fill (since_start, stats->total_attempts, stats->total_errors,
          stats->total_first, stats->total_last);
}

void
ocd_stats_summarize_recent (OcdStats       *stats,
                            gint64          now,
                            OcdStatsRecent *recent)
{
  guint attempts = 0, errors = 0;
  gint64 first = 0, last = 0;

  for (GList *l = stats->exchanges.head; l != NULL; l = l->next)
    {
      const Exchange *exchange = l->data;

      if (exchange->t <= now - stats->recent || exchange->t > now)
        continue;
      attempts++;
      if (exchange->error)
        {
          errors++;
          if (first == 0)
            first = exchange->t;
          last = exchange->t;
        }
    }
  fill (&recent->exchanges, attempts, errors, first, last);
  recent->exchanges.window_seconds = stats->recent / (double) G_USEC_PER_SEC;
  recent->ongoing = stats->in_outage;
}

gint64
ocd_stats_recent_expiry (OcdStats *stats,
                         gint64    now)
{
  for (GList *l = stats->exchanges.head; l != NULL; l = l->next)
    {
      const Exchange *exchange = l->data;

      if (exchange->t > now - stats->recent)
        return exchange->t + stats->recent;
    }
  return 0;
}

GVariant *
ocd_stats_outages (OcdStats *stats,
                   gint64    now)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (GList *l = stats->outages.head; l != NULL; l = l->next)
    {
      const Outage *outage = l->data;
      gint64 end = outage->end != 0 ? outage->end : MAX (now, outage->start);

      g_variant_builder_open (&builder, G_VARIANT_TYPE ("a{sv}"));
      g_variant_builder_add (&builder, "{sv}", "start", g_variant_new_int64 (outage->start));
      g_variant_builder_add (&builder, "{sv}", "end", g_variant_new_int64 (outage->end));
      g_variant_builder_add (&builder, "{sv}", "duration",
                             g_variant_new_double ((end - outage->start) / (double) G_USEC_PER_SEC));
      g_variant_builder_add (&builder, "{sv}", "cause", g_variant_new_string (outage->cause));
      if (outage->host != NULL)
        g_variant_builder_add (&builder, "{sv}", "host", outage->host);
      g_variant_builder_close (&builder);
    }
  return g_variant_builder_end (&builder);
}

void
ocd_stats_add_outages_to_dict (OcdStats     *stats,
                               gint64        now,
                               GVariantDict *dict)
{
  gint64 total = stats->total_outage_usec;

  if (stats->in_outage)
    {
      const Outage *outage = g_queue_peek_tail (&stats->outages);

      total += MAX (now, outage->start) - outage->start;
    }
  g_variant_dict_insert_value (dict, "outages", ocd_stats_outages (stats, now));
  g_variant_dict_insert (dict, "outage_count", "u", stats->total_outages);
  g_variant_dict_insert (dict, "outage_seconds", "d", total / (double) G_USEC_PER_SEC);
}

void
ocd_stats_add_to_dict (OcdStats *stats, gint64 now, GVariantDict *dict)
{
  OcdStatsSummary window, total;

  OcdStatsRecent recent;

  ocd_stats_summarize (stats, now, &window, &total);
  ocd_stats_summarize_recent (stats, now, &recent);
  g_variant_dict_insert (dict, "attempts", "u", window.attempts);
  g_variant_dict_insert (dict, "errors", "u", window.errors);
  g_variant_dict_insert (dict, "rate", "d", window.rate);
  g_variant_dict_insert (dict, "first", "x", window.first);
  g_variant_dict_insert (dict, "last", "x", window.last);
  g_variant_dict_insert (dict, "severity", "s", obico_severity_to_string (window.severity));
  g_variant_dict_insert (dict, "alert", "b", window.alert);
  g_variant_dict_insert (dict, "window_seconds", "d", stats->window / (double) G_USEC_PER_SEC);
  g_variant_dict_insert (dict, "total_attempts", "u", total.attempts);
  g_variant_dict_insert (dict, "total_errors", "u", total.errors);
  g_variant_dict_insert (dict, "total_first", "x", total.first);
  g_variant_dict_insert (dict, "total_last", "x", total.last);
  g_variant_dict_insert (dict, "recent_exchanges", "u", recent.exchanges.attempts);
  g_variant_dict_insert (dict, "recent_failures", "u", recent.exchanges.errors);
  g_variant_dict_insert (dict, "recent_alert", "b", recent.exchanges.alert);
  g_variant_dict_insert (dict, "recent_window_seconds", "d", recent.exchanges.window_seconds);
  g_variant_dict_insert (dict, "outage", "b", recent.ongoing);
}

GVariant *
ocd_stats_to_variant (OcdStats *stats, gint64 now)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  ocd_stats_add_to_dict (stats, now, &dict);
  return g_variant_dict_end (&dict);
}

GVariant *
ocd_stats_events (OcdStats *stats)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (GList *l = stats->events.head; l != NULL; l = l->next)
    {
      const Event *event = l->data;

      g_variant_builder_open (&builder, G_VARIANT_TYPE ("a{sv}"));
      g_variant_builder_add (&builder, "{sv}", "t", g_variant_new_int64 (event->t));
      g_variant_builder_add (&builder, "{sv}", "error", g_variant_new_boolean (event->error));
      g_variant_builder_add (&builder, "{sv}", "kind", g_variant_new_string (event->kind));
      g_variant_builder_add (&builder, "{sv}", "cause", g_variant_new_string (event->cause));
      if (event->host != NULL)
        g_variant_builder_add (&builder, "{sv}", "host", event->host);
      g_variant_builder_close (&builder);
    }
  return g_variant_builder_end (&builder);
}

const char *
ocd_stats_advice (ObicoSeverity severity)
{
  switch (severity)
    {
    case OBICO_SEVERITY_NONE:
      return _("No errors: the connection to the server is healthy.");
    case OBICO_SEVERITY_LOW:
      /* xgettext:no-c-format */
      return _("Fewer than 5 % of the attempts failed. This is usually harmless: occasional "
               "glitches that do not affect the app.");
    case OBICO_SEVERITY_MODERATE:
      /* xgettext:no-c-format */
      return _("Between 5 % and 20 % of the attempts failed: the connection is intermittent, "
               "usually because of a weak Wi-Fi signal. Use Ethernet, move the printer closer "
               "to the router, or add a Wi-Fi repeater.");
    case OBICO_SEVERITY_HIGH:
      /* xgettext:no-c-format */
      return _("More than 20 % of the attempts failed: act now. The connection is unreliable, "
               "usually because of a weak Wi-Fi signal. Use Ethernet, move the printer closer "
               "to the router, or add a Wi-Fi repeater.");
    case OBICO_SEVERITY_TOTAL:
    default:
      return _("Every attempt failed: there is no connectivity at all. Check DNS, the route to "
               "the server, the firewall and the network adapter (Wi-Fi or cable).");
    }
}
