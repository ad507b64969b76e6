/* ocd-probe-step.h — Diagnose()'s shared state and the steps it adds up, for
 * ocd-probe.c (TLS, HTTP, WebSocket), ocd-probe-host.c (the host step) and
 * ocd-probe-route.c (the resolver, IPv4 and IPv6, a proxy); only these
 * include it. */
#pragma once

#include "ocd-deadline.h"
#include "ocd-host.h"
#include "ocd-probe.h"
#include "obico-enums.h"

G_BEGIN_DECLS

typedef struct _OcdProbeRoute OcdProbeRoute;

/* What comes after a step that runs asynchronously. */
typedef void (*OcdProbeNext) (GTask *task);

typedef struct {
  SoupSession        *soup;
  OcdHost            *host_context;  /* NULL: none to read or tell */
  char               *server_url;
  char               *token;
  double              timeout;
  char               *host;
  int                 port;
  gboolean            use_tls;
  GVariantBuilder     steps;

  /* The proxy the server is reached through (with its credentials, never
   * shown), and how it is shown; NULL: direct. */
  char               *proxy_uri;
  char               *proxy_shown;

  const char         *tls_note;      /* the TLS step is not checked here, and why */
  GIOStream          *stream;        /* the connect step's connection, for the TLS step */
  GTlsCertificate    *peer_cert;
  GTlsCertificateFlags peer_errors;

  /* What the route found that names a problem if nothing later fails. */
  ObicoProblem        route_problem;

  OcdProbeRoute      *route;

  /* The current step's time limit: a timeout ends just this step. */
  OcdDeadline        *step;
} Probe;

GCancellable *ocd_probe_step_begin   (Probe *probe, GTask *task);
void          ocd_probe_step_end     (Probe *probe);
void          ocd_probe_open_step    (Probe *probe, const char *name, gboolean ok, double elapsed_ms,
                                      const char *detail);
void          ocd_probe_step_key     (Probe *probe, const char *key, GVariant *value);
void          ocd_probe_close_step   (Probe *probe);
void          ocd_probe_add_step     (Probe *probe, const char *name, gboolean ok, double elapsed_ms,
                                      const char *detail);
/* Take the task's last reference.  @fixes: NULL for the problem's own. */
void          ocd_probe_finish_with  (GTask *task, ObicoProblem problem, const char * const *fixes);
void          ocd_probe_finish       (GTask *task, ObicoProblem problem);
/* TRUE (and the task is done) when the caller cancelled. */
gboolean      ocd_probe_return_if_cancelled (GTask *task);
/* Closes probe->stream (asynchronously) and drops it. */
void          ocd_probe_close_stream (Probe *probe);

G_END_DECLS
