/* ocd-test.c — Test(): many callers, one request.  A person who presses
 * TEST twice, and the app and a script asking at once, all get the answer
 * of the same GET; the server sees one. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-test"

#include <glib/gi18n.h>

#include "obico-enums.h"
#include "ocd-test.h"

struct _OcdTest
{
  OcdTestHeard  heard;
  gpointer      heard_data;
  GPtrArray    *waiters;   /* GTask: NULL while no request is on its way */
  GVariant     *last;      /* (ssa{sv}) */
};

OcdTest *
ocd_test_new (OcdTestHeard heard,
              gpointer     data)
{
  OcdTest *test = g_new0 (OcdTest, 1);

  test->heard = heard;
  test->heard_data = data;
  return test;
}

void
ocd_test_free (OcdTest *test)
{
  if (test == NULL)
    return;
  /* Waiters hold the owner alive: there are none when it is freed. */
  g_warn_if_fail (test->waiters == NULL);
  g_clear_pointer (&test->waiters, g_ptr_array_unref);
  g_clear_pointer (&test->last, g_variant_unref);
  g_free (test);
}

GVariant *
ocd_test_get_last (OcdTest *test)
{
  return test->last;
}

static ObicoTestResult
result_of (OcdApiOutcome outcome)
{
  switch (outcome)
    {
    case OCD_API_OK: return OBICO_TEST_RESULT_SUCCEEDED;
    case OCD_API_UNREACHABLE: return OBICO_TEST_RESULT_FAILED_TO_CONTACT;
    case OCD_API_INVALID_CREDENTIALS: return OBICO_TEST_RESULT_INVALID_CREDENTIALS;
    case OCD_API_REJECTED:
    case OCD_API_UNEXPECTED:
    case OCD_API_SERVER_ERROR:   /* as the guide's TEST; Problem says server-error */
    default: return OBICO_TEST_RESULT_UNEXPECTED_RESPONSE;
    }
}

GVariant *
ocd_test_answer (const OcdApiReply *reply)
{
  GVariantDict facts;

  g_variant_dict_init (&facts, NULL);
  g_variant_dict_insert (&facts, "http_status", "i", (gint32) reply->http_status);
  g_variant_dict_insert (&facts, "elapsed_ms", "d", reply->elapsed_ms);
  g_variant_dict_insert (&facts, "address", "s", reply->address);
  g_variant_dict_insert (&facts, "tls", "s", reply->tls);
  g_variant_dict_insert (&facts, "url", "s", reply->url);
  g_variant_dict_insert (&facts, "content_type", "s", reply->content_type != NULL ? reply->content_type : "");
  g_variant_dict_insert (&facts, "failure", "s", ocd_api_failure_to_string (reply->failure));
  g_variant_dict_insert (&facts, "problem", "s", obico_problem_to_string (ocd_api_reply_problem (reply)));
  if (reply->outcome == OCD_API_OK)
    {
      g_variant_dict_insert (&facts, "printer_id", "x", reply->printer_id);
      g_variant_dict_insert (&facts, "printer_name", "s", reply->printer_name);
    }
  return g_variant_new ("(ss@a{sv})", obico_test_result_to_string (result_of (reply->outcome)),
                        reply->detail, g_variant_dict_end (&facts));
}

static GVariant *
not_linked_answer (void)
{
  GVariantDict facts;

  g_variant_dict_init (&facts, NULL);
  g_variant_dict_insert (&facts, "http_status", "i", 0);
  g_variant_dict_insert (&facts, "elapsed_ms", "d", 0.0);
  return g_variant_new ("(ss@a{sv})", obico_test_result_to_string (OBICO_TEST_RESULT_NOT_LINKED),
                        _("No printer is linked: link this printer with the 6-digit code shown "
                          "in the Obico app."),
                        g_variant_dict_end (&facts));
}

static void
answer_all (OcdTest *test, GVariant *answer)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&test->waiters);

  g_clear_pointer (&test->last, g_variant_unref);
  test->last = g_variant_ref_sink (answer);
  for (guint i = 0; i < waiters->len; i++)
    g_task_return_pointer (g_ptr_array_index (waiters, i), g_variant_ref (test->last),
                           (GDestroyNotify) g_variant_unref);
}

static void
on_answered (GObject *source, GAsyncResult *result, gpointer data)
{
  OcdTest *test = data;
  g_autoptr(OcdApiReply) reply = ocd_api_finish (result);
  GVariant *answer = ocd_test_answer (reply);
  const char *name;

  g_variant_get_child (answer, 0, "&s", &name);
  g_message ("Test: %s (%s)", name, reply->detail);
  test->heard (reply, test->heard_data);
  answer_all (test, answer);
}

void
ocd_test_run (OcdTest     *test,
              GTask       *task,
              SoupSession *soup,
              const char  *server_url,
              const char  *token,
              double       timeout)
{
  gboolean in_flight = test->waiters != NULL;

  if (!in_flight)
    test->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (test->waiters, g_object_ref (task));
  if (in_flight)
    return;   /* answered with the request already on its way */

  if (token == NULL)
    {
      answer_all (test, not_linked_answer ());
      return;
    }
  ocd_api_printer_async (soup, server_url, token, timeout, NULL, on_answered, test);
}
