/* oc-notifier.h — desktop notifications when the printer goes offline and comes back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "oc-client.h"

G_BEGIN_DECLS

#define OC_TYPE_NOTIFIER (oc_notifier_get_type ())

G_DECLARE_FINAL_TYPE (OcNotifier, oc_notifier, OC, NOTIFIER, GObject)

OcNotifier *oc_notifier_new (GApplication *application,
                             OcClient     *client);

G_END_DECLS
