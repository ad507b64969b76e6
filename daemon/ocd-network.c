/* ocd-network.c — does this host have a network that leads to the server?
 *
 * GNetworkMonitor says when the routes change ("network-changed", and
 * "notify::network-available" for NetworkManager's monitor, which takes
 * availability from NetworkManager's state).  With a default route the
 * server is reachable as far as this host can tell.  Without one it may
 * still be: a self-hosted server on the local network needs no default
 * route, so g_network_monitor_can_reach_async() asks whether any route of
 * this host leads to the server's address (through the proxy, when one is
 * set).  No route there is "no network on this host": not the server's
 * fault, and nothing to count against it. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-network"

#include <glib/gi18n.h>

#include "ocd-network.h"

struct _OcdNetwork
{
  GObject          parent_instance;

  GNetworkMonitor *monitor;
  GCancellable    *cancellable;   /* the check in flight */
  char            *server_url;
  char            *host;          /* of server_url, for the sentence */
  gboolean         reachable;
  gboolean         checked;       /* a verdict on server_url was reached */
  gboolean         logged;        /* the last verdict said in the log */
  char            *detail;
};

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE (OcdNetwork, ocd_network, G_TYPE_OBJECT)

static void
set_verdict (OcdNetwork *self, gboolean reachable)
{
  /* A presumption is not news; a check that finds otherwise is. */
  if (self->checked && self->logged != reachable)
    {
      self->logged = reachable;
      g_message ("%s", reachable ? "This host has a network again" : "This host has no network to the server");
    }
  gboolean changed = self->reachable != reachable;

  self->reachable = reachable;
  g_clear_pointer (&self->detail, g_free);
  if (!reachable)
    self->detail = g_strdup_printf (_("This computer has no network connection that leads to %s: "
                                      "its Wi-Fi is not joined (yet), its cable is out, or the Wi-Fi "
                                      "is gone. The link resumes by itself when the network is back."),
                                    self->host != NULL ? self->host : "");
  if (!changed)
    return;
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
on_can_reach (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(OcdNetwork) self = data;
  g_autoptr(GError) error = NULL;
  gboolean reachable = g_network_monitor_can_reach_finish (G_NETWORK_MONITOR (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (!reachable)
    g_debug ("No route to %s: %s", self->host, error != NULL ? error->message : "");
  self->checked = TRUE;
  set_verdict (self, reachable);
}

static void
evaluate (OcdNetwork *self)
{
  g_autoptr(GSocketConnectable) address = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->server_url == NULL || g_network_monitor_get_network_available (self->monitor))
    {
      self->checked = TRUE;
      set_verdict (self, TRUE);
      return;
    }
  address = g_network_address_parse_uri (self->server_url, 443, NULL);
  if (address == NULL)
    {
      /* Not an address a route could be looked up for: the link says why. */
      self->checked = TRUE;
      set_verdict (self, TRUE);
      return;
    }
  /* Until the first answer, presume none: a host that starts before its
   * network must not hold the failures of that time against the server.
   * Later checks keep the last verdict until they answer. */
  if (!self->checked)
    set_verdict (self, FALSE);
  self->cancellable = g_cancellable_new ();
  g_network_monitor_can_reach_async (self->monitor, address, self->cancellable, on_can_reach,
                                     g_object_ref (self));
}

static void
on_network_changed (GNetworkMonitor *monitor, gboolean available, gpointer data)
{
  evaluate (data);
}

static void
on_available_changed (GObject *object, GParamSpec *pspec, gpointer data)
{
  evaluate (data);
}

void
ocd_network_set_server (OcdNetwork *self,
                        const char *server_url)
{
  if (server_url != NULL && *server_url == '\0')
    server_url = NULL;
  if (g_strcmp0 (self->server_url, server_url) == 0 && self->checked)
    return;
  g_free (self->server_url);
  self->server_url = g_strdup (server_url);
  g_clear_pointer (&self->host, g_free);
  if (server_url != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (server_url, G_URI_FLAGS_NONE, NULL);

      self->host = g_strdup (uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri)
                                                                          : server_url);
    }
  self->checked = FALSE;
  evaluate (self);
}

gboolean
ocd_network_get_reachable (OcdNetwork *self)
{
  return self->reachable;
}

const char *
ocd_network_get_detail (OcdNetwork *self)
{
  return self->detail != NULL ? self->detail : "";
}

const char *
ocd_network_get_monitor_name (OcdNetwork *self)
{
  return G_OBJECT_TYPE_NAME (self->monitor);
}

OcdNetwork *
ocd_network_new (void)
{
  OcdNetwork *self = g_object_new (OCD_TYPE_NETWORK, NULL);

  self->monitor = g_object_ref (g_network_monitor_get_default ());
  g_signal_connect (self->monitor, "network-changed", G_CALLBACK (on_network_changed), self);
  g_signal_connect (self->monitor, "notify::network-available", G_CALLBACK (on_available_changed), self);
  g_message ("Following the network with %s (network available: %s)", G_OBJECT_TYPE_NAME (self->monitor),
           g_network_monitor_get_network_available (self->monitor) ? "yes" : "no");
  return self;
}

static void
ocd_network_dispose (GObject *object)
{
  OcdNetwork *self = OCD_NETWORK (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  G_OBJECT_CLASS (ocd_network_parent_class)->dispose (object);
}

static void
ocd_network_finalize (GObject *object)
{
  OcdNetwork *self = OCD_NETWORK (object);

  g_free (self->server_url);
  g_free (self->host);
  g_free (self->detail);
  G_OBJECT_CLASS (ocd_network_parent_class)->finalize (object);
}

static void
ocd_network_class_init (OcdNetworkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ocd_network_dispose;
  object_class->finalize = ocd_network_finalize;

  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ocd_network_init (OcdNetwork *self)
{
  self->reachable = TRUE;
  self->logged = TRUE;
}
