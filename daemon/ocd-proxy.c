/* ocd-proxy.c — the proxy of this host, read as the official agents read it
 * (requests and websocket-client honour the same variables), and the CONNECT
 * tunnel Diagnose() opens through it. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-proxy"

#include <string.h>

#include <glib/gi18n.h>

#include "ocd-proxy.h"

/* The longest proxy answer to CONNECT read before giving up on it. */
#define MAX_ANSWER 8192

static const char *
env_either (const char *lower, const char *upper)
{
  const char *value = g_getenv (lower);

  if (value == NULL || *value == '\0')
    value = g_getenv (upper);
  return value != NULL && *value != '\0' ? value : NULL;
}

/* A proxy is a URI with a host: "a:/.//b" parses, without one (and GLib's
 * g_uri_to_string() asserts on it). */
static gboolean
has_host (const char *text)
{
  g_autoptr(GUri) uri = g_uri_parse (text, G_URI_FLAGS_HAS_PASSWORD, NULL);

  return uri != NULL && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0';
}

/* GLib knows socks5, not curl's socks5h (whose proxy resolves the name:
 * GLib's socks5 sends the name too); a bare host:port is an HTTP proxy.
 * What is not a URI then is ignored, as GLib's resolver would (with a
 * critical), and said without the value (it may hold a password). */
static char *
proxy_uri (const char *value, const char *source)
{
  g_autofree char *copy = g_strstrip (g_strdup (value));
  g_autofree char *uri = NULL;

  if (*copy == '\0')
    return NULL;
  if (g_str_has_prefix (copy, "socks5h://"))
    uri = g_strconcat ("socks5://", copy + strlen ("socks5h://"), NULL);
  else if (strstr (copy, "://") == NULL)
    uri = g_strconcat ("http://", copy, NULL);
  else
    uri = g_steal_pointer (&copy);
  if (!has_host (uri))
    {
      g_warning ("Ignoring the proxy of %s: it is not a URI", source);
      return NULL;
    }
  return g_steal_pointer (&uri);
}

GProxyResolver *
ocd_proxy_resolver_new (const char *configured)
{
  g_autofree char *all = NULL;
  g_autofree char *https = NULL;
  g_autofree char *http = NULL;
  g_auto(GStrv) ignore = NULL;
  const char *no_proxy = env_either ("no_proxy", "NO_PROXY");
  GSimpleProxyResolver *resolver;

  if (configured != NULL && *configured != '\0')
    all = proxy_uri (configured, "[server] proxy");
  else
    {
      const char *value;

      if ((value = env_either ("all_proxy", "ALL_PROXY")) != NULL)
        all = proxy_uri (value, "all_proxy");
      if ((value = env_either ("https_proxy", "HTTPS_PROXY")) != NULL)
        https = proxy_uri (value, "https_proxy");
      if ((value = env_either ("http_proxy", "HTTP_PROXY")) != NULL)
        http = proxy_uri (value, "http_proxy");
    }
  if (all == NULL && https == NULL && http == NULL)
    return NULL;
  if (no_proxy != NULL && g_strcmp0 (no_proxy, "*") == 0)
    return NULL;

  if (no_proxy != NULL)
    {
      g_auto(GStrv) entries = g_strsplit_set (no_proxy, ", ", -1);
      g_autoptr(GPtrArray) kept = g_ptr_array_new ();

      for (guint i = 0; entries[i] != NULL; i++)
        if (*entries[i] != '\0')
          g_ptr_array_add (kept, g_strdup (entries[i]));
      g_ptr_array_add (kept, NULL);
      ignore = (GStrv) g_ptr_array_free (g_steal_pointer (&kept), FALSE);
    }

  resolver = G_SIMPLE_PROXY_RESOLVER (g_simple_proxy_resolver_new (all != NULL ? all : "direct://",
                                                                   ignore));
  /* The scheme's own variable wins over all_proxy, as with curl; the
   * WebSocket goes as http(s) to libsoup's resolver, and ws(s) to GLib's. */
  if (https != NULL)
    {
      g_simple_proxy_resolver_set_uri_proxy (resolver, "https", https);
      g_simple_proxy_resolver_set_uri_proxy (resolver, "wss", https);
    }
  if (http != NULL)
    {
      g_simple_proxy_resolver_set_uri_proxy (resolver, "http", http);
      g_simple_proxy_resolver_set_uri_proxy (resolver, "ws", http);
    }
  return G_PROXY_RESOLVER (resolver);
}

char *
ocd_proxy_for_url (GProxyResolver *resolver,
                   const char     *url)
{
  g_auto(GStrv) proxies = NULL;

  if (resolver == NULL || url == NULL)
    return NULL;
  proxies = g_proxy_resolver_lookup (resolver, url, NULL, NULL);
  if (proxies == NULL || proxies[0] == NULL || g_str_has_prefix (proxies[0], "direct://"))
    return NULL;
  return g_strdup (proxies[0]);
}

