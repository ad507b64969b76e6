/* ocd-stats.c — counts attempts and errors as the official plugin does, both
 * since start and over a sliding window.  The window is kept in a fixed ring
 * of buckets, so memory stays the same however long the daemon runs; the
 * event list for the chart is capped too. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ocd-stats.h"

#define N_BUCKETS 96

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
} Event;

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
};

static void
event_free (Event *event)
{
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
  g_queue_init (&stats->events);
  return stats;
}

void
ocd_stats_reset (OcdStats *stats)
{
  memset (stats->buckets, 0, sizeof stats->buckets);
  g_queue_clear_full (&stats->events, (GDestroyNotify) event_free);
  stats->total_attempts = stats->total_errors = 0;
  stats->total_first = stats->total_last = 0;
}

void
ocd_stats_free (OcdStats *stats)
{
  if (stats == NULL)
    return;
  ocd_stats_reset (stats);
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

  event = g_new0 (Event, 1);
  event->t = now;
  event->error = error;
  event->kind = g_intern_string (kind != NULL ? kind : "");
  event->cause = g_strdup (cause != NULL ? cause : "");
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
    fill (window, attempts, errors, first, last);
  if (since_start != NULL)
    fill (since_start, stats->total_attempts, stats->total_errors,
          stats->total_first, stats->total_last);
}

void
ocd_stats_add_to_dict (OcdStats *stats, gint64 now, GVariantDict *dict)
{
  OcdStatsSummary window, total;

  ocd_stats_summarize (stats, now, &window, &total);
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
