/* oc-doctor.c — runs the guide's checks through the daemon and keeps their results
 *
 * Every run is one optional change (Link, SetServerUrl, ResetErrors) followed by
 * a TEST, or a Diagnose on its own. A TEST that failed to contact the server is
 * followed by a Diagnose, which tells a wrong address from a network problem.
 * A TEST that succeeded while the State says otherwise asks the daemon to
 * reconnect and waits a little for the State to settle: the guide's next step
 * reads the State, and one left over from before the fix would mislead.
 * When a run finishes, next-fix names the guided fix the results lead to.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "oc-doctor"

#include "config.h"

#include <glib/gi18n.h>

#include "oc-doctor.h"
#include "oc-fix.h"

#define SETTLE_TIMEOUT_SECONDS 8

struct _OcDoctor
{
  GObject      parent_instance;

  OcdConnect1 *proxy;
  gboolean     busy;
  gboolean     just_relinked;

  char        *test_result;
  char        *test_detail;
  GVariant    *test_facts;
  char        *diagnosis_problem;
  GStrv        diagnosis_fixes;
  GVariant    *diagnosis_steps;
  const char  *next_fix;

  /* waiting for the State after a Reconnect; there is one run at a time */
  GTask       *settle_task;
  OcdConnect1 *settle_proxy;
  gulong       settle_handler;
  guint        settle_timeout_id;
  gboolean     settle_saw_connecting;
};

G_DEFINE_FINAL_TYPE (OcDoctor, oc_doctor, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PROXY,
  PROP_BUSY,
  PROP_NEXT_FIX,
  N_PROPS
};

enum {
  CHANGED,
  TESTED,
  DIAGNOSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef enum {
  RUN_TEST,
  RUN_DIAGNOSE,
  RUN_LINK,
  RUN_SET_SERVER_URL,
  RUN_RESET_ERRORS,
} RunKind;

static void
set_busy (OcDoctor *self,
          gboolean  busy)
{
  if (self->busy == busy)
    return;

  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
set_next_fix (OcDoctor   *self,
              const char *fix)
{
  if (self->next_fix == fix)
    return;

  self->next_fix = fix;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_FIX]);
}

static void
return_error (GTask  *task,
              GError *error)
{
  set_busy (g_task_get_source_object (task), FALSE);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
return_success (GTask *task)
{
  set_busy (g_task_get_source_object (task), FALSE);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static const char *
error_severity (OcdConnect1 *proxy)
{
  GVariant *stats = ocd_connect1_get_error_stats (proxy);
  const char *severity = NULL;

  if (stats != NULL)
    g_variant_lookup (stats, "severity", "&s", &severity);

  return severity;
}

static void
finish_test (GTask *task)
{
  OcDoctor *self = g_task_get_source_object (task);
  OcTestOutcome outcome;
  const char *fix;

  if (self->proxy == NULL)
    {
      return_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                                               _("The Obico Connect service is not running.")));
      return;
    }

  outcome = (OcTestOutcome) {
    .result = self->test_result,
    .just_relinked = self->just_relinked,
    .state = ocd_connect1_get_state (self->proxy),
    .problem = ocd_connect1_get_problem (self->proxy),
    .websocket = ocd_connect1_get_web_socket (self->proxy),
    .severity = error_severity (self->proxy),
    .diagnosis_problem = self->diagnosis_problem,
    .diagnosis_fixes = (const char * const *) self->diagnosis_fixes,
  };
  fix = oc_fix_after_test (&outcome);

  /* "still invalid" is only true right after linking again */
  self->just_relinked = FALSE;
  set_next_fix (self, fix);
  g_signal_emit (self, signals[TESTED], 0);
  return_success (task);
}

