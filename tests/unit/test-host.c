/* test-host.c — reading what the host says: the Raspberry Pi firmware's
 * throttling flags, sysfs flags, /proc/net/wireless, NetworkManager's
 * signal scale, a proxy without its password, the server's Date header. */
#include "config.h"

#include "ocd-host-private.h"

static void
test_throttled (void)
{
  static const struct {
    const char *text;
    gboolean ok;
    guint32 flags;
  } cases[] = {
    /* the firmware driver prints "%x\n" */
    { "50005\n", TRUE, 0x50005 },
    { "50000\n", TRUE, 0x50000 },
    { "0\n", TRUE, 0 },
    { "0x50005", TRUE, 0x50005 },
    { " 80008 ", TRUE, 0x80008 },
    { "e0000\n", TRUE, 0xe0000 },
    { "ffffffff", TRUE, 0xffffffff },
    { "", FALSE, 0 },
    { "\n", FALSE, 0 },
    { "0x", FALSE, 0 },
    { "-1", FALSE, 0 },
    { "5000g", FALSE, 0 },
    { "1ffffffff", FALSE, 0 },     /* more than 32 bits */
    { "throttled=0x50005", FALSE, 0 },   /* vcgencmd's output, not the attribute's */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint32 flags = 0xdead;

      g_test_message ("case %u", i);
      g_assert_cmpint (ocd_host_parse_throttled (cases[i].text, &flags), ==, cases[i].ok);
      if (cases[i].ok)
        g_assert_cmphex (flags, ==, cases[i].flags);
      else
        g_assert_cmphex (flags, ==, 0xdead);
    }
  /* the bits the host reads */
  g_assert_cmphex (OCD_THROTTLED_UNDER_VOLTAGE | OCD_THROTTLED_THROTTLED |
                   OCD_THROTTLED_UNDER_VOLTAGE_SINCE_BOOT, ==, 0x10005);
  g_assert_cmphex (OCD_THROTTLED_THROTTLED_SINCE_BOOT, ==, 0x40000);
}

static void
test_flag (void)
{
  gboolean flag = 7;

  g_assert_true (ocd_host_parse_flag ("1\n", &flag));
  g_assert_true (flag);
  g_assert_true (ocd_host_parse_flag ("0", &flag));
  g_assert_false (flag);
  flag = 7;
  g_assert_false (ocd_host_parse_flag ("2\n", &flag));
  g_assert_false (ocd_host_parse_flag ("", &flag));
  g_assert_false (ocd_host_parse_flag ("10", &flag));
  g_assert_cmpint (flag, ==, 7);
}

#define WIRELESS_HEAD \
  "Inter-| sta-|   Quality        |   Discarded packets               | Missed | WE\n" \
  " face | tus | link level noise |  nwid  crypt   frag  retry   misc | beacon | 22\n"

static void
test_wireless (void)
{
  static const struct {
    const char *text;
    gboolean ok;
    int level;
  } cases[] = {
    { WIRELESS_HEAD " wlan0: 0000   54.  -56.  -256        0      0      0      0     25        0\n",
      TRUE, -56 },
    { WIRELESS_HEAD "wlp2s0: 0000   70.  -38.  -256        0      0      0      0      0        0\n",
      TRUE, -38 },
    /* no dot: the value was not updated since the last read, still a level */
    { WIRELESS_HEAD " wlan0: 0000   30   -80   -256        0      0      0      0      0        0\n",
      TRUE, -80 },
    /* no wireless interface */
    { WIRELESS_HEAD, FALSE, 0 },
    { "", FALSE, 0 },
    /* two: which one carries the link is not known here */
    { WIRELESS_HEAD " wlan0: 0000   54.  -56.  -256  0 0 0 0 25 0\n"
                    " wlan1: 0000   40.  -70.  -256  0 0 0 0 25 0\n", FALSE, 0 },
    /* a driver that reports no dBm (a relative level) or none at all */
    { WIRELESS_HEAD " wlan0: 0000   54.   70.     0  0 0 0 0 25 0\n", FALSE, 0 },
    { WIRELESS_HEAD " wlan0: 0000    0  -256  -256  0 0 0 0 0 0\n", FALSE, 0 },
    { WIRELESS_HEAD " wlan0: 0000   54.  abc   -256  0 0 0 0 25 0\n", FALSE, 0 },
    { WIRELESS_HEAD " wlan0: 0000\n", FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int level = 1;

      g_test_message ("case %u", i);
      g_assert_cmpint (ocd_host_parse_wireless (cases[i].text, &level), ==, cases[i].ok);
      g_assert_cmpint (level, ==, cases[i].ok ? cases[i].level : 1);
    }
}

static void
test_signal_percent (void)
{
  /* NetworkManager's nl80211 scale: -90 dBm 30 %, -20 dBm 100 % */
  g_assert_cmpuint (ocd_host_signal_percent (-20), ==, 100);
  g_assert_cmpuint (ocd_host_signal_percent (-10), ==, 100);
  g_assert_cmpuint (ocd_host_signal_percent (-56), ==, 64);
  g_assert_cmpuint (ocd_host_signal_percent (-90), ==, 30);
  g_assert_cmpuint (ocd_host_signal_percent (-120), ==, 30);
}

static void
test_redact_proxy (void)
{
  static const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "http://proxy.lan:3128", "http://proxy.lan:3128" },
    { "http://user:secret@proxy.lan:3128/", "http://proxy.lan:3128/" },
    { "  socks5h://me@10.0.0.1:1080 ", "socks5h://10.0.0.1:1080" },
    { "user:p@ss@proxy:8080", "proxy:8080" },
    { "proxy.lan:3128", "proxy.lan:3128" },
    /* an @ in the path is not the user's */
    { "http://proxy/a@b", "http://proxy/a@b" },
    { "", NULL },
    { "   ", NULL },
    { NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = ocd_host_redact_proxy (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_date_skew (void)
{
  /* Tue, 15 Nov 1994 08:12:31 GMT = 784887151 */
  const gint64 date = 784887151;
  double skew = 99;

  g_assert_true (ocd_host_date_skew ("Tue, 15 Nov 1994 08:12:31 GMT", date * G_USEC_PER_SEC, &skew));
  g_assert_cmpfloat_with_epsilon (skew, 0.5, 1e-6);
  /* an hour behind the server, received 0.25 s into its second */
  g_assert_true (ocd_host_date_skew ("Tue, 15 Nov 1994 08:12:31 GMT",
                                     (date - 3600) * G_USEC_PER_SEC + G_USEC_PER_SEC / 4, &skew));
  g_assert_cmpfloat_with_epsilon (skew, 3600.25, 1e-6);
  /* the obsolete formats HTTP still allows */
  g_assert_true (ocd_host_date_skew ("Tuesday, 15-Nov-94 08:12:31 GMT", date * G_USEC_PER_SEC, &skew));
  g_assert_cmpfloat_with_epsilon (skew, 0.5, 1e-6);
  skew = 99;
  g_assert_false (ocd_host_date_skew ("yesterday", 0, &skew));
  g_assert_false (ocd_host_date_skew ("", 0, &skew));
  g_assert_false (ocd_host_date_skew (NULL, 0, &skew));
  g_assert_cmpfloat (skew, ==, 99);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/host/throttled", test_throttled);
  g_test_add_func ("/host/flag", test_flag);
  g_test_add_func ("/host/wireless", test_wireless);
  g_test_add_func ("/host/signal-percent", test_signal_percent);
  g_test_add_func ("/host/redact-proxy", test_redact_proxy);
  g_test_add_func ("/host/date-skew", test_date_skew);
  return g_test_run ();
}
