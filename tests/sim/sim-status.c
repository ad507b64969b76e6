/* obico-sim: a printer's status as obico-server caches it — the truth about
 * whether the Obico app shows the printer online.
 *
 * The rule (docs/obico-protocol.md, "Agent→server" and "Heartbeat"):
 * - a status message whose `status` carries `_ts` caches that status for
 *   --status-ttl seconds (the server's STATUS_TTL_SECONDS, 120);
 * - a status message whose `status` is missing or empty deletes it at once;
 * - a `status` without `_ts` is ignored: what was cached stays, and lapses;
 * - when the printer's last open socket closes, it is deleted.
 * The app shows the printer online exactly while a status is cached.
 *
 * Only the control API shows it (GET /_sim/printers); the printer endpoint
 * keeps the real server's shape, which tells a printer's token nothing of it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "sim.h"

static void
status_delete (Printer *p, double t, const char *reason)
{
  if (p->status != NULL)
    p->offline_since_t = t;
  g_clear_pointer (&p->status, json_object_unref);
  p->status_expires_t = 0;
  p->offline_reason = reason;
}

/* A cached status lapses when it is looked at: nothing else depends on the moment. */
static void
status_refresh (Printer *p, double now)
{
  if (p->status != NULL && now >= p->status_expires_t)
    status_delete (p, p->status_expires_t, "expired");
}

void
status_message (Sim        *self,
                Printer    *p,
                JsonObject *status,
                gboolean    has_ts)
{
  double now = now_seconds ();

  status_refresh (p, now);
  if (status == NULL || json_object_get_size (status) == 0)
    {
      status_delete (p, now, "empty status");
      return;
    }
  if (!has_ts)
    return;
  if (p->status == NULL)
    p->online_since_t = now;
  g_clear_pointer (&p->status, json_object_unref);
  p->status = json_object_ref (status);
  p->status_expires_t = now + self->status_ttl;
  p->offline_reason = NULL;
}

void
status_socket_closed (Sim *self, gint64 printer_id)
{
  Printer *p = printer_by_id (self, printer_id);

  if (p == NULL)
    return;
  for (guint i = 0; i < self->clients->len; i++)
    if (((WsClient *) g_ptr_array_index (self->clients, i))->printer_id == printer_id)
      return;
  status_refresh (p, now_seconds ());
  if (p->status != NULL)
    status_delete (p, now_seconds (), "socket closed");
}

void
status_to_json (Sim *self, Printer *p, JsonObject *o)
{
  status_refresh (p, now_seconds ());
  json_object_set_string_member (o, "app_status", p->status != NULL ? "online" : "offline");
  if (p->status != NULL)
    {
      json_object_set_double_member (o, "app_status_since", p->online_since_t);
      json_object_set_null_member (o, "offline_reason");
      json_object_set_object_member (o, "status", json_object_ref (p->status));
      json_object_set_double_member (o, "status_expires_t", p->status_expires_t);
    }
  else
    {
      if (p->offline_since_t > 0)
        json_object_set_double_member (o, "app_status_since", p->offline_since_t);
      else
        json_object_set_null_member (o, "app_status_since");
      json_object_set_string_member (o, "offline_reason",
                                     p->offline_reason != NULL ? p->offline_reason : "no status yet");
      json_object_set_null_member (o, "status");
      json_object_set_null_member (o, "status_expires_t");
    }
}
