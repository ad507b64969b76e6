/* ocd-api.h — REST requests to an Obico server and what their answers mean */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "obico-enums.h"

G_BEGIN_DECLS

#define OCD_API_MAX_BODY (1024 * 1024)

typedef enum {
  OCD_API_OK,                   /* the answer the protocol promises */
  OCD_API_UNREACHABLE,          /* no HTTP answer at all */
  OCD_API_INVALID_CREDENTIALS,  /* 401: unknown, archived or deleted printer */
  OCD_API_REJECTED,             /* verify: wrong, used or expired code */
  OCD_API_UNEXPECTED,           /* an answer, but not Obico's */
} OcdApiOutcome;

/* The server's endpoints (docs: obico-protocol.md); their paths live only
 * in ocd-api.c. */
typedef enum {
  OCD_API_ENDPOINT_PRINTER,    /* GET /api/v1/octo/printer/ with "Token": the credentials */
  OCD_API_ENDPOINT_HEALTH,     /* GET /hc/ */
  OCD_API_ENDPOINT_VERIFY,     /* POST /api/v1/octo/verify/?code=: linking */
  OCD_API_ENDPOINT_WEBSOCKET,  /* GET /ws/dev/ with Upgrade: the printer's session */
} OcdApiEndpoint;

/* Why no HTTP answer came.  The nicks (ocd_api_failure_to_string) are
 * Test()'s "failure" fact on the bus. */
typedef enum {
  OCD_API_FAILURE_NONE,      /* "": an HTTP answer came */
  OCD_API_FAILURE_RESOLVE,   /* the name does not resolve */
  OCD_API_FAILURE_REFUSED,   /* nothing listens on that port */
  OCD_API_FAILURE_NETWORK,   /* no route to the host */
  OCD_API_FAILURE_TLS,       /* the secure connection failed */
  OCD_API_FAILURE_TIMEOUT,   /* no answer in time */
  OCD_API_FAILURE_CLOSED,    /* the connection ended before an answer */
  OCD_API_FAILURE_PROTOCOL,  /* an answer, but not HTTP (outcome UNEXPECTED) */
  OCD_API_FAILURE_INVALID,   /* no request could be made of the address */
} OcdApiFailure;

typedef struct {
  OcdApiOutcome outcome;
  OcdApiFailure failure;   /* NONE unless UNREACHABLE, or UNEXPECTED without HTTP */
  char     *detail;        /* one translated sentence */
  guint     http_status;   /* 0 without an answer */
  char     *content_type;
  double    elapsed_ms;
  char     *address;       /* the peer's IP:port, "" before connecting */
  char     *tls;           /* "" for http, else protocol or the verification problem */
  GTlsCertificateFlags tls_errors;
  GBytes   *body;          /* at most OCD_API_MAX_BODY */
  gboolean  truncated;
  gint64    printer_id;    /* printer and verify answers */
  char     *printer_name;
  char     *token;         /* verify answers only */
  gint      retry_after;   /* s, 429 answers */
} OcdApiReply;

void         ocd_api_reply_free (OcdApiReply *reply);

const char  *ocd_api_failure_to_string (OcdApiFailure failure);
/* The one table from a failure to the problem a person should fix first,
 * for State and Diagnose() alike (OBICO_PROBLEM_NONE for NONE). */
ObicoProblem ocd_api_failure_problem   (OcdApiFailure failure);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OcdApiReply, ocd_api_reply_free)

SoupSession *ocd_api_session_new (double timeout);

void         ocd_api_request_async  (SoupSession         *session,
                                     const char          *method,
                                     const char          *url,
                                     const char          *token,
                                     double               timeout,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
OcdApiReply *ocd_api_request_finish (GAsyncResult        *result);

/* Pure: judge a reply that came back from the given endpoint. */
void         ocd_api_classify_printer (OcdApiReply *reply);
void         ocd_api_classify_verify  (OcdApiReply *reply);
void         ocd_api_classify_health  (OcdApiReply *reply);

const char  *ocd_api_describe_tls_errors (GTlsCertificateFlags flags);

G_END_DECLS