static void
diagnose_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  OcDoctor *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;
  g_auto(GStrv) fixes = NULL;
  g_autoptr(GVariant) steps = NULL;

  if (!ocd_connect1_call_diagnose_finish (OCD_CONNECT1 (object), &problem, &fixes, &steps, result, &error))
    {
      return_error (task, g_steal_pointer (&error));
      return;
    }

  g_free (self->diagnosis_problem);
  self->diagnosis_problem = g_steal_pointer (&problem);
  g_strfreev (self->diagnosis_fixes);
  self->diagnosis_fixes = g_steal_pointer (&fixes);
  g_clear_pointer (&self->diagnosis_steps, g_variant_unref);
  self->diagnosis_steps = g_variant_ref_sink (g_steal_pointer (&steps));
  g_signal_emit (self, signals[DIAGNOSED], 0);

  if (GPOINTER_TO_INT (g_task_get_task_data (task)) == RUN_DIAGNOSE)
    {
      set_next_fix (self, oc_fix_after_diagnosis (self->diagnosis_problem,
                                                  (const char * const *) self->diagnosis_fixes));
      return_success (task);
    }
  else
    {
      finish_test (task);
    }
}

static void
start_diagnose (GTask *task)
{
  OcDoctor *self = g_task_get_source_object (task);

  ocd_connect1_call_diagnose (self->proxy, g_task_get_cancellable (task), diagnose_cb, task);
}

static void
settle_done (OcDoctor *self)
{
  GTask *task = g_steal_pointer (&self->settle_task);

  g_clear_signal_handler (&self->settle_handler, self->settle_proxy);
  g_clear_object (&self->settle_proxy);
  g_clear_handle_id (&self->settle_timeout_id, g_source_remove);
  finish_test (task);
}

static void
on_settle_changed (OcDoctor *self)
{
  const char *state = ocd_connect1_get_state (self->settle_proxy);

  /* State and WebSocket may change in separate signals: both must be done */
  if (g_strcmp0 (state, "connecting") == 0 ||
      g_strcmp0 (ocd_connect1_get_web_socket (self->settle_proxy), "connecting") == 0)
    self->settle_saw_connecting = TRUE;
  else if (g_strcmp0 (state, "okay") == 0 || self->settle_saw_connecting)
    settle_done (self);
}

static gboolean
settle_timeout (gpointer user_data)
{
  OcDoctor *self = user_data;

  self->settle_timeout_id = 0;
  settle_done (self);

  return G_SOURCE_REMOVE;
}

static void
reconnect_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  OcDoctor *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!ocd_connect1_call_reconnect_finish (OCD_CONNECT1 (object), result, &error))
    {
      return_error (task, g_steal_pointer (&error));
      return;
    }

  self->settle_task = task;
  self->settle_saw_connecting = FALSE;
  self->settle_proxy = g_object_ref (OCD_CONNECT1 (object));
  self->settle_handler = g_signal_connect_swapped (self->settle_proxy, "g-properties-changed",
                                                   G_CALLBACK (on_settle_changed), self);
  self->settle_timeout_id = g_timeout_add_seconds (SETTLE_TIMEOUT_SECONDS, settle_timeout, self);
  on_settle_changed (self);
}

static void
test_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  OcDoctor *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *test_result = NULL;
  g_autofree char *detail = NULL;
  g_autoptr(GVariant) facts = NULL;
  const char *state;

  if (!ocd_connect1_call_test_finish (OCD_CONNECT1 (object), &test_result, &detail, &facts, result, &error))
    {
      return_error (task, g_steal_pointer (&error));
      return;
    }

  g_free (self->test_result);
  self->test_result = g_steal_pointer (&test_result);
  g_free (self->test_detail);
  self->test_detail = g_steal_pointer (&detail);
  g_clear_pointer (&self->test_facts, g_variant_unref);
  self->test_facts = g_variant_ref_sink (g_steal_pointer (&facts));

  state = ocd_connect1_get_state (OCD_CONNECT1 (object));
  if (g_str_equal (self->test_result, "failed-to-contact"))
    start_diagnose (task);
  else if (g_str_equal (self->test_result, "succeeded") &&
           g_strcmp0 (state, "okay") != 0 && g_strcmp0 (state, "unlinked") != 0)
    ocd_connect1_call_reconnect (OCD_CONNECT1 (object), g_task_get_cancellable (task), reconnect_cb, task);
  else
    finish_test (task);
}

