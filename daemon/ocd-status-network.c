/* ocd-status-network.c — whether this host's network excuses a failure:
 * no route to the server, or the route back for less than
 * NETWORK_SETTLE_SECONDS and the server not heard since.  OcdStatus asks
 * it before it counts a failure or believes an unanswered request. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-status"

#include <glib/gi18n.h>

#include "ocd-status-network.h"

/* After the network comes back, the first exchanges may still fail while
 * the host settles (DHCP, the resolver's configuration): for this long, or
 * until the server answers, they are not the server's failures either. */
#define NETWORK_SETTLE_SECONDS 10

struct _OcdStatusNetwork
{
  gboolean                 no_network;   /* no route from this host to the server */
  gboolean                 settling;     /* the network is back, the server not heard yet */
  guint                    settle_id;
  char                    *detail;
  OcdStatusNetworkSettled  settled;
  gpointer                 data;
};

OcdStatusNetwork *
ocd_status_network_new (OcdStatusNetworkSettled settled,
                        gpointer                data)
{
  OcdStatusNetwork *self = g_new0 (OcdStatusNetwork, 1);

  self->settled = settled;
  self->data = data;
  return self;
}

void
ocd_status_network_free (OcdStatusNetwork *self)
{
  g_clear_handle_id (&self->settle_id, g_source_remove);
  g_free (self->detail);
  g_free (self);
}

void
ocd_status_network_answered (OcdStatusNetwork *self)
{
  if (!self->settling)
    return;
  self->settling = FALSE;
  g_clear_handle_id (&self->settle_id, g_source_remove);
  g_clear_pointer (&self->detail, g_free);
}

static gboolean
on_settled (gpointer data)
{
  OcdStatusNetwork *self = data;

  self->settle_id = 0;
  ocd_status_network_answered (self);
  self->settled (self->data);
  return G_SOURCE_REMOVE;
}

void
ocd_status_network_note (OcdStatusNetwork *self,
                         gboolean          reachable,
                         const char       *detail)
{
  if (!reachable)
    {
      ocd_status_network_answered (self);
      self->no_network = TRUE;
      g_free (self->detail);
      self->detail = g_strdup (detail);
    }
  else if (self->no_network)
    {
      self->no_network = FALSE;
      self->settling = TRUE;
      g_free (self->detail);
      self->detail = g_strdup (_("This computer's network is back; reconnecting to the server."));
      g_clear_handle_id (&self->settle_id, g_source_remove);
      self->settle_id = g_timeout_add_seconds (NETWORK_SETTLE_SECONDS, on_settled, self);
    }
}

gboolean
ocd_status_network_excuses (OcdStatusNetwork *self)
{
  return self->no_network || self->settling;
}

gboolean
ocd_status_network_is_down (OcdStatusNetwork *self)
{
  return self->no_network;
}

const char *
ocd_status_network_get_detail (OcdStatusNetwork *self)
{
  return self->detail;
}
