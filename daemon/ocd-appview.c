/* ocd-appview.c — the watch role's view of what the Obico app shows.
 *
 * Every OCD_APP_VIEW_INTERVAL_SECONDS one netlink query (ocd-sockdiag, about
 * a millisecond of CPU) lists the established TCP connections of the agent's
 * user to the server's addresses and port; the daemon's own (its checks'
 * keep-alive connections, when it runs as the agent's user) are left out.
 * ocd-appstatus judges the samples; when its verdict would change by itself
 * (a status lapsing) a sample is taken then, so the lapse is seen at once,
 * and so it is when the kernel tells that a socket of the agent's user to the
 * server's port was destroyed (a vanished connection).
 * The server's name is resolved at the start and again every ten minutes,
 * or, at most once a minute, when no connection to its addresses is found
 * (the agent may have been given another of its addresses).
 *
 * The agent's process is not known here, so a container is not told apart
 * from an agent that is not running: both are "no connection".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "ocd-appview"

#include <unistd.h>

#include <glib-unix.h>

#include "obico-url.h"
#include "ocd-appview.h"

#define RESOLVE_EVERY_USEC ((gint64) 600 * G_USEC_PER_SEC)
#define RESOLVE_AGAIN_USEC ((gint64) 60 * G_USEC_PER_SEC)
#define NOTICE_DELAY_MS 50     /* a burst of closing sockets is one sample */

struct _OcdAppView {
  char *host;
  guint16 port;
  gint64 uid;
  OcdAppViewFunc func;
  gpointer data;

  OcdAppTracker *tracker;
  OcdAppVerdict verdict;
  gboolean reported;
  gboolean query_failed;      /* logged once, not every sample */

  GPtrArray *addresses;       /* GInetAddress; NULL until resolved */
  gint64 resolved_at;
  GCancellable *cancellable;
  gboolean resolving;
  guint tick_id;
  guint change_id;
  int notice_fd;              /* the kernel's notices of destroyed TCP sockets; -1: none */
  guint notice_id;
  guint notice_delay_id;
};

static void sample (OcdAppView *self);

static void
report (OcdAppView *self, const OcdAppVerdict *v)
{
  gboolean changed = !self->reported || v->status != self->verdict.status || v->why != self->verdict.why;

  self->verdict = *v;
  self->reported = TRUE;
  if (!changed)
    return;
  g_message ("AppStatus %s: %s", obico_app_status_to_string (v->status), ocd_appstatus_why_to_string (v->why));
  self->func (v, self->data);
}

static gboolean
on_change_due (gpointer data)
{
  OcdAppView *self = data;

  self->change_id = 0;
  sample (self);
  return G_SOURCE_REMOVE;
}

/* A status lapsing changes the verdict between two ticks: look then. */
static void
arm_change (OcdAppView *self, gint64 now)
{
  gint64 wait;

  g_clear_handle_id (&self->change_id, g_source_remove);
  if (self->verdict.next_change_t == 0)
    return;
  wait = self->verdict.next_change_t - now;
  if (wait >= (gint64) OCD_APP_VIEW_INTERVAL_SECONDS * G_USEC_PER_SEC)
    return;   /* a tick comes first */
  self->change_id = g_timeout_add ((guint) (MAX (wait, 0) / 1000) + 1, on_change_due, self);
}

static void
on_resolved (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  GList *list = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);
  OcdAppView *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = data;
  self->resolving = FALSE;
  self->resolved_at = g_get_monotonic_time ();
  if (list == NULL)
    {
      /* the checks report a name that does not resolve; keep what was known */
      g_debug ("%s does not resolve: %s", self->host, error->message);
      return;
    }
  g_clear_pointer (&self->addresses, g_ptr_array_unref);
  self->addresses = g_ptr_array_new_with_free_func (g_object_unref);
  for (GList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (self->addresses, g_object_ref (l->data));
  g_resolver_free_addresses (list);
  sample (self);
}

static void
resolve (OcdAppView *self)
{
  g_autoptr(GInetAddress) literal = g_inet_address_new_from_string (self->host);
  g_autoptr(GResolver) resolver = NULL;

  if (self->resolving)
    return;
  if (literal != NULL)
    {
      self->addresses = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (self->addresses, g_steal_pointer (&literal));
      self->resolved_at = G_MAXINT64 / 2;   /* never again */
      return;
    }
  self->resolving = TRUE;
  resolver = g_resolver_get_default ();
  g_resolver_lookup_by_name_async (resolver, self->host, self->cancellable, on_resolved, self);
}

