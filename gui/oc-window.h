/* oc-window.h — the main window: sidebar, pages, toasts and dialogs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "oc-application.h"

G_BEGIN_DECLS

#define OC_TYPE_WINDOW (oc_window_get_type ())

G_DECLARE_FINAL_TYPE (OcWindow, oc_window, OC, WINDOW, AdwApplicationWindow)

OcWindow *oc_window_new                 (OcApplication *application,
                                         gboolean       kiosk);
void      oc_window_set_kiosk           (OcWindow      *self);
void      oc_window_show_page           (OcWindow      *self,
                                         const char    *page);
void      oc_window_show_fix            (OcWindow      *self,
                                         ObicoFix       fix);
void      oc_window_show_toast          (OcWindow      *self,
                                         const char    *message);
void      oc_window_show_error          (OcWindow      *self,
                                         const GError  *error);
void      oc_window_save_support_report (OcWindow      *self,
                                         GFile         *file);
char     *oc_window_describe            (OcWindow      *self);

G_END_DECLS
