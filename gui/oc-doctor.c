/* oc-doctor.c — runs the guide's checks through the daemon and keeps their results
 *
 * Every run is one optional change (Link, SetServerUrl, ResetErrors, RestartAgent,
 * a remedy such as TurnOffWifiPowerSave) followed by a TEST, or a Diagnose on
 * its own. A TEST that failed to contact the server is
 * followed by a Diagnose, which tells a wrong address from a network problem.
 * A TEST that succeeded while the State says otherwise asks the daemon to
 * reconnect and waits a little for the State to settle: the guide's next step
 * reads the State, and one left over from before the fix would mislead.  Not
 * after 4321 (shared-credentials): reconnecting would knock the other device
 * off.
 * When a run finishes, next-fix names the guided fix the results lead to.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "oc-doctor"

#include "config.h"

#include <glib/gi18n.h>

#include "oc-doctor.h"

#define SETTLE_TIMEOUT_SECONDS 8

struct _OcDoctor
{
  GObject      parent_instance;

  OcClient        *client;
  gboolean         busy;
  gboolean         just_relinked;

  gboolean         tested;
  ObicoTestResult  test_result;
  char            *test_detail;
  GVariant        *test_facts;
  ObicoProblem     diagnosis_problem;
  const OcFix     *diagnosis_fix;
  GVariant        *diagnosis_steps;
  const OcFix     *next_fix;

  /* waiting for the State after a Reconnect; there is one run at a time */
  GTask           *settle_task;
  gulong           settle_handler;
  guint            settle_timeout_id;
  gboolean         settle_saw_connecting;
};

G_DEFINE_FINAL_TYPE (OcDoctor, oc_doctor, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_NEXT_FIX,
  N_PROPS
};