static void
sample (OcdAppView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) conns = NULL;
  gint64 now = g_get_monotonic_time ();
  OcdAppSample s = { now, FALSE, OCD_NETNS_UNKNOWN, NULL };
  OcdAppVerdict v;

  if (self->addresses == NULL)
    return;   /* the answer of the resolver takes the first sample */

  conns = ocd_sockdiag_query (self->port, self->addresses, self->uid, &error);
  if (conns == NULL)
    {
      if (!self->query_failed)
        g_warning ("Cannot read the official agent's connection from the kernel: %s", error->message);
      self->query_failed = TRUE;
    }
  else
    {
      g_autoptr(GHashTable) own = ocd_sockdiag_own_inodes ();

      self->query_failed = FALSE;
      for (guint i = conns->len; i > 0; i--)
        if (g_hash_table_contains (own, GUINT_TO_POINTER (((OcdSockdiagConn *) g_ptr_array_index (conns, i - 1))->inode)))
          g_ptr_array_remove_index (conns, i - 1);
      s.ok = TRUE;
      s.conns = conns;
      g_debug ("%u connection(s) of the agent to %s:%u", conns->len, self->host, self->port);
    }

  v = ocd_app_tracker_sample (self->tracker, &s);
  report (self, &v);
  arm_change (self, now);

  if (now - self->resolved_at >= RESOLVE_EVERY_USEC ||
      (v.why == OCD_APPSTATUS_WHY_NO_CONNECTION && now - self->resolved_at >= RESOLVE_AGAIN_USEC))
    resolve (self);
}

static gboolean
on_notice_delay (gpointer data)
{
  OcdAppView *self = data;

  self->notice_delay_id = 0;
  sample (self);
  return G_SOURCE_REMOVE;
}

static gboolean
on_notice (int fd, GIOCondition condition, gpointer data)
{
  OcdAppView *self = data;

  if (ocd_sockdiag_destroy_read (fd, self->port, self->uid) && self->notice_delay_id == 0)
    self->notice_delay_id = g_timeout_add (NOTICE_DELAY_MS, on_notice_delay, self);
  return G_SOURCE_CONTINUE;
}

static void
listen_for_notices (OcdAppView *self)
{
  g_autoptr(GError) error = NULL;

  self->notice_fd = ocd_sockdiag_destroy_listen (&error);
  if (self->notice_fd < 0)
    {
      g_debug ("%s: a vanished connection is seen at the next sample", error->message);
      return;
    }
  if (!ocd_sockdiag_destroy_only_port (self->notice_fd, self->port))
    g_debug ("Every TCP socket destroyed on this host will wake the app view of %s", self->host);
  self->notice_id = g_unix_fd_add (self->notice_fd, G_IO_IN, on_notice, self);
}

static gboolean
on_tick (gpointer data)
{
  sample (data);
  return G_SOURCE_CONTINUE;
}

OcdAppView *
ocd_app_view_new (const char     *server_url,
                  gint64          uid,
                  OcdAppViewFunc  func,
                  gpointer        data)
{
  OcdAppView *self = g_new0 (OcdAppView, 1);
  gboolean tls = FALSE;
  int port = 0;

  self->host = obico_url_host (server_url, &port, &tls);
  self->port = port;
  self->uid = uid;
  self->func = func;
  self->data = data;
  self->tracker = ocd_app_tracker_new (OCD_APPSTATUS_TTL_USEC,
                                       tls ? OCD_APPSTATUS_HANDSHAKE_SEGS_WSS : OCD_APPSTATUS_HANDSHAKE_SEGS_WS);
  self->cancellable = g_cancellable_new ();
  self->notice_fd = -1;
  if (self->host == NULL || port <= 0 || port > G_MAXUINT16)
    return self;   /* nothing to look for: unknown */
  self->tick_id = g_timeout_add_seconds (OCD_APP_VIEW_INTERVAL_SECONDS, on_tick, self);
  listen_for_notices (self);
  resolve (self);
  sample (self);
  return self;
}

void
ocd_app_view_free (OcdAppView *self)
{
  if (self == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_handle_id (&self->change_id, g_source_remove);
  g_clear_handle_id (&self->notice_id, g_source_remove);
  g_clear_handle_id (&self->notice_delay_id, g_source_remove);
  if (self->notice_fd >= 0)
    close (self->notice_fd);
  g_clear_pointer (&self->addresses, g_ptr_array_unref);
  g_clear_pointer (&self->tracker, ocd_app_tracker_free);
  g_free (self->host);
  g_free (self);
}