static void
start_test (GTask *task)
{
  OcDoctor *self = g_task_get_source_object (task);

  /* a Diagnose from an earlier run must not decide this TEST's branch */
  g_clear_pointer (&self->diagnosis_problem, g_free);
  g_clear_pointer (&self->diagnosis_fixes, g_strfreev);

  ocd_connect1_call_test (self->proxy, g_task_get_cancellable (task), test_cb, task);
}

static void
change_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  OcDoctor *self = g_task_get_source_object (task);
  OcdConnect1 *proxy = OCD_CONNECT1 (object);
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  switch (GPOINTER_TO_INT (g_task_get_task_data (task)))
    {
    case RUN_LINK:
      ok = ocd_connect1_call_link_finish (proxy, NULL, NULL, result, &error);
      self->just_relinked = ok;
      break;
    case RUN_SET_SERVER_URL:
      ok = ocd_connect1_call_set_server_url_finish (proxy, result, &error);
      break;
    case RUN_RESET_ERRORS:
      ok = ocd_connect1_call_reset_errors_finish (proxy, result, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  if (!ok)
    return_error (task, g_steal_pointer (&error));
  else
    start_test (task);
}

static void
run (OcDoctor            *self,
     RunKind              kind,
     const char          *argument,
     GCancellable        *cancellable,
     GAsyncReadyCallback  callback,
     gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (OC_IS_DOCTOR (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, run);
  g_task_set_task_data (task, GINT_TO_POINTER (kind), NULL);

  if (self->proxy == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("The Obico Connect service is not running."));
      g_object_unref (task);
      return;
    }
  if (self->busy)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("Another check is still running."));
      g_object_unref (task);
      return;
    }

  set_busy (self, TRUE);

  switch (kind)
    {
    case RUN_TEST:
      start_test (task);
      break;
    case RUN_DIAGNOSE:
      start_diagnose (task);
      break;
    case RUN_LINK:
      ocd_connect1_call_link (self->proxy, argument, cancellable, change_cb, task);
      break;
    case RUN_SET_SERVER_URL:
      ocd_connect1_call_set_server_url (self->proxy, argument, cancellable, change_cb, task);
      break;
    case RUN_RESET_ERRORS:
      ocd_connect1_call_reset_errors (self->proxy, cancellable, change_cb, task);
      break;
    default:
      g_assert_not_reached ();
    }
}

void
oc_doctor_test (OcDoctor            *self,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  run (self, RUN_TEST, NULL, cancellable, callback, user_data);
}

void
oc_doctor_diagnose (OcDoctor            *self,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  run (self, RUN_DIAGNOSE, NULL, cancellable, callback, user_data);
}

void
oc_doctor_link (OcDoctor            *self,
                const char          *code,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  run (self, RUN_LINK, code, cancellable, callback, user_data);
}

void
oc_doctor_set_server_url (OcDoctor            *self,
                          const char          *url,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  run (self, RUN_SET_SERVER_URL, url, cancellable, callback, user_data);
}

void
oc_doctor_reset_errors (OcDoctor            *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  run (self, RUN_RESET_ERRORS, NULL, cancellable, callback, user_data);
}

