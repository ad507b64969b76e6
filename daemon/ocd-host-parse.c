/* ocd-host-parse.c — reading what the host's files and headers say (pure,
 * tests/unit/test-host.c). */
#include "config.h"

#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>

#include "ocd-host-private.h"

/* NetworkManager's scale for the signal of the access point in use
 * (nl80211_xbm_to_percent): -90 dBm is 30 %, -20 dBm and more 100 %. */
#define NOISE_FLOOR_DBM -90
#define SIGNAL_MAX_DBM  -20

gboolean
ocd_host_parse_throttled (const char *text,
                          guint32    *flags)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  const char *digits = copy;
  guint64 value;
  char *end;

  if (g_str_has_prefix (digits, "0x") || g_str_has_prefix (digits, "0X"))
    digits += 2;
  if (*digits == '\0' || strlen (digits) > 8 || !g_ascii_isxdigit (*digits))
    return FALSE;
  value = g_ascii_strtoull (digits, &end, 16);
  if (*end != '\0')
    return FALSE;
  *flags = (guint32) value;
  return TRUE;
}

gboolean
ocd_host_parse_flag (const char *text,
                     gboolean   *flag)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));

  if (!g_str_equal (copy, "0") && !g_str_equal (copy, "1"))
    return FALSE;
  *flag = copy[0] == '1';
  return TRUE;
}

/* One interface's line: "wlan0: 0000   54.  -56.  -256  0 0 0 0  25  0";
 * the level is in dBm when it is negative (cfg80211's drivers). */
static gboolean
parse_level (const char *line, int *level)
{
  const char *colon = strchr (line, ':');
  g_auto(GStrv) fields = NULL;
  double value;
  char *end;
  guint n = 0;

  if (colon == NULL)
    return FALSE;
  fields = g_strsplit_set (colon + 1, " \t", -1);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      if (*fields[i] == '\0')
        continue;
      if (++n < 3)          /* status, link quality */
        continue;
      value = g_ascii_strtod (fields[i], &end);
      if (end == fields[i] || (*end != '\0' && *end != '.'))
        return FALSE;
      /* -256 and below: no level; 0 and above: not dBm */
      if (value <= -256 || value >= 0)
        return FALSE;
      *level = (int) value;
      return TRUE;
    }
  return FALSE;
}

gboolean
ocd_host_parse_wireless (const char *text,
                         int        *level_dbm)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint interfaces = 0;
  int level = 0;
  gboolean known = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      /* the two header lines have '|' and no interface */
      if (strchr (lines[i], '|') != NULL || strchr (lines[i], ':') == NULL)
        continue;
      interfaces++;
      known = parse_level (lines[i], &level);
    }
  if (interfaces != 1 || !known)
    return FALSE;
  *level_dbm = level;
  return TRUE;
}

guint
ocd_host_signal_percent (int level_dbm)
{
  int dbm = CLAMP (level_dbm, NOISE_FLOOR_DBM, SIGNAL_MAX_DBM);

  return (guint) (100 - 70 * ((double) (SIGNAL_MAX_DBM - dbm) / (SIGNAL_MAX_DBM - NOISE_FLOOR_DBM)));
}

char *
ocd_host_redact_proxy (const char *proxy)
{
  g_autofree char *copy = NULL;
  g_autofree char *scheme = NULL;
  const char *authority, *at, *slash;

  if (proxy == NULL)
    return NULL;
  copy = g_strstrip (g_strdup (proxy));
  if (*copy == '\0')
    return NULL;
  /* user:password@ goes, wherever the authority ends */
  authority = strstr (copy, "://");
  authority = authority != NULL ? authority + 3 : copy;
  slash = strchr (authority, '/');
  at = g_strrstr_len (authority, slash != NULL ? slash - authority : -1, "@");
  if (at == NULL)
    return g_steal_pointer (&copy);
  scheme = g_strndup (copy, authority - copy);
  return g_strconcat (scheme, at + 1, NULL);
}

gboolean
ocd_host_date_skew (const char *date,
                    gint64      now,
                    double     *skew)
{
  g_autoptr(GDateTime) parsed = date != NULL ? soup_date_time_new_from_http_string (date) : NULL;

  if (parsed == NULL)
    return FALSE;
  *skew = g_date_time_to_unix (parsed) + 0.5 - now / (double) G_USEC_PER_SEC;
  return TRUE;
}
