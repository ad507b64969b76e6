/* oc-doctor.h — runs the guide's checks through the daemon and keeps their results
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "oc-client.h"
#include "oc-fix.h"

G_BEGIN_DECLS

#define OC_TYPE_DOCTOR (oc_doctor_get_type ())

G_DECLARE_FINAL_TYPE (OcDoctor, oc_doctor, OC, DOCTOR, GObject)

OcDoctor    *oc_doctor_new                   (OcClient             *client);
OcClient    *oc_doctor_get_client            (OcDoctor             *self);
gboolean     oc_doctor_get_busy              (OcDoctor             *self);
gboolean     oc_doctor_get_test_result       (OcDoctor             *self,
                                              ObicoTestResult      *result);
const char  *oc_doctor_get_test_detail       (OcDoctor             *self);
GVariant    *oc_doctor_get_test_facts        (OcDoctor             *self);
ObicoProblem oc_doctor_get_diagnosis_problem (OcDoctor             *self);
GVariant    *oc_doctor_get_diagnosis_steps   (OcDoctor             *self);
const OcFix *oc_doctor_get_next_fix          (OcDoctor             *self);

void         oc_doctor_test                  (OcDoctor             *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
void         oc_doctor_diagnose              (OcDoctor             *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
void         oc_doctor_change                (OcDoctor             *self,
                                              const char           *method,
                                              GVariant             *parameters,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean     oc_doctor_run_finish            (OcDoctor             *self,
                                              GAsyncResult         *result,
                                              GError              **error);

G_END_DECLS
