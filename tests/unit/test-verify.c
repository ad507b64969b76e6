/* test-verify.c — Link()'s rules: the code's form, what a verify answer
 * means, and Test()'s answer to a printer reply */
#include "config.h"

#include "obico-error.h"
#include "ocd-test.h"
#include "ocd-verify.h"

static void
test_code (void)
{
  const struct {
    const char *given;
    const char *sent;   /* NULL: refused */
  } cases[] = {
    { "123456", "123456" },
    { "  004711\n", "004711" },
    { "\t999999 ", "999999" },
    { "", NULL },
    { NULL, NULL },
    { "12345", NULL },
    { "1234567", NULL },
    { "12 345", NULL },
    { "12a456", NULL },
    { "١٢٣٤٥٦", NULL },   /* digits, but not ASCII */
    { "123456\x01", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *sent = ocd_verify_check_code (cases[i].given, &error);

      g_test_message ("%s", cases[i].given != NULL ? cases[i].given : "(null)");
      g_assert_cmpstr (sent, ==, cases[i].sent);
      if (cases[i].sent == NULL)
        g_assert_error (error, OBICO_ERROR, OBICO_ERROR_INVALID_ARGUMENT);
      else
        g_assert_no_error (error);
    }
}

static void
test_judge (void)
{
  const struct {
    OcdApiOutcome  outcome;
    const char    *token;
    int            error;   /* -1: none */
  } cases[] = {
    { OCD_API_OK, "0123456789abcdef0123", -1 },
    { OCD_API_OK, NULL, OBICO_ERROR_SERVER_UNREACHABLE },
    { OCD_API_OK, "has space", OBICO_ERROR_SERVER_UNREACHABLE },
    { OCD_API_REJECTED, NULL, OBICO_ERROR_CODE_REJECTED },
    { OCD_API_UNREACHABLE, NULL, OBICO_ERROR_SERVER_UNREACHABLE },
    { OCD_API_UNEXPECTED, "0123456789abcdef0123", OBICO_ERROR_SERVER_UNREACHABLE },
    { OCD_API_INVALID_CREDENTIALS, NULL, OBICO_ERROR_SERVER_UNREACHABLE },
    { OCD_API_SERVER_ERROR, NULL, OBICO_ERROR_SERVER_UNREACHABLE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      OcdApiReply reply = {
        .outcome = cases[i].outcome,
        .detail = (char *) "What the server said.",
        .token = (char *) cases[i].token,
      };
      g_autoptr(GError) error = NULL;
      gboolean kept = ocd_verify_judge (&reply, &error);

      g_test_message ("case %u", i);
      g_assert_cmpint (kept, ==, cases[i].error == -1);
      if (cases[i].error == -1)
        g_assert_no_error (error);
      else
        g_assert_error (error, OBICO_ERROR, cases[i].error);
    }
}

static void
test_answer (void)
{
  const struct {
    OcdApiOutcome  outcome;
    const char    *result;
    const char    *problem;
  } cases[] = {
    { OCD_API_OK, "succeeded", "" },
    { OCD_API_UNREACHABLE, "failed-to-contact", "internet" },
    { OCD_API_INVALID_CREDENTIALS, "invalid-credentials", "invalid-credentials" },
    { OCD_API_UNEXPECTED, "unexpected-response", "not-obico-server" },
    { OCD_API_REJECTED, "unexpected-response", "not-obico-server" },
    /* a 5xx: the guide's TEST says unexpected response; the problem is server-error */
    { OCD_API_SERVER_ERROR, "unexpected-response", "server-error" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      OcdApiReply reply = {
        .outcome = cases[i].outcome,
        .failure = cases[i].outcome == OCD_API_UNREACHABLE ? OCD_API_FAILURE_TIMEOUT
                                                           : OCD_API_FAILURE_NONE,
        .detail = (char *) "What happened.",
        .url = (char *) "https://obico.example/api/v1/octo/printer/",
        .http_status = cases[i].outcome == OCD_API_UNREACHABLE ? 0 : 200,
        .address = (char *) "192.0.2.1:443",
        .tls = (char *) "TLS 1.3",
        .printer_id = 7,
        .printer_name = (char *) "Voron",
      };
      g_autoptr(GVariant) answer = g_variant_ref_sink (ocd_test_answer (&reply));
      g_autoptr(GVariant) facts = NULL;
      const char *result, *detail, *failure;
      gint32 status;

      g_assert_cmpstr (g_variant_get_type_string (answer), ==, "(ssa{sv})");
      g_variant_get (answer, "(&s&s@a{sv})", &result, &detail, &facts);
      g_assert_cmpstr (result, ==, cases[i].result);
      g_assert_cmpstr (detail, ==, "What happened.");
      g_assert_true (g_variant_lookup (facts, "http_status", "i", &status));
      g_assert_cmpint (status, ==, reply.http_status);
      g_assert_true (g_variant_lookup (facts, "failure", "&s", &failure));
      g_assert_cmpstr (failure, ==, cases[i].outcome == OCD_API_UNREACHABLE ? "timeout" : "");
      /* what this answer shows, in Problem's words, with the reply (Problem may follow later) */
      g_assert_true (g_variant_lookup (facts, "problem", "&s", &failure));
      g_assert_cmpstr (failure, ==, cases[i].problem);
      /* The printer only when the credentials were accepted. */
      g_assert_cmpint (g_variant_lookup (facts, "printer_name", "&s", &detail), ==,
                       cases[i].outcome == OCD_API_OK);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/verify/code", test_code);
  g_test_add_func ("/verify/judge", test_judge);
  g_test_add_func ("/verify/test-answer", test_answer);
  return g_test_run ();
}