enum {
  TESTED,
  DIAGNOSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef enum {
  RUN_TEST,
  RUN_DIAGNOSE,
  RUN_CHANGE,
  RUN_LINK,     /* a change after which refused credentials are "still invalid" */
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
set_next_fix (OcDoctor    *self,
              const OcFix *fix)
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

/* The problem the TEST leads by: the daemon's Problem, but for an unexpected
 * response the answer's own (a 5xx is server-error, anything else
 * not-obico-server), which comes with the reply while the Problem property
 * may follow in a later signal. */
static ObicoProblem
test_problem (OcDoctor *self)
{
  const char *answer = NULL;

  if (self->test_result == OBICO_TEST_RESULT_UNEXPECTED_RESPONSE && self->test_facts != NULL &&
      g_variant_lookup (self->test_facts, "problem", "&s", &answer) && *answer != '\0')
    return obico_read_problem (answer);
  return oc_client_get_problem (self->client);
}

static void
finish_test (GTask *task)
{
  OcDoctor *self = g_task_get_source_object (task);
  OcTestOutcome outcome;
  const OcFix *fix;

  if (oc_client_get_proxy (self->client) == NULL)
    {
      return_error (task, oc_client_not_running_error ());
      return;
    }

  outcome = (OcTestOutcome) {
    .result = self->test_result,
    .just_relinked = self->just_relinked,
    .state = oc_client_get_state (self->client),
    .problem = test_problem (self),
    .websocket = oc_client_get_web_socket (self->client),
    .severity = oc_client_get_severity (self->client),
    .diagnosis_fix = self->diagnosis_fix,
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

  self->diagnosis_problem = obico_read_problem (problem);
  self->diagnosis_fix = oc_fix_after_diagnosis (self->diagnosis_problem, (const char * const *) fixes);
  g_clear_pointer (&self->diagnosis_steps, g_variant_unref);
  self->diagnosis_steps = g_variant_ref_sink (g_steal_pointer (&steps));
  g_signal_emit (self, signals[DIAGNOSED], 0);

  if (GPOINTER_TO_INT (g_task_get_task_data (task)) == RUN_DIAGNOSE)
    {
      set_next_fix (self, self->diagnosis_fix);
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

  ocd_connect1_call_diagnose (oc_client_get_proxy (self->client), g_task_get_cancellable (task), diagnose_cb, task);
}

static void
settle_done (OcDoctor *self)
{
  GTask *task = g_steal_pointer (&self->settle_task);

  g_clear_signal_handler (&self->settle_handler, self->client);
  g_clear_handle_id (&self->settle_timeout_id, g_source_remove);
  finish_test (task);
}

static void
on_settle_changed (OcDoctor *self)
{
  ObicoState state = oc_client_get_state (self->client);

  /* State and WebSocket may change in separate signals: both must be done */
  if (state == OBICO_STATE_CONNECTING ||
      oc_client_get_web_socket (self->client) == OBICO_WEB_SOCKET_CONNECTING)
    self->settle_saw_connecting = TRUE;
  else if (state == OBICO_STATE_OKAY || self->settle_saw_connecting)
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
  self->settle_handler = g_signal_connect_swapped (self->client, "changed",
                                                   G_CALLBACK (on_settle_changed), self);
  self->settle_timeout_id = g_timeout_add_seconds (SETTLE_TIMEOUT_SECONDS, settle_timeout, self);
  on_settle_changed (self);
}

/* After a TEST that succeeded, whether to ask the daemon to connect again
 * before reading the State.  Never when another device uses these
 * credentials (the server closed with 4321): a new connection with them
 * would knock that device off, and the fix is a new link, not a retry. */
static gboolean
should_reconnect (OcDoctor *self)
{
  ObicoState state = oc_client_get_state (self->client);

  if (state == OBICO_STATE_OKAY || state == OBICO_STATE_UNLINKED)
    return FALSE;
  return oc_client_get_problem (self->client) != OBICO_PROBLEM_SHARED_CREDENTIALS &&
         oc_client_get_web_socket (self->client) != OBICO_WEB_SOCKET_SHARED_CREDENTIALS;
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

  if (!ocd_connect1_call_test_finish (OCD_CONNECT1 (object), &test_result, &detail, &facts, result, &error))
    {
      return_error (task, g_steal_pointer (&error));
      return;
    }

  self->tested = TRUE;
  self->test_result = obico_read_test_result (test_result);
  g_free (self->test_detail);
  self->test_detail = g_steal_pointer (&detail);
  g_clear_pointer (&self->test_facts, g_variant_unref);
  self->test_facts = g_variant_ref_sink (g_steal_pointer (&facts));

  if (self->test_result == OBICO_TEST_RESULT_FAILED_TO_CONTACT)
    start_diagnose (task);
  else if (self->test_result == OBICO_TEST_RESULT_SUCCEEDED && should_reconnect (self))
    ocd_connect1_call_reconnect (OCD_CONNECT1 (object), g_task_get_cancellable (task), reconnect_cb, task);
  else
    finish_test (task);
}

static void
start_test (GTask *task)
{
  OcDoctor *self = g_task_get_source_object (task);

  /* a Diagnose from an earlier run must not decide this TEST's branch */
  self->diagnosis_problem = OBICO_PROBLEM_NONE;
  self->diagnosis_fix = NULL;

  ocd_connect1_call_test (oc_client_get_proxy (self->client), g_task_get_cancellable (task), test_cb, task);
}

static void
change_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  OcDoctor *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = oc_client_change_finish (OC_CLIENT (object), result, &error);

  if (GPOINTER_TO_INT (g_task_get_task_data (task)) == RUN_LINK)
    self->just_relinked = reply != NULL;

  if (reply == NULL)
    return_error (task, g_steal_pointer (&error));
  else
    start_test (task);
}

static void
run (OcDoctor            *self,
     RunKind              kind,
     const char          *method,
     GVariant            *parameters,
     GCancellable        *cancellable,
     GAsyncReadyCallback  callback,
     gpointer             user_data)
{
  g_autoptr(GVariant) owned = parameters != NULL ? g_variant_ref_sink (parameters) : NULL;
  OcdConnect1 *proxy;
  GTask *task;

  g_return_if_fail (OC_IS_DOCTOR (self));

  proxy = oc_client_get_proxy (self->client);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, run);
  g_task_set_task_data (task, GINT_TO_POINTER (kind), NULL);

  if (proxy == NULL)
    {
      g_task_return_error (task, oc_client_not_running_error ());
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

  if (kind == RUN_TEST)
    start_test (task);
  else if (kind == RUN_DIAGNOSE)
    start_diagnose (task);
  else
    oc_client_change (self->client, method, owned, cancellable, change_cb, task);
}

void
oc_doctor_test (OcDoctor            *self,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  run (self, RUN_TEST, NULL, NULL, cancellable, callback, user_data);
}

void
oc_doctor_diagnose (OcDoctor            *self,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  run (self, RUN_DIAGNOSE, NULL, NULL, cancellable, callback, user_data);
}

/* A change (Link, SetServerUrl, ResetErrors, RestartAgent, or a remedy the
 * daemon offers for the cause it named, such as TurnOffWifiPowerSave) with
 * its @parameters (a tuple, or NULL for none), which polkit may ask a person
 * to allow; then TEST again. */
void
oc_doctor_change (OcDoctor            *self,
                  const char          *method,
                  GVariant            *parameters,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_return_if_fail (method != NULL);

  run (self, g_str_equal (method, "Link") ? RUN_LINK : RUN_CHANGE, method, parameters, cancellable, callback,
       user_data);
}

gboolean
oc_doctor_run_finish (OcDoctor      *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

OcClient *
oc_doctor_get_client (OcDoctor *self)
{
  g_return_val_if_fail (OC_IS_DOCTOR (self), NULL);

  return self->client;
}

gboolean
oc_doctor_get_busy (OcDoctor *self)
{
  g_return_val_if_fail (OC_IS_DOCTOR (self), FALSE);

  return self->busy;
}

/* FALSE until a TEST has run. */
gboolean
oc_doctor_get_test_result (OcDoctor        *self,
                           ObicoTestResult *result)
{
  g_return_val_if_fail (OC_IS_DOCTOR (self), FALSE);

  *result = self->test_result;
  return self->tested;
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

ObicoProblem
oc_doctor_get_diagnosis_problem (OcDoctor *self)
{
  g_return_val_if_fail (OC_IS_DOCTOR (self), OBICO_PROBLEM_NONE);

  return self->diagnosis_problem;
}

GVariant *
oc_doctor_get_diagnosis_steps (OcDoctor *self)
{
  g_return_val_if_fail (OC_IS_DOCTOR (self), NULL);

  return self->diagnosis_steps;
}

/* NULL: nothing to fix (yet), or no run finished. */
const OcFix *
oc_doctor_get_next_fix (OcDoctor *self)
{
  g_return_val_if_fail (OC_IS_DOCTOR (self), NULL);

  return self->next_fix;
}

static void
oc_doctor_finalize (GObject *object)
{
  OcDoctor *self = OC_DOCTOR (object);

  g_clear_object (&self->client);
  g_clear_pointer (&self->test_detail, g_free);
  g_clear_pointer (&self->test_facts, g_variant_unref);
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
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_NEXT_FIX:
      g_value_set_pointer (value, (gpointer) self->next_fix);
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
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* the const OcFix * the last run leads to */
  properties[PROP_NEXT_FIX] =
    g_param_spec_pointer ("next-fix", NULL, NULL,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

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
oc_doctor_new (OcClient *client)
{
  OcDoctor *self;

  g_return_val_if_fail (OC_IS_CLIENT (client), NULL);

  self = g_object_new (OC_TYPE_DOCTOR, NULL);
  self->client = g_object_ref (client);

  return self;
}
