/* ocd-cause.c — names the cause of an unreliable link from the host's
 * context at each drop: one that most drops share, in the order of how
 * plainly it explains them (a brown-out takes everything down, a weak
 * signal loses packets, power saving sleeps through idle links, a wrong
 * clock fails the secure connection).  A condition the drops do not share is
 * no cause: a weak signal without drops is not a problem. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ocd-cause.h"

static gboolean
lookup_bool (GVariant *context, const char *key, gboolean *value)
{
  return context != NULL && g_variant_lookup (context, key, "b", value);
}

static gboolean
under_voltage (GVariant *context)
{
  gboolean value;

  return lookup_bool (context, "under_voltage", &value) && value;
}

static gboolean
weak_signal (GVariant *context)
{
  guint32 signal;

  return context != NULL && g_variant_lookup (context, "wifi_signal", "u", &signal) &&
         signal < OCD_CAUSE_WEAK_SIGNAL;
}

static gboolean
power_save (GVariant *context)
{
  gboolean value;

  return lookup_bool (context, "wifi_power_save", &value) && value;
}

/* Unsynchronized, and (when the server told) far off the server's clock;
 * *@skew is set when known.  A synchronized clock is right: then the
 * server's is wrong, which nothing here can fix. */
static gboolean
clock_wrong (GVariant *context, gboolean need_skew, double *skew)
{
  gboolean synchronized = FALSE, have_sync, have_skew;
  double value = 0;

  have_sync = lookup_bool (context, "clock_synchronized", &synchronized);
  have_skew = context != NULL && g_variant_lookup (context, "clock_skew", "d", &value);
  if (skew != NULL && have_skew)
    *skew = value;
  if (have_sync && synchronized)
    return FALSE;
  if (have_skew)
    return fabs (value) >= OCD_CAUSE_CLOCK_SKEW;
  return have_sync && !need_skew;
}

static gboolean
clock_wrong_at_drop (GVariant *context)
{
  return clock_wrong (context, TRUE, NULL);
}

/* "3 hours" */
static char *
format_offset (double seconds)
{
  gulong value;

  seconds = fabs (seconds);
  if (seconds >= 2 * 86400)
    {
      value = (gulong) lround (seconds / 86400);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lu day", "%lu days", value), value);
    }
  if (seconds >= 2 * 3600)
    {
      value = (gulong) lround (seconds / 3600);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lu hour", "%lu hours", value), value);
    }
  if (seconds >= 120)
    {
      value = (gulong) lround (seconds / 60);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lu minute", "%lu minutes", value), value);
    }
  value = (gulong) lround (seconds);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lu second", "%lu seconds", value), value);
}

static guint
count (const OcdCauseInputs *in, gboolean (*has) (GVariant *context))
{
  guint n = 0;

  for (guint i = 0; i < in->n_drops; i++)
    if (has (in->drops[i]))
      n++;
  return n;
}

/* Enough drops share it to call it their cause. */
static gboolean
shared (guint n, guint of)
{
  return n >= OCD_CAUSE_MIN_DROPS && 2 * n > of;
}

void
ocd_cause_of_drops (const OcdCauseInputs *in,
                    OcdCause             *out)
{
  guint n, of = in->n_drops;

  out->problem = OBICO_PROBLEM_NONE;
  out->detail = NULL;

  if (shared (n = count (in, under_voltage), of))
    {
      out->problem = OBICO_PROBLEM_UNDER_VOLTAGE;
      out->detail = g_strdup_printf (_("%u of the last %u drops happened while the Raspberry Pi "
                                       "reported under-voltage: its power supply gives too little "
                                       "for the Wi-Fi and USB to work reliably."),
                                     n, of);
    }
  else if (shared (n = count (in, weak_signal), of))
    {
      out->problem = OBICO_PROBLEM_WEAK_WIFI;
      out->detail = g_strdup_printf (_("%u of the last %u drops happened while the Wi-Fi signal "
                                       "was under %u %%."),
                                     n, of, (guint) OCD_CAUSE_WEAK_SIGNAL);
    }
  else if (shared (n = count (in, power_save), of))
    {
      out->problem = OBICO_PROBLEM_WIFI_POWER_SAVE;
      out->detail = g_strdup_printf (_("%u of the last %u drops happened while Wi-Fi power saving "
                                       "was on, which lets the Wi-Fi sleep and drop idle "
                                       "connections."),
                                     n, of);
    }
  else if (shared (n = count (in, clock_wrong_at_drop), of))
    {
      double skew = 0;
      g_autofree char *offset = NULL;

      /* The skew of the last such drop. */
      for (guint i = 0; i < of; i++)
        if (clock_wrong_at_drop (in->drops[i]))
          g_variant_lookup (in->drops[i], "clock_skew", "d", &skew);
      offset = format_offset (skew);
      out->problem = OBICO_PROBLEM_CLOCK;
      out->detail = g_strdup_printf (_("%u of the last %u drops happened while this host's clock "
                                       "was not synchronized and %s off the server's."),
                                     n, of, offset);
    }
}

void
ocd_cause_of_tls (const OcdCauseInputs *in,
                  OcdCause             *out)
{
  double skew = NAN;

  out->problem = OBICO_PROBLEM_NONE;
  out->detail = NULL;
  if ((in->tls_errors & (G_TLS_CERTIFICATE_NOT_ACTIVATED | G_TLS_CERTIFICATE_EXPIRED)) == 0 ||
      !clock_wrong (in->host, FALSE, &skew))
    return;
  out->problem = OBICO_PROBLEM_CLOCK;
  if (!isnan (skew))
    {
      g_autofree char *offset = format_offset (skew);

      out->detail = g_strdup_printf (_("The server's certificate is not valid by this host's "
                                       "clock, which is %s off the server's and not synchronized "
                                       "with network time."),
                                     offset);
    }
  else
    out->detail = g_strdup (_("The server's certificate is not valid by this host's clock, which "
                              "is not synchronized with network time."));
}

void
ocd_cause_clear (OcdCause *cause)
{
  g_clear_pointer (&cause->detail, g_free);
}
