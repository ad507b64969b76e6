/* ocd-probe-host.c — Diagnose()'s first step: what the host says, a line
 * each: the Wi-Fi signal, bit rate and power saving, the power supply
 * (under-voltage), the clock (synchronized, its skew from the server's), and
 * the proxy the server is reached through.  It fails on under-voltage now or
 * a clock a minute or more off; the steps after it run either way. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-probe"

#include <glib/gi18n.h>

#include "ocd-probe-host.h"

static gboolean
lookup_boolean (GVariantDict *dict, const char *key, gboolean *value)
{
  return g_variant_dict_lookup (dict, key, "b", value);
}

void
ocd_probe_add_host_step (Probe *probe)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *detail = NULL;
  GVariantDict dict;
  guint32 signal, bitrate;
  gboolean flag, since_boot, synchronized, ok = TRUE;
  double skew;

  g_variant_dict_init (&dict, probe->host_context != NULL ? ocd_host_get_context (probe->host_context)
                                                          : NULL);
  /* Wi-Fi */
  if (g_variant_dict_lookup (&dict, "wifi_signal", "u", &signal))
    {
      GString *line = g_string_new (NULL);

      g_string_printf (line, _("The Wi-Fi signal is %u %%."), signal);
      if (g_variant_dict_lookup (&dict, "wifi_bitrate", "u", &bitrate))
        {
          g_string_append_c (line, ' ');
          g_string_append_printf (line, _("Its bit rate is %.0f Mbit/s."), bitrate / 1000.0);
        }
      if (lookup_boolean (&dict, "wifi_power_save", &flag))
        {
          g_string_append_c (line, ' ');
          g_string_append (line, flag ? _("Wi-Fi power saving is on.") : _("Wi-Fi power saving is off."));
        }
      g_ptr_array_add (lines, g_string_free (line, FALSE));
    }
  else
    g_ptr_array_add (lines, g_strdup (_("The link does not go over Wi-Fi, or this host cannot tell "
                                        "its signal.")));

  /* Power */
  if (lookup_boolean (&dict, "under_voltage", &flag) && flag)
    {
      ok = FALSE;
      g_ptr_array_add (lines, g_strdup (_("The power supply is too weak now (under-voltage): a "
                                          "Raspberry Pi's Wi-Fi and USB brown out.")));
    }
  else if (lookup_boolean (&dict, "under_voltage_since_boot", &since_boot) && since_boot)
    g_ptr_array_add (lines, g_strdup (_("The power supply was too weak at some time since boot "
                                        "(under-voltage).")));
  else if (g_variant_dict_contains (&dict, "under_voltage"))
    g_ptr_array_add (lines, g_strdup (_("The power supply is fine: no under-voltage.")));
  else
    g_ptr_array_add (lines, g_strdup (_("This host does not report under-voltage (only a Raspberry "
                                        "Pi does).")));

  /* Clock */
  if (lookup_boolean (&dict, "clock_synchronized", &synchronized))
    g_ptr_array_add (lines, g_strdup (synchronized ? _("The clock is synchronized with a time server.")
                                                   : _("The clock is not synchronized with a time "
                                                       "server.")));
  else
    g_ptr_array_add (lines, g_strdup (_("Whether the clock is synchronized cannot be asked here "
                                        "(no timedated).")));
  if (g_variant_dict_lookup (&dict, "clock_skew", "d", &skew))
    {
      if (ABS (skew) >= 60)
        ok = FALSE;
      g_ptr_array_add (lines, ABS (skew) < 2
                              ? g_strdup (_("The clock agrees with the server's."))
                              : g_strdup_printf (_("The server's clock differs from this host's by "
                                                   "%.0f seconds."), skew));
    }

  /* Proxy */
  if (probe->proxy_shown != NULL)
    g_ptr_array_add (lines, g_strdup_printf (_("Requests to the server go through the proxy %s."),
                                             probe->proxy_shown));
  else
    g_ptr_array_add (lines, g_strdup (_("The server is reached directly, without a proxy.")));
  g_variant_dict_clear (&dict);

  g_ptr_array_add (lines, NULL);
  detail = g_strjoinv ("\n", (char **) lines->pdata);
  ocd_probe_open_step (probe, "host", ok, 0, detail);
  ocd_probe_step_key (probe, "lines", g_variant_new_strv ((const char * const *) lines->pdata, -1));
  ocd_probe_close_step (probe);
}
