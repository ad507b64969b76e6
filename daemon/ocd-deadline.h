/* ocd-deadline.h — a cancellable that fires on the caller's cancel or when
 * time is up, and that can tell the two apart */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _OcdDeadline OcdDeadline;

/* Starts the clock in the thread-default main context.  @caller may be
 * NULL, or cancelled already (then the deadline is too). */
OcdDeadline  *ocd_deadline_new             (GCancellable *caller,
                                            double        seconds);
/* Stops the clock and lets go of the caller's cancellable. */
void          ocd_deadline_free            (OcdDeadline  *self);

/* For the operation the deadline bounds. */
GCancellable *ocd_deadline_get_cancellable (OcdDeadline  *self);
/* TRUE when the time ran out before the caller cancelled. */
gboolean      ocd_deadline_expired         (OcdDeadline  *self);
double        ocd_deadline_get_seconds     (OcdDeadline  *self);
/* Since ocd_deadline_new(). */
double        ocd_deadline_elapsed_ms      (OcdDeadline  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OcdDeadline, ocd_deadline_free)

G_END_DECLS
