/* oc-application.h — the app: command-line options and actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "oc-doctor.h"

G_BEGIN_DECLS

#define OC_TYPE_APPLICATION (oc_application_get_type ())

G_DECLARE_FINAL_TYPE (OcApplication, oc_application, OC, APPLICATION, AdwApplication)

OcApplication *oc_application_new        (void);
OcClient      *oc_application_get_client (OcApplication *self);
OcDoctor      *oc_application_get_doctor (OcApplication *self);

G_END_DECLS
