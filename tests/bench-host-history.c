/* bench-host-history.c — what the host's history costs, for tests/bench.py:
 * 24 hours of a Wi-Fi signal that moves as often as Host follows it (NM's
 * updates, every 5 s), the RTT at every heartbeat (30 s), an under-voltage
 * now and then and a roam an hour, fed to the real ocd-host-history with the
 * time it would have; then its memory, the CPU of one change, and GetReport's
 * host_history (its build time and its size on the bus).  Prints figures,
 * one "key value" a line; asserts nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <malloc.h>
#include <time.h>

#include "ocd-host-history.h"

static gint64
thread_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static GVariant *
context (guint n)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  /* a signal that moves by more than Host's 5 points every time */
  g_variant_dict_insert (&dict, "wifi_signal", "u", (guint32) (20 + (n * 37) % 70));
  g_variant_dict_insert (&dict, "wifi_bitrate", "u", (guint32) (n % 3 == 0 ? 72200 : 144400));
  g_variant_dict_insert (&dict, "wifi_frequency", "u", (guint32) 2437);
  g_variant_dict_insert (&dict, "wifi_roams", "u", (guint32) (n / 720));
  g_variant_dict_insert (&dict, "rtt_ms", "d", 5.0 + (n / 6) % 40 * 10.0);
  g_variant_dict_insert (&dict, "retransmits", "d", (n / 6) % 10 == 0 ? 0.05 : 0.0);
  g_variant_dict_insert (&dict, "under_voltage", "b", n % 2000 < 3);
  g_variant_dict_insert (&dict, "clock_synchronized", "b", TRUE);
  g_variant_dict_insert (&dict, "clock_skew", "d", 0.2);
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

int
main (int argc, char *argv[])
{
  const gint64 t0 = (gint64) 1800000000 * G_USEC_PER_SEC;
  const gint64 step = 5 * G_USEC_PER_SEC;
  const guint n = (guint) (OCD_HOST_HISTORY_WINDOW_USEC / step);
  struct mallinfo2 before, after;
  g_autoptr(OcdHostHistory) history = NULL;
  g_autoptr(GVariant) report = NULL;
  g_autoptr(GPtrArray) contexts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  gint64 cpu = 0, start;
  guint rounds = 20;

  /* the contexts are made first: what Host hands over is not the history's cost */
  for (guint i = 0; i < n; i++)
    {
      g_ptr_array_add (contexts, context (i));
      /* serialized, as Host's is once it went out on the bus */
      g_variant_get_data (contexts->pdata[i]);
    }

  before = mallinfo2 ();
  history = ocd_host_history_new ();
  for (guint i = 0; i < n; i++)
    {
      start = thread_ns ();
      ocd_host_history_record (history, contexts->pdata[i], t0 + i * step);
      cpu += thread_ns () - start;
    }
  after = mallinfo2 ();
  g_print ("changes %u\n", n);
  g_print ("entries %u\n", ocd_host_history_get_length (history));
  g_print ("entries_bytes %" G_GSIZE_FORMAT "\n", ocd_host_history_get_size (history));
  g_print ("heap_bytes %ld\n", (long) (after.uordblks + after.hblkhd) - (long) (before.uordblks + before.hblkhd));
  g_print ("record_ns %.0f\n", (double) cpu / n);

  /* a second day on top: the window keeps it bounded */
  cpu = 0;
  for (guint i = 0; i < n; i++)
    {
      start = thread_ns ();
      ocd_host_history_record (history, contexts->pdata[i], t0 + (n + i) * step);
      cpu += thread_ns () - start;
    }
  after = mallinfo2 ();
  g_print ("entries_day2 %u\n", ocd_host_history_get_length (history));
  g_print ("heap_bytes_day2 %ld\n", (long) (after.uordblks + after.hblkhd) - (long) (before.uordblks + before.hblkhd));
  g_print ("record_ns_day2 %.0f\n", (double) cpu / n);

  /* GetReport's host_history: built (and serialized) per call */
  start = thread_ns ();
  for (guint i = 0; i < rounds; i++)
    {
      g_autoptr(GVariant) v = g_variant_ref_sink (ocd_host_history_to_variant (history, t0 + 2 * n * step));

      g_variant_get_data (v);    /* serialized, as the bus sends it */

      if (i + 1 == rounds)
        report = g_steal_pointer (&v);
    }
  g_print ("to_variant_ns %.0f\n", (double) (thread_ns () - start) / rounds);
  g_print ("variant_bytes %" G_GSIZE_FORMAT "\n", g_variant_get_size (report));
  return 0;
}
