/* oc-validate.c — checks of what a person types before it goes to the daemon
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "oc-validate.h"

/* The code the Obico app shows for linking: exactly six ASCII digits. */
gboolean
oc_validate_link_code (const char *code)
{
  if (code == NULL || strlen (code) != 6)
    return FALSE;

  for (guint i = 0; i < 6; i++)
    if (!g_ascii_isdigit (code[i]))
      return FALSE;

  return TRUE;
}

static gboolean
is_host_name (const char *host)
{
  if (*host == '\0' || *host == '.' || *host == '-')
    return FALSE;

  for (const char *p = host; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-')
      return FALSE;

  return TRUE;
}

/* http(s)://host[:port][/path], as SetServerUrl accepts it: white space and
 * trailing slashes are dropped, so the person sees what the daemon will store. */
gboolean
oc_validate_server_url (const char  *text,
                        char       **normalized,
                        GError     **error)
{
  g_autofree char *url = g_strstrip (g_strdup (text != NULL ? text : ""));
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;
  gsize len;

  len = strlen (url);
  while (len > 0 && url[len - 1] == '/')
    url[--len] = '\0';

  if (len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Enter the address of the server"));
      return FALSE;
    }

  if (g_ascii_strncasecmp (url, "http://", 7) != 0 && g_ascii_strncasecmp (url, "https://", 8) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The address must start with https:// or http://"));
      return FALSE;
    }

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  host = uri != NULL ? g_uri_get_host (uri) : NULL;

  if (uri == NULL || host == NULL || scheme == NULL ||
      g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL ||
      g_uri_get_fragment (uri) != NULL || strchr (g_uri_get_path (uri), ' ') != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("This is not a valid address; use http(s)://host[:port][/path]"));
      return FALSE;
    }

  /* GUri accepts IPv6 literals (brackets removed) and reg-names with odd characters */
  if (!is_host_name (host) && !g_hostname_is_ip_address (host))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The host name may only contain letters, digits, dots and dashes"));
      return FALSE;
    }

  if (g_uri_get_port (uri) == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The port must be a number from 1 to 65535"));
      return FALSE;
    }

  if (normalized != NULL)
    *normalized = g_steal_pointer (&url);

  return TRUE;
}
