/* oc-client.h — the app's side of the bus: the daemon's proxy, for as long as it runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ocd-dbus-generated.h"
#include "obico-labels.h"
#include "oc-agent.h"

G_BEGIN_DECLS

#define OC_TYPE_CLIENT (oc_client_get_type ())

G_DECLARE_FINAL_TYPE (OcClient, oc_client, OC, CLIENT, GObject)

OcClient       *oc_client_new            (GBusType  bus_type);
void            oc_client_start          (OcClient *self);
void            oc_client_stop           (OcClient *self);
GBusType        oc_client_get_bus_type   (OcClient *self);
OcdConnect1    *oc_client_get_proxy      (OcClient *self);
gboolean        oc_client_get_running    (OcClient *self);
OcdConnect1    *oc_client_get_root       (OcClient *self);
GPtrArray      *oc_client_get_printers   (OcClient *self);
void            oc_client_select_printer (OcClient    *self,
                                          OcdConnect1 *printer);
OcdConnect1    *oc_client_get_selected   (OcClient *self);

ObicoState      oc_client_get_state      (OcClient *self);
ObicoRole       oc_client_get_role       (OcClient *self);
ObicoProblem    oc_client_get_problem    (OcClient *self);
ObicoWebSocket  oc_client_get_web_socket (OcClient *self);
ObicoSeverity   oc_client_get_severity   (OcClient *self);
const OcAgent  *oc_client_get_agent      (OcClient *self);
gboolean        oc_client_get_can_link   (OcClient *self);

void            oc_client_change         (OcClient            *self,
                                          const char          *method,
                                          GVariant            *parameters,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
GVariant       *oc_client_change_finish  (OcClient            *self,
                                          GAsyncResult        *result,
                                          GError             **error);
GError         *oc_client_not_running_error (void);

G_END_DECLS
