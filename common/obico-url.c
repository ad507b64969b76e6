/* obico-url.c — what a valid Obico server address is (docs/obico-protocol.md,
 * "Addresses"), and the REST and WebSocket URLs made from it. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "obico-error.h"
#include "obico-url.h"

static gboolean
invalid (GError **error, const char *why)
{
  g_set_error (error, OBICO_ERROR, OBICO_ERROR_INVALID_ARGUMENT,
               _("The server address is not valid: %s Use http(s)://host[:port][/path], "
                 "for example https://app.obico.io or http://192.168.1.10:3334."),
               why);
  return FALSE;
}

/* GUri decodes %-escapes in the host: what comes out must still be a host
 * (no "/", "%", controls, invalid UTF-8…), or the normalized address would
 * mean another server, or fail to parse when link.conf is read back. */
static gboolean
host_valid (const char *host)
{
  if (!g_utf8_validate (host, -1, NULL))
    return FALSE;
  if (strchr (host, ':') != NULL)
    {
      /* Only a real IPv6 literal (an escaped ":" must not make one up);
       * zone ids ("%eth0") cannot be written back. */
      for (const char *p = host; *p; p++)
        if (!g_ascii_isxdigit (*p) && *p != ':' && *p != '.')
          return FALSE;
      return g_hostname_is_ip_address (host);
    }
  for (const unsigned char *p = (const unsigned char *) host; *p; p++)
    if (*p < 0x80 && !g_ascii_isalnum (*p) && strchr ("-._~!$&'()*+,;=", *p) == NULL)
      return FALSE;
  return TRUE;
}

char *
obico_url_normalize (const char *url, GError **error)
{
  g_autofree char *trimmed = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;
  const char *path;
  g_autofree char *port = NULL;
  g_autofree char *path_copy = NULL;
  gboolean ipv6;
  gsize len;

  if (url == NULL || !g_utf8_validate (url, -1, NULL))
    {
      invalid (error, _("it is not valid text."));
      return NULL;
    }
  if (strlen (url) > OBICO_URL_MAX_LENGTH * 2)
    {
      invalid (error, _("it is longer than 2048 characters."));
      return NULL;
    }

  trimmed = g_strstrip (g_strdup (url));
  len = strlen (trimmed);
  while (len > 0 && trimmed[len - 1] == '/')
    trimmed[--len] = '\0';

  if (len == 0)
    {
      invalid (error, _("it is empty."));
      return NULL;
    }
  if (len > OBICO_URL_MAX_LENGTH)
    {
      invalid (error, _("it is longer than 2048 characters."));
      return NULL;
    }
  for (const char *p = trimmed; *p; p++)
    if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
      {
        invalid (error, _("it contains white space."));
        return NULL;
      }

  /* the most common slip, "app.obico.io": say what is missing */
  if (strstr (trimmed, "://") == NULL)
    {
      invalid (error, _("it must start with https:// or http://."));
      return NULL;
    }

  uri = g_uri_parse (trimmed, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL)
    {
      invalid (error, _("it could not be read as an address."));
      return NULL;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    {
      invalid (error, _("only http and https are supported."));
      return NULL;
    }

  host = g_uri_get_host (uri);
  if (host == NULL || *host == '\0')
    {
      invalid (error, _("it has no host name."));
      return NULL;
    }
  if (!host_valid (host))
    {
      invalid (error, _("the host name contains characters that cannot be in one."));
      return NULL;
    }
  if (g_uri_get_userinfo (uri) != NULL)
    {
      invalid (error, _("it must not contain a user name or password."));
      return NULL;
    }
  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      invalid (error, _("it must not contain “?” or “#”."));
      return NULL;
    }
  /* GUri accepts port 0 and leaves out-of-range ports to the parser. */
  if (g_uri_get_port (uri) == 0 || g_uri_get_port (uri) > 65535)
    {
      invalid (error, _("the port must be between 1 and 65535."));
      return NULL;
    }

  /* GUri removes dot segments ("/a/.." → "/"): strip the "/" that leaves. */
  path_copy = g_strdup (g_uri_get_path (uri) != NULL ? g_uri_get_path (uri) : "");
  len = strlen (path_copy);
  while (len > 0 && path_copy[len - 1] == '/')
    path_copy[--len] = '\0';
  path = path_copy;
  if (g_uri_get_port (uri) > 0)
    port = g_strdup_printf (":%d", g_uri_get_port (uri));
  ipv6 = strchr (host, ':') != NULL;
  return g_strdup_printf ("%s://%s%s%s%s%s",
                          g_ascii_strcasecmp (scheme, "https") == 0 ? "https" : "http",
                          ipv6 ? "[" : "", host, ipv6 ? "]" : "",
                          port != NULL ? port : "",
                          path != NULL ? path : "");
}

char *
obico_url_join (const char *base, const char *path)
{
  return g_strconcat (base, path, NULL);
}

char *
obico_url_websocket (const char *base)
{
  if (g_str_has_prefix (base, "https://"))
    return g_strconcat ("wss://", base + strlen ("https://"), "/ws/dev/", NULL);
  if (g_str_has_prefix (base, "http://"))
    return g_strconcat ("ws://", base + strlen ("http://"), "/ws/dev/", NULL);
  return NULL;
}

char *
obico_url_host (const char *base, int *port, gboolean *tls)
{
  /* ENCODED: a normalized path may hold %00, which decoding refuses. */
  g_autoptr(GUri) uri = g_uri_parse (base, G_URI_FLAGS_ENCODED, NULL);
  gboolean is_tls;

  if (uri == NULL)
    return NULL;
  is_tls = g_strcmp0 (g_uri_get_scheme (uri), "https") == 0;
  if (tls != NULL)
    *tls = is_tls;
  if (port != NULL)
    *port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : (is_tls ? 443 : 80);
  return g_strdup (g_uri_get_host (uri));
}