char *
ocd_proxy_shown (const char *proxy_uri_text)
{
  g_autoptr(GUri) uri = NULL;

  if (proxy_uri_text == NULL)
    return NULL;
  uri = g_uri_parse (proxy_uri_text, G_URI_FLAGS_HAS_PASSWORD, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return g_strdup (_("(a proxy address that cannot be read)"));
  return g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO);
}

/* ---- CONNECT ----------------------------------------------------------- */

typedef struct {
  GIOStream  *stream;
  char       *request;
  GByteArray *answer;
  guint8      buffer[512];
} Tunnel;

static void
tunnel_free (Tunnel *tunnel)
{
  g_clear_object (&tunnel->stream);
  g_free (tunnel->request);
  g_byte_array_unref (tunnel->answer);
  g_free (tunnel);
}

static void read_answer (GTask *task);

/* The status of a complete answer's first line, 0 when it is not HTTP. */
static guint
answer_status (const GByteArray *answer, char **reason)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) words = NULL;
  char *end;
  guint64 status = 0;

  /* Closed before a byte: no answer at all (GByteArray's data is NULL). */
  if (answer->len == 0)
    return 0;
  text = g_strndup ((const char *) answer->data, answer->len);
  end = strstr (text, "\r\n");
  if (end != NULL)
    *end = '\0';
  words = g_strsplit (text, " ", 3);
  if (g_strv_length (words) < 2 || !g_str_has_prefix (words[0], "HTTP/") ||
      !g_ascii_string_to_unsigned (words[1], 10, 100, 599, &status, NULL))
    return 0;
  *reason = g_strdup (words[2] != NULL ? words[2] : "");
  return (guint) status;
}

static void
on_read (GObject *source, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  Tunnel *tunnel = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  g_autofree char *reason = NULL;
  guint status;

  if (n < 0)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_byte_array_append (tunnel->answer, tunnel->buffer, (guint) n);
  /* Byte by byte up to the blank line: what follows is the server's. */
  if (n > 0 && tunnel->answer->len < MAX_ANSWER &&
      (tunnel->answer->len < 4 ||
       memcmp (tunnel->answer->data + tunnel->answer->len - 4, "\r\n\r\n", 4) != 0))
    {
      read_answer (task);
      return;
    }

  status = answer_status (tunnel->answer, &reason);
  if (status == 200)
    g_task_return_int (task, 200);
  else if (status == 0)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                             "the proxy closed the connection without an HTTP answer to CONNECT");
  else
    g_task_return_new_error (task, G_IO_ERROR,
                             status == 407 ? G_IO_ERROR_PROXY_AUTH_FAILED : G_IO_ERROR_PROXY_FAILED,
                             "the proxy answered CONNECT with %u %s", status, reason);
  g_object_unref (task);
}

static void
read_answer (GTask *task)
{
  Tunnel *tunnel = g_task_get_task_data (task);

  g_input_stream_read_async (g_io_stream_get_input_stream (tunnel->stream), tunnel->buffer, 1,
                             G_PRIORITY_DEFAULT, g_task_get_cancellable (task), on_read, task);
}

static void
on_written (GObject *source, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  read_answer (task);
}

void
ocd_proxy_connect_async (GIOStream           *stream,
                         const char          *proxy_uri_text,
                         const char          *host,
                         int                  port,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Tunnel *tunnel = g_new0 (Tunnel, 1);
  g_autoptr(GUri) uri = g_uri_parse (proxy_uri_text, G_URI_FLAGS_HAS_PASSWORD, NULL);
  g_autofree char *authority = strchr (host, ':') != NULL ? g_strdup_printf ("[%s]:%d", host, port)
                                                          : g_strdup_printf ("%s:%d", host, port);
  g_autofree char *authorization = NULL;

  g_task_set_source_tag (task, ocd_proxy_connect_async);
  if (uri != NULL && g_uri_get_user (uri) != NULL)
    {
      g_autofree char *user = g_uri_unescape_string (g_uri_get_user (uri), NULL);
      g_autofree char *password = g_uri_get_password (uri) != NULL
                                  ? g_uri_unescape_string (g_uri_get_password (uri), NULL) : NULL;
      g_autofree char *pair = g_strdup_printf ("%s:%s", user != NULL ? user : "",
                                               password != NULL ? password : "");
      g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));

      authorization = g_strdup_printf ("Proxy-Authorization: Basic %s\r\n", encoded);
    }
  tunnel->stream = g_object_ref (stream);
  tunnel->answer = g_byte_array_new ();
  tunnel->request = g_strdup_printf ("CONNECT %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", authority, authority,
                                     authorization != NULL ? authorization : "");
  g_task_set_task_data (task, tunnel, (GDestroyNotify) tunnel_free);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream), tunnel->request,
                                   strlen (tunnel->request), G_PRIORITY_DEFAULT, cancellable,
                                   on_written, task);
}

guint
ocd_proxy_connect_finish (GAsyncResult  *result,
                          GError       **error)
{
  gssize status;

  g_return_val_if_fail (g_task_is_valid (result, NULL), 0);
  status = g_task_propagate_int (G_TASK (result), error);
  return status < 0 ? 0 : (guint) status;
}
