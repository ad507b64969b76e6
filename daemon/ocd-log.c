/* ocd-log.c — every log line goes through here: secrets are redacted before
 * the line reaches stderr/journal or the in-memory ring that GetRecentLog()
 * and support reports read. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ocd-log.h"

#define OCD_LOG_RING_SIZE 500

static GMutex log_lock;
static GPtrArray *secrets;          /* owned strings */
static GQueue ring = G_QUEUE_INIT;  /* owned strings, oldest first */
static gboolean debug_enabled;
static gboolean verbose_enabled;

char *
ocd_log_token_hint (const char *token)
{
  gsize len;

  if (token == NULL || *token == '\0')
    return g_strdup ("");
  len = strlen (token);
  if (len <= 8)
    return g_strdup ("…");
  return g_strdup_printf ("…%s", token + len - 4);
}

static gboolean
is_token_char (char c)
{
  return c != '\0' && (g_ascii_isalnum (c) || strchr ("._~+/=-", c) != NULL);
}

/* A credential quoted where the daemon does not know it (an agent's log at
 * DEBUG prints its requests, with a token it may have replaced since):
 * "Authorization: Token abc…", "authorization=bearer abc…", "auth_token = abc…"
 * keep only the token's last four characters. */
static void
redact_credential_fields (GString *out)
{
  static const char * const keys[] = { "authorization", "auth_token" };
  g_autofree char *lower = g_ascii_strdown (out->str, -1);

  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    {
      const char *from = lower;
      const char *found;

      while ((found = strstr (from, keys[k])) != NULL)
        {
          gsize at = found - lower + strlen (keys[k]);
          gsize end;

          from = found + strlen (keys[k]);
          while (lower[at] != '\0' && strchr ("\"': =", lower[at]) != NULL)
            at++;
          if (g_str_has_prefix (lower + at, "bearer ") || g_str_has_prefix (lower + at, "token "))
            {
              at = strchr (lower + at, ' ') - lower;
              while (lower[at] == ' ')
                at++;
            }
          for (end = at; is_token_char (lower[end]); end++)
            ;
          /* short words are no credentials ("Authorization: none") */
          if (end - at >= 8)
            {
              g_autofree char *token = g_strndup (out->str + at, end - at);
              g_autofree char *hint = ocd_log_token_hint (token);

              g_string_erase (out, at, end - at);
              g_string_insert (out, at, hint);
              /* keep @lower aligned with @out */
              g_free (lower);
              lower = g_ascii_strdown (out->str, -1);
              from = lower + at + strlen (hint);
            }
        }
    }
}

static char *
redact_locked (const char *text)
{
  GString *out = g_string_new (text);

  for (guint i = 0; secrets != NULL && i < secrets->len; i++)
    {
      const char *secret = g_ptr_array_index (secrets, i);
      g_autofree char *hint = ocd_log_token_hint (secret);

      g_string_replace (out, secret, hint, 0);
    }
  redact_credential_fields (out);
  return g_string_free (out, FALSE);
}

char *
ocd_log_redact (const char *text)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&log_lock);

  return redact_locked (text != NULL ? text : "");
}

void
ocd_log_add_secret (const char *secret)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&log_lock);

  /* Short strings would redact ordinary words; real tokens are 20+ chars. */
  if (secret == NULL || strlen (secret) < 6)
    return;
  if (secrets == NULL)
    secrets = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < secrets->len; i++)
    if (g_str_equal (g_ptr_array_index (secrets, i), secret))
      return;
  g_ptr_array_add (secrets, g_strdup (secret));
}

void
ocd_log_set_debug (gboolean enabled)
{
  debug_enabled = enabled;
}

gboolean
ocd_log_get_debug (void)
{
  return debug_enabled;
}

static const char *
level_name (GLogLevelFlags level)
{
  if (level & G_LOG_LEVEL_ERROR)
    return "ERROR";
  if (level & G_LOG_LEVEL_CRITICAL)
    return "CRITICAL";
  if (level & G_LOG_LEVEL_WARNING)
    return "WARNING";
  if (level & G_LOG_LEVEL_MESSAGE)
    return "MESSAGE";
  if (level & G_LOG_LEVEL_INFO)
    return "INFO";
  return "DEBUG";
}

static GLogWriterOutput
ocd_log_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *safe = NULL;
  const char *domain = NULL;
  const char *message = NULL;
  char *line;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }

  /* SetDebugLogging and --verbose switch our own debug output; libraries'
   * debug chatter stays behind G_MESSAGES_DEBUG. */
  if ((level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) &&
      !((debug_enabled || verbose_enabled) &&
        domain != NULL && g_str_has_prefix (domain, "ocd")) &&
      g_log_writer_default_would_drop (level, domain))
    return G_LOG_WRITER_HANDLED;

  now = g_date_time_new_now_local ();
  stamp = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");

  locker = g_mutex_locker_new (&log_lock);
  safe = redact_locked (message != NULL ? message : "");
  if (!g_utf8_validate (safe, -1, NULL))
    {
      /* Lines quote servers and files: GetRecentLog() must stay a D-Bus reply. */
      char *valid = g_utf8_make_valid (safe, -1);

      g_free (safe);
      safe = valid;
    }
  line = g_strdup_printf ("%s.%03d %s %s: %s", stamp,
                          g_date_time_get_microsecond (now) / 1000,
                          domain != NULL ? domain : "obico-connectd",
                          level_name (level), safe);
  fprintf (stderr, "%s\n", line);
  fflush (stderr);

  g_queue_push_tail (&ring, line);
  while (g_queue_get_length (&ring) > OCD_LOG_RING_SIZE)
    g_free (g_queue_pop_head (&ring));

  return G_LOG_WRITER_HANDLED;
}

GStrv
ocd_log_get_recent (guint max_lines)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&log_lock);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint len = g_queue_get_length (&ring);
  guint skip = (max_lines > 0 && max_lines < len) ? len - max_lines : 0;
  guint i = 0;

  for (GList *l = ring.head; l != NULL; l = l->next, i++)
    if (i >= skip)
      g_strv_builder_add (builder, l->data);
  return g_strv_builder_end (builder);
}

void
ocd_log_init (gboolean verbose)
{
  verbose_enabled = verbose;
  g_log_set_writer_func (ocd_log_writer, NULL, NULL);
}