gboolean
oc_doctor_run_finish (OcDoctor      *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
emit_changed (OcDoctor *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

OcdConnect1 *
oc_doctor_get_proxy (OcDoctor *self)
{
  g_return_val_if_fail (OC_IS_DOCTOR (self), NULL);

  return self->proxy;
}

void
oc_doctor_set_proxy (OcDoctor    *self,
                     OcdConnect1 *proxy)
{
  g_return_if_fail (OC_IS_DOCTOR (self));

  if (self->proxy == proxy)
    return;

  if (self->proxy != NULL)
    g_signal_handlers_disconnect_by_data (self->proxy, self);
  g_set_object (&self->proxy, proxy);
  if (proxy != NULL)
    g_signal_connect_swapped (proxy, "g-properties-changed", G_CALLBACK (emit_changed), self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROXY]);
  emit_changed (self);
}

gboolean
oc_doctor_get_busy (OcDoctor *self)
{
  g_return_val_if_fail (OC_IS_DOCTOR (self), FALSE);

  return self->busy;
}

const char *
oc_doctor_get_test_result (OcDoctor *self)
{
  g_return_val_if_fail (OC_IS_DOCTOR (self), NULL);

  return self->test_result;
}

const char *
oc_doctor_get_test_detail (OcDoctor *self)
{
  g_return_val_if_fail (OC_IS_DOCTOR (self), NULL);

  return self->test_detail;
}

GVariant *
oc_doctor_get_test_facts (OcDoctor *self)
{
  g_return_val_if_fail (OC_IS_DOCTOR (self), NULL);

  return self->test_facts;
}

const char *
oc_doctor_get_diagnosis_problem (OcDoctor *self)
{
  g_return_val_if_fail (OC_IS_DOCTOR (self), NULL);

  return self->diagnosis_problem;
}

GVariant *
oc_doctor_get_diagnosis_steps (OcDoctor *self)
{
  g_return_val_if_fail (OC_IS_DOCTOR (self), NULL);

  return self->diagnosis_steps;
}

const char *
oc_doctor_get_next_fix (OcDoctor *self)
{
  g_return_val_if_fail (OC_IS_DOCTOR (self), NULL);

  return self->next_fix;
}

static void
oc_doctor_finalize (GObject *object)
{
  OcDoctor *self = OC_DOCTOR (object);

  if (self->proxy != NULL)
    g_signal_handlers_disconnect_by_data (self->proxy, self);
  g_clear_object (&self->proxy);
  g_clear_pointer (&self->test_result, g_free);
  g_clear_pointer (&self->test_detail, g_free);
  g_clear_pointer (&self->test_facts, g_variant_unref);
  g_clear_pointer (&self->diagnosis_problem, g_free);
  g_clear_pointer (&self->diagnosis_fixes, g_strfreev);
  g_clear_pointer (&self->diagnosis_steps, g_variant_unref);

  G_OBJECT_CLASS (oc_doctor_parent_class)->finalize (object);
}

static void
oc_doctor_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  OcDoctor *self = OC_DOCTOR (object);

  switch (prop_id)
    {
    case PROP_PROXY:
      g_value_set_object (value, self->proxy);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_NEXT_FIX:
      g_value_set_string (value, self->next_fix);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oc_doctor_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  OcDoctor *self = OC_DOCTOR (object);

  switch (prop_id)
    {
    case PROP_PROXY:
      oc_doctor_set_proxy (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oc_doctor_class_init (OcDoctorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = oc_doctor_finalize;
  object_class->get_property = oc_doctor_get_property;
  object_class->set_property = oc_doctor_set_property;

  properties[PROP_PROXY] =
    g_param_spec_object ("proxy", NULL, NULL,
                         OCD_TYPE_CONNECT1,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NEXT_FIX] =
    g_param_spec_string ("next-fix", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The daemon's properties changed, or the daemon came or went. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The results of a TEST (and of the Diagnose that may follow it) are in. */
  signals[TESTED] = g_signal_new ("tested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[DIAGNOSED] = g_signal_new ("diagnosed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
oc_doctor_init (OcDoctor *self)
{
}

OcDoctor *
oc_doctor_new (void)
{
  return g_object_new (OC_TYPE_DOCTOR, NULL);
}
