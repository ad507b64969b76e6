/* oc-fix.h — the guided fixes of docs/guided-fixes.md and the decision tree between them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "obico-labels.h"

G_BEGIN_DECLS

/* What a fix page offers right there, besides its explanation. */
typedef enum {
  OC_FIX_ACTION_NONE,
  OC_FIX_ACTION_LINK,
  OC_FIX_ACTION_SERVER_URL,
  OC_FIX_ACTION_CHOOSE_CAUSE,
  OC_FIX_ACTION_TEST_AGAIN,
  OC_FIX_ACTION_REPORT,
  OC_FIX_ACTION_DEBUG_LOGGING,
  OC_FIX_ACTION_SUPPORT_REPORT,
  OC_FIX_ACTION_WIFI_POWER_SAVE,  /* turn Wi-Fi power saving off (TurnOffWifiPowerSave) */
  OC_FIX_ACTION_NTP,              /* turn network time on (TurnOnNetworkTime) */
  OC_FIX_ACTION_RESTART_AGENT,     /* RestartAgent, and the agent's own log */
  OC_FIX_ACTION_AGENT_CONNECTION,  /* Diagnose's layers, and the agent's own log */
} OcFixAction;

typedef struct {
  ObicoFix     fix;
  const char  *icon_name;
  const char  *description;  /* untranslated, use _(); the title is obico_fix_title() */
  OcFixAction  action;
} OcFix;

/* A change the daemon makes when asked (polkit may ask a person first), after
 * which the app tests again: the app's action app.ACTION calls METHOD. */
typedef struct {
  const char  *action;
  const char  *method;
  const char  *parameter_type; /* the action's and the method's one argument; NULL: none */
  OcFixAction  offered_by;     /* the fix pages with a button for it; OC_FIX_ACTION_NONE: none */
  const char  *label;          /* that button's, untranslated, use _() */
  gboolean     then_status;    /* afterwards the status page, not the fix the TEST leads to */
} OcChange;

/* What the guide's branches look at after a TEST. */
typedef struct {
  ObicoTestResult  result;             /* of Test() */
  gboolean         just_relinked;      /* Link() succeeded right before */
  ObicoState       state;              /* the daemon's State, Problem, WebSocket */
  ObicoProblem     problem;
  ObicoWebSocket   websocket;
  ObicoSeverity    severity;           /* of ErrorStats */
  const OcFix     *diagnosis_fix;      /* where the Diagnose after a failed TEST leads */
} OcTestOutcome;

const OcFix *oc_fix_lookup          (ObicoFix             fix);
const OcFix *oc_fix_get_all         (guint               *n_fixes);
const char  *oc_fix_id              (const OcFix         *fix);
const OcChange *oc_fix_get_changes  (guint               *n_changes);
const OcChange *oc_fix_change_for   (OcFixAction          action);

const OcFix *oc_fix_for_problem     (ObicoProblem         problem);
const OcFix *oc_fix_after_diagnosis (ObicoProblem         problem,
                                     const char * const  *fixes);
const OcFix *oc_fix_after_test      (const OcTestOutcome *outcome);

G_END_DECLS
