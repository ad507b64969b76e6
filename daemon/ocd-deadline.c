/* ocd-deadline.c — one operation's time limit: its own cancellable, chained
 * to the caller's, so that a timeout ends just this operation and the
 * caller can still tell "too slow" from "cancelled". */
#include "config.h"

#include "ocd-deadline.h"

struct _OcdDeadline
{
  GCancellable *cancellable;
  GCancellable *caller;
  gulong        caller_id;
  GSource      *timer;
  double        seconds;
  gint64        started;      /* monotonic µs */
  gboolean      expired;
};

static void
on_caller_cancelled (GCancellable *caller, gpointer data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

static gboolean
on_timer (gpointer data)
{
  OcdDeadline *self = data;

  if (!g_cancellable_is_cancelled (self->cancellable))
    self->expired = TRUE;
  g_clear_pointer (&self->timer, g_source_unref);
  g_cancellable_cancel (self->cancellable);
  return G_SOURCE_REMOVE;
}

OcdDeadline *
ocd_deadline_new (GCancellable *caller,
                  double        seconds)
{
  OcdDeadline *self = g_new0 (OcdDeadline, 1);

  self->cancellable = g_cancellable_new ();
  self->seconds = MAX (seconds, 0.0);
  self->started = g_get_monotonic_time ();
  if (caller != NULL)
    {
      self->caller = g_object_ref (caller);
      /* Runs at once for a caller that is cancelled already. */
      self->caller_id = g_cancellable_connect (caller, G_CALLBACK (on_caller_cancelled),
                                               self->cancellable, NULL);
    }
  self->timer = g_timeout_source_new ((guint) (self->seconds * 1000));
  g_source_set_callback (self->timer, on_timer, self, NULL);
  g_source_attach (self->timer, g_main_context_get_thread_default ());
  return self;
}

void
ocd_deadline_free (OcdDeadline *self)
{
  if (self == NULL)
    return;
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_source_unref (self->timer);
    }
  if (self->caller != NULL)
    {
      g_cancellable_disconnect (self->caller, self->caller_id);
      g_object_unref (self->caller);
    }
  g_object_unref (self->cancellable);
  g_free (self);
}

GCancellable *
ocd_deadline_get_cancellable (OcdDeadline *self)
{
  return self->cancellable;
}

gboolean
ocd_deadline_expired (OcdDeadline *self)
{
  return self->expired;
}

double
ocd_deadline_get_seconds (OcdDeadline *self)
{
  return self->seconds;
}

double
ocd_deadline_elapsed_ms (OcdDeadline *self)
{
  return (g_get_monotonic_time () - self->started) / 1000.0;
}
