/* ocd-store.c — link.conf is written whole or not at all (temp file, fsync,
 * rename), mode 0600.  A file we cannot make sense of is renamed aside so a
 * person can still recover the token from it; it is never overwritten. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-store"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "obico-error.h"
#include "obico-url.h"
#include "ocd-store.h"

#define LINK_FILE "link.conf"
#define MAX_FILE_SIZE (64 * 1024)
#define MAX_TOKEN_LENGTH 256

void
ocd_store_data_clear (OcdStoreData *data)
{
  g_clear_pointer (&data->server_url, g_free);
  g_clear_pointer (&data->token, g_free);
  g_clear_pointer (&data->printer_name, g_free);
  data->printer_id = -1;
  data->debug_logging = FALSE;
}

gboolean
ocd_store_token_valid (const char *token)
{
  gsize len;

  if (token == NULL)
    return FALSE;
  len = strlen (token);
  if (len == 0 || len > MAX_TOKEN_LENGTH)
    return FALSE;
  for (const char *p = token; *p; p++)
    if (!g_ascii_isgraph (*p))
      return FALSE;
  return TRUE;
}

gboolean
ocd_store_parse (const char    *contents,
                 gsize          length,
                 OcdStoreData  *data,
                 GError       **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_auto(OcdStoreData) parsed = { .printer_id = -1 };

  if (!g_utf8_validate (contents, length, NULL))
    {
      g_set_error_literal (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE,
                           "not UTF-8 text");
      return FALSE;
    }
  if (!g_key_file_load_from_data (file, contents, length, G_KEY_FILE_NONE, error))
    return FALSE;

  if (g_key_file_has_key (file, "server", "url", NULL))
    {
      g_autofree char *url = g_key_file_get_string (file, "server", "url", error);

      if (url == NULL)
        return FALSE;
      parsed.server_url = obico_url_normalize (url, error);
      if (parsed.server_url == NULL)
        return FALSE;
    }

  if (g_key_file_has_key (file, "link", "token", NULL))
    {
      parsed.token = g_key_file_get_string (file, "link", "token", error);
      if (parsed.token == NULL)
        return FALSE;
      if (!ocd_store_token_valid (parsed.token))
        {
          g_set_error_literal (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                               "[link] token is empty, too long or contains white space");
          return FALSE;
        }
      parsed.printer_id = g_key_file_get_int64 (file, "link", "printer-id", &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      parsed.printer_name = g_key_file_get_string (file, "link", "printer-name", NULL);
      if (parsed.printer_name == NULL)
        parsed.printer_name = g_strdup ("");
    }

  if (g_key_file_has_key (file, "logging", "debug", NULL))
    {
      parsed.debug_logging = g_key_file_get_boolean (file, "logging", "debug", &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  ocd_store_data_clear (data);
  *data = parsed;
  memset (&parsed, 0, sizeof parsed);
  return TRUE;
}

char *
ocd_store_serialize (const OcdStoreData *data)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();

  g_key_file_set_comment (file, NULL, NULL,
                          " obico-connectd state: written by the daemon, do not edit while it runs.\n"
                          " It holds the printer's credentials: keep it private (mode 0600).",
                          NULL);
  if (data->server_url != NULL)
    g_key_file_set_string (file, "server", "url", data->server_url);
  if (data->token != NULL)
    {
      g_key_file_set_string (file, "link", "token", data->token);
      g_key_file_set_int64 (file, "link", "printer-id", data->printer_id);
      g_key_file_set_string (file, "link", "printer-name",
                             data->printer_name != NULL ? data->printer_name : "");
    }
  g_key_file_set_boolean (file, "logging", "debug", data->debug_logging);
  return g_key_file_to_data (file, NULL, NULL);
}

static char *
move_aside (const char *path)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");

  for (guint n = 0; n < 100; n++)
    {
      g_autofree char *aside = n == 0
        ? g_strdup_printf ("%s.corrupt-%s", path, stamp)
        : g_strdup_printf ("%s.corrupt-%s-%u", path, stamp, n);

      if (g_file_test (aside, G_FILE_TEST_EXISTS))
        continue;
      if (g_rename (path, aside) == 0)
        return g_steal_pointer (&aside);
      g_warning ("Could not move %s aside to %s: %s", path, aside, g_strerror (errno));
      return NULL;
    }
  return NULL;
}

/* A write cut short (power loss, SIGKILL) leaves g_file_set_contents()'s
 * temporary file, link.conf.XXXXXX, beside the real one.  It was never
 * committed, and it may hold a token: remove it. */
