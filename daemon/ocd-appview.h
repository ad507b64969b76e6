/* ocd-appview.h — the watch role's view of what the Obico app shows: the
 * official agent's connection to the server, sampled from the kernel
 * (ocd-sockdiag) on a timer and judged by ocd-appstatus.  It never touches
 * the agent or its socket. */
#pragma once

#include <gio/gio.h>

#include "ocd-appstatus.h"

G_BEGIN_DECLS

/* How often the agent's connection is sampled; besides, a sample is taken
 * when the verdict would change by itself (a status lapsing). */
#define OCD_APP_VIEW_INTERVAL_SECONDS 10

typedef struct _OcdAppView OcdAppView;

/* Called with every verdict that differs from the one before. */
typedef void (*OcdAppViewFunc) (const OcdAppVerdict *verdict,
                                gpointer             data);

/* Follows the connections of @uid (the agent's user; -1: anyone's but this
 * process's) to the server of @server_url; the first sample is taken once
 * the server's name is resolved. */
OcdAppView *ocd_app_view_new  (const char     *server_url,
                               gint64          uid,
                               OcdAppViewFunc  func,
                               gpointer        data);
void        ocd_app_view_free (OcdAppView     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OcdAppView, ocd_app_view_free)

G_END_DECLS
