/* fuzz-proxy.c — the proxy settings ([server] proxy and the service's
 * environment: all_proxy, https_proxy, http_proxy, no_proxy) and the proxy's
 * answer to CONNECT (ocd_proxy_resolver_new, ocd_proxy_for_url,
 * ocd_proxy_shown, ocd_proxy_connect_async over an in-memory stream).
 * Input: five lines (the configured proxy, then the four variables; empty:
 * unset), then the proxy's answer. */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "ocd-proxy.h"

static const char * const variables[] = { "all_proxy", "https_proxy", "http_proxy", "no_proxy" };
static const char * const urls[] = { "https://app.obico.io/api/v1/octo/printer/", "wss://app.obico.io/ws/dev/",
                                     "http://192.168.1.10:3334/", "http://[::1]:3334/" };

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_quiet_logs ();
  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    {
      g_autofree char *upper = g_ascii_strup (variables[i], -1);

      g_unsetenv (variables[i]);
      g_unsetenv (upper);
    }
  return 0;
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  gboolean *done = data;
  guint status = ocd_proxy_connect_finish (result, &error);

  if ((status == 200) != (error == NULL) || status > 599)
    abort ();
  *done = TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = NULL;
  g_autofree char *configured = NULL;
  g_autoptr(GProxyResolver) resolver = NULL;
  g_autofree char *proxy = NULL;
  const char *rest;

  if (size > 16 * 1024)
    return 0;
  text = g_strndup ((const char *) data, size);
  rest = text;
  for (guint i = 0; i < 1 + G_N_ELEMENTS (variables); i++)
    {
      const char *nl = strchr (rest, '\n');
      g_autofree char *line = nl != NULL ? g_strndup (rest, (gsize) (nl - rest)) : g_strdup (rest);

      rest = nl != NULL ? nl + 1 : rest + strlen (rest);
      if (i == 0)
        configured = g_steal_pointer (&line);
      else if (*line != '\0')
        g_setenv (variables[i - 1], line, TRUE);
      else
        g_unsetenv (variables[i - 1]);
    }

  resolver = ocd_proxy_resolver_new (configured);
  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autofree char *uri = ocd_proxy_for_url (resolver, urls[i]);
      g_autofree char *shown = ocd_proxy_shown (uri);

      if ((uri == NULL) != (shown == NULL))
        abort ();
      if (proxy == NULL && uri != NULL)
        proxy = g_steal_pointer (&uri);
    }
  {
    g_autofree char *shown = ocd_proxy_shown (configured);
  }

  /* The proxy's answer to CONNECT, read as the daemon reads it. */
  {
    g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (g_strdup (rest), strlen (rest), g_free);
    g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
    g_autoptr(GIOStream) stream = g_simple_io_stream_new (in, out);
    gboolean done = FALSE;

    ocd_proxy_connect_async (stream, proxy != NULL ? proxy : "http://user:secret@proxy:3128",
                             "app.obico.io", 443, NULL, on_connected, &done);
    while (!done)
      g_main_context_iteration (NULL, TRUE);
  }
  return 0;
}
