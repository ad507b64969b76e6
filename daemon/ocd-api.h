/* ocd-api.h — the Obico server's endpoints, each one call that returns an
 * already judged reply (docs/obico-protocol.md) */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "obico-enums.h"

G_BEGIN_DECLS

#define OCD_API_MAX_BODY (1024 * 1024)

/* The server's endpoints; their paths live only in ocd-api.c. */
typedef enum {
  OCD_API_ENDPOINT_PRINTER,    /* GET /api/v1/octo/printer/ with "Token": the credentials
                                * (without: does an Obico server answer there?) */
  OCD_API_ENDPOINT_HEALTH,     /* GET /hc/ */
  OCD_API_ENDPOINT_VERIFY,     /* POST /api/v1/octo/verify/?code=: linking */
  OCD_API_ENDPOINT_WEBSOCKET,  /* GET /ws/dev/ with Upgrade, with or without "bearer" */
} OcdApiEndpoint;

typedef enum {
  OCD_API_OK,                   /* the answer the protocol promises */
  OCD_API_UNREACHABLE,          /* no HTTP answer at all */
  OCD_API_INVALID_CREDENTIALS,  /* 401 (REST), 403 (an upgrade with credentials) */
  OCD_API_REJECTED,             /* verify: wrong, used or expired code */
  OCD_API_UNEXPECTED,           /* an answer, but not Obico's */
  OCD_API_SERVER_ERROR,         /* 5xx: the server was reached and failed */
} OcdApiOutcome;

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
  OcdApiEndpoint endpoint;
  OcdApiOutcome  outcome;
  OcdApiFailure  failure;  /* NONE unless UNREACHABLE, or UNEXPECTED without HTTP */
  char     *detail;        /* one translated sentence */
  char     *url;           /* what was asked (verify: without the code) */
  guint     http_status;   /* 0 without an answer, 101 for an accepted upgrade */
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
  /* WebSocket upgrades only */
  gboolean  anonymous;     /* asked without credentials */
  gboolean  accepted;      /* the server switched protocols (101) */
  ObicoWebSocket websocket;            /* the verdict: connected, reachable, rejected or blocked */
  SoupWebsocketConnection *connection; /* an accepted upgrade with credentials: take it */
} OcdApiReply;

void         ocd_api_reply_free (OcdApiReply *reply);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OcdApiReply, ocd_api_reply_free)

const char  *ocd_api_failure_to_string (OcdApiFailure failure);
/* The one table from a failure to the problem a person should fix first,
 * for State and Diagnose() alike (OBICO_PROBLEM_NONE for NONE). */
ObicoProblem ocd_api_failure_problem   (OcdApiFailure failure);
/* What a judged REST reply asks a person to fix first: NONE for OK, the
 * failure's problem without an answer, server-error for a 5xx,
 * not-obico-server for an answer that is not Obico's.  (/hc/'s replies are
 * not to be judged this way: they do not say whether a server is Obico's.) */
ObicoProblem ocd_api_reply_problem     (const OcdApiReply *reply);

SoupSession *ocd_api_session_new (double timeout);

/* One call per endpoint.  Each is over within @timeout seconds or when
 * @cancellable is cancelled, and finishes with ocd_api_finish().  A reply
 * that comes after @cancellable was cancelled is the caller's to drop. */
/* @token NULL: asked without credentials, which an Obico server refuses
 * with 401 and a JSON body: outcome INVALID_CREDENTIALS, and anything else
 * is judged as with credentials (a 200 is UNEXPECTED). */
void         ocd_api_printer_async   (SoupSession         *session,
                                      const char          *server_url,
                                      const char          *token,
                                      double               timeout,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
void         ocd_api_health_async    (SoupSession         *session,
                                      const char          *server_url,
                                      double               timeout,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
void         ocd_api_verify_async    (SoupSession         *session,
                                      const char          *server_url,
                                      const char          *code,
                                      double               timeout,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
/* With @token (the agent role's own session): "authorization: bearer".
 * Without (@token NULL): an anonymous upgrade that proves the path open
 * without using anyone's credentials; if a server accepts it, the socket is
 * closed at once. */
void         ocd_api_websocket_async (SoupSession         *session,
                                      const char          *server_url,
                                      const char          *token,
                                      double               timeout,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
/* Never NULL: the judged reply. */
OcdApiReply *ocd_api_finish          (GAsyncResult        *result);

/* Pure: judge a reply that came back from the given endpoint. */
void         ocd_api_classify_printer   (OcdApiReply *reply);
void         ocd_api_classify_verify    (OcdApiReply *reply);
void         ocd_api_classify_health    (OcdApiReply *reply);
void         ocd_api_classify_websocket (OcdApiReply *reply);

const char  *ocd_api_describe_tls_errors (GTlsCertificateFlags flags);
/* "TLS 1.3", …; "" for a version it does not know. */
const char  *ocd_api_format_tls_version  (GTlsProtocolVersion  version);
/* "192.0.2.1:443", "[2001:db8::1]:443" */
char        *ocd_api_format_address      (GInetAddress        *address,
                                          guint                port);

G_END_DECLS
