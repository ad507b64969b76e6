/* ocd-test.h — Test(), the guide's TEST button: one request of the
 * printer endpoint answers every caller that asked while it was on its way,
 * and its answer is kept for reports. */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "ocd-api.h"

G_BEGIN_DECLS

typedef struct _OcdTest OcdTest;

/* Every answer of the server, before the callers get theirs. */
typedef void (*OcdTestHeard) (const OcdApiReply *reply,
                              gpointer           data);

OcdTest  *ocd_test_new      (OcdTestHeard  heard,
                             gpointer      data);
void      ocd_test_free     (OcdTest *test);

/* Answers @task with Test()'s (ssa{sv}): with the request on its way if
 * there is one, else with a new one (none without a @token: not linked).
 * While callers wait, their tasks keep @task's source object alive, which
 * must own @test. */
void      ocd_test_run      (OcdTest     *test,
                             GTask       *task,
                             SoupSession *soup,
                             const char  *server_url,
                             const char  *token,
                             double       timeout);
/* The last answer, NULL before the first. */
GVariant *ocd_test_get_last (OcdTest *test);

/* Pure: Test()'s answer to a reply of the printer endpoint. */
GVariant *ocd_test_answer   (const OcdApiReply *reply);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OcdTest, ocd_test_free)

G_END_DECLS