static void
remove_leftovers (const char *state_dir)
{
  g_autoptr(GDir) dir = g_dir_open (state_dir, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      gboolean temp = g_str_has_prefix (name, LINK_FILE ".") && strlen (name) == strlen (LINK_FILE) + 7;

      for (const char *p = name + strlen (LINK_FILE) + 1; temp && *p; p++)
        temp = g_ascii_isalnum (*p);
      if (temp)
        {
          g_autofree char *path = g_build_filename (state_dir, name, NULL);

          if (g_unlink (path) == 0)
            g_message ("Removed %s, left by a write that did not finish", path);
        }
    }
}

gboolean
ocd_store_load (const char    *state_dir,
                OcdStoreData  *data,
                char         **aside_path)
{
  g_autofree char *path = g_build_filename (state_dir, LINK_FILE, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  GStatBuf st;

  remove_leftovers (state_dir);
  if (g_stat (path, &st) != 0 && errno == ENOENT)
    return TRUE;

  if (g_stat (path, &st) == 0 && st.st_size > MAX_FILE_SIZE)
    g_set_error (&error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                 "larger than %d bytes", MAX_FILE_SIZE);
  else if (g_file_get_contents (path, &contents, &length, &error))
    ocd_store_parse (contents, length, data, &error);

  if (error == NULL)
    return TRUE;

  {
    g_autofree char *aside = move_aside (path);

    if (aside != NULL)
      g_warning ("%s could not be read (%s). It was kept as %s; "
                 "starting without a linked printer.", path, error->message, aside);
    else
      g_warning ("%s could not be read (%s); starting without a linked printer.",
                 path, error->message);
    if (aside_path != NULL)
      *aside_path = g_steal_pointer (&aside);
  }
  return FALSE;
}

gboolean
ocd_store_save (const char          *state_dir,
                const OcdStoreData  *data,
                GError             **error)
{
  g_autofree char *path = g_build_filename (state_dir, LINK_FILE, NULL);
  g_autofree char *contents = ocd_store_serialize (data);

  if (g_mkdir_with_parents (state_dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "Could not create %s: %s", state_dir, g_strerror (saved));
      return FALSE;
    }

  return g_file_set_contents_full (path, contents, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT |
                                   G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

/* ---- one link's store ------------------------------------------------ */

struct _OcdStore
{
  char         *state_dir;
  OcdStoreData  data;
};

OcdStore *
ocd_store_new (const char *state_dir)
{
  OcdStore *store = g_new0 (OcdStore, 1);

  store->state_dir = g_strdup (state_dir);
  store->data.printer_id = -1;
  return store;
}

void
ocd_store_free (OcdStore *store)
{
  if (store == NULL)
    return;
  ocd_store_data_clear (&store->data);
  g_free (store->state_dir);
  g_free (store);
}

const char *
ocd_store_get_dir (OcdStore *store)
{
  return store->state_dir;
}

void
ocd_store_open (OcdStore *store)
{
  ocd_store_data_clear (&store->data);
  ocd_store_load (store->state_dir, &store->data, NULL);
}

const OcdStoreData *
ocd_store_get (OcdStore *store)
{
  return &store->data;
}

OcdStoreData
ocd_store_begin (OcdStore *store)
{
  OcdStoreData copy = store->data;

  copy.server_url = g_strdup (store->data.server_url);
  copy.token = g_strdup (store->data.token);
  copy.printer_name = g_strdup (store->data.printer_name);
  return copy;
}

gboolean
ocd_store_commit (OcdStore      *store,
                  OcdStoreData  *changed,
                  GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!ocd_store_save (store->state_dir, changed, &local_error))
    {
      g_warning ("Could not save the link: %s", local_error->message);
      g_set_error (error, OBICO_ERROR, OBICO_ERROR_STORAGE_FAILED,
                   _("The change could not be saved (%s); nothing was changed. Check that "
                     "the disk is not full or read-only."),
                   local_error->message);
      ocd_store_data_clear (changed);
      return FALSE;
    }
  ocd_store_data_clear (&store->data);
  store->data = *changed;
  memset (changed, 0, sizeof *changed);
  changed->printer_id = -1;
  return TRUE;
}
