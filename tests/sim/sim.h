/* obico-sim's private header: the server's state and what its parts share.
 *
 * obico-sim.c      main(), the options, and small JSON and time helpers
 * sim-state.c      printers, codes and the state file
 * sim-reply.c      answers: a Reply decided at once and applied now or later
 * sim-obico.c      the Obico endpoints (/hc/, the printer API, verify, the upgrade)
 * sim-websocket.c  WebSocket sessions and the record of their frames
 * sim-status.c     a printer's cached status: whether the app shows it online
 * sim-control.c    the control API under /_sim/
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#define G_LOG_DOMAIN "obico-sim"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#define DEFAULT_SLOW_LATENCY_MS 2000

typedef enum {
  SCENARIO_HEALTHY,
  SCENARIO_DOWN,
  SCENARIO_SLOW,
  SCENARIO_FLAKY,
  SCENARIO_INVALID_TOKEN,
  SCENARIO_ARCHIVED,
  SCENARIO_DELETED,
  SCENARIO_WS_BLOCKED,
  SCENARIO_NOT_OBICO,
  SCENARIO_PRINTER_NO_ID,
  SCENARIO_CAPTIVE_PORTAL,
  SCENARIO_HC_500,
  SCENARIO_SERVER_ERROR,
  SCENARIO_THROTTLED,
  SCENARIO_WS_OPEN,
  SCENARIO_MAINTENANCE,
  SCENARIO_HC_ODD,
  N_SCENARIOS
} Scenario;

typedef enum {
  FAIL_MIXED,
  FAIL_500,
  FAIL_RESET,
} FailMode;

typedef struct {
  gint64 id;
  char *name;
  char *token;
  GPtrArray *old_tokens;  /* tokens replaced by a re-link: still attributed in the records */
  gboolean archived;
  gboolean deleted;
  char *agent_name;
  char *agent_version;
  double last_status_t;
  JsonObject *status;         /* as the server caches it (sim-status.c); NULL: the app shows it offline */
  double status_expires_t;
  double online_since_t;
  double offline_since_t;     /* 0: never online */
  const char *offline_reason; /* static; NULL: no status yet */
} Printer;

typedef struct {
  char *code;
  gint64 printer_id;      /* 0: the code links a new printer */
  char *name;
  gint64 created;         /* wall clock, µs */
} Code;

typedef struct _Sim Sim;

typedef struct {
  Sim *sim;
  SoupWebsocketConnection *conn;
  gint64 printer_id;
  JsonObject *record;     /* its entry in Sim.ws_connections */
  guint ping_id;
  guint pong_deadline_id;
  gint64 pings;
  gint64 pongs;
} WsClient;

struct _Sim {
  GMainLoop *loop;
  SoupServer *server;
  const char *scheme;
  guint port;
  char *state_file;
  guint ping_interval;
  guint pong_timeout;
  guint status_ttl;            /* seconds a status with _ts stays cached */

  Scenario scenario;
  guint latency_ms;
  guint fail_percent;
  FailMode fail_mode;
  guint fail_acc;
  guint fail_count;
  guint ws_status;
  guint status;                /* server-error, maintenance: the 5xx to answer */
  gint64 scenario_printer_id;  /* 0: every printer */
  gint64 clock_skew;           /* s added to the Date of every Obico answer */

  GPtrArray *printers;
  GPtrArray *codes;
  GPtrArray *clients;          /* WsClient: open sockets */
  JsonArray *requests;
  JsonArray *ws_messages;
  JsonArray *ws_connections;
};

typedef enum {
  ACTION_RESPOND,
  ACTION_RESET,
  ACTION_WS_ACCEPT,
} Action;

/* What to answer to one (non-control) request, decided when it arrives. */
typedef struct {
  Action action;
  guint status;
  const char *content_type;
  char *body;
  char *location;
  gboolean www_authenticate;
  gboolean retry_after;
  gint64 printer_id;
} Reply;

typedef struct {
  SoupServerMessage *msg;
  Reply reply;
} Pending;

/* obico-sim.c */
double        now_seconds            (void);
char         *object_to_text         (JsonObject *obj);
const char   *get_string             (JsonObject *o, const char *name);
JsonObject   *get_object             (JsonObject *o, const char *name);
JsonArray    *get_array              (JsonObject *o, const char *name);

/* sim-state.c */
void          printer_free           (Printer *p);
void          code_free              (Code *c);
char         *make_token             (void);
Printer      *printer_by_id          (Sim *self, gint64 id);
Printer      *printer_by_any_token   (Sim *self, const char *token);
Printer      *printer_for_live_token (Sim *self, const char *token);
gboolean      printer_is_deleted     (Sim *self, Printer *p);
Printer      *printer_add            (Sim *self, const char *name);
JsonObject   *printer_to_json        (Sim *self, Printer *p);
Code         *code_add               (Sim *self, const char *name, gint64 printer_id);
void          state_save             (Sim *self);
gboolean      state_load             (Sim *self, GError **error);

/* sim-reply.c */
void          reply_text             (Reply *r, guint status, const char *content_type, const char *body);
void          reply_object           (Reply *r, guint status, JsonObject *obj);
void          reply_detail           (Reply *r, guint status, const char *detail);
void          reply_apply            (SoupServerMessage *msg, Reply *r);
void          reply_clear            (Reply *r);
gboolean      pending_done_cb        (gpointer data);
void          pending_free           (gpointer data);
void          respond_object         (SoupServerMessage *msg, guint status, JsonObject *obj);
void          respond_array          (SoupServerMessage *msg, JsonArray *array);
void          respond_error          (SoupServerMessage *msg, guint status, const char *error);

/* sim-reply.c: the Date header of an Obico answer, with the clock skew */
void          reply_date             (Sim *self, SoupServerMessage *msg);

/* sim-obico.c */
void          obico_handler          (SoupServer *server, SoupServerMessage *msg, const char *path,
                                      GHashTable *query, gpointer user_data);

/* sim-websocket.c */
void          websocket_handler      (SoupServer *server, SoupServerMessage *msg, const char *path,
                                      SoupWebsocketConnection *conn, gpointer user_data);
void          ws_client_free         (WsClient *c);
void          ws_client_close        (WsClient *c, gushort code, const char *reason);
void          ws_client_drop         (WsClient *c, const char *why);

/* sim-status.c */
void          status_message         (Sim *self, Printer *p, JsonObject *status, gboolean has_ts);
void          status_socket_closed   (Sim *self, gint64 printer_id);
void          status_to_json         (Sim *self, Printer *p, JsonObject *o);

/* sim-control.c */
gboolean      parse_scenario         (const char *name, Scenario *out);
void          control_handler        (SoupServer *server, SoupServerMessage *msg, const char *path,
                                      GHashTable *query, gpointer user_data);
