/* ocd-report.h — GetReport(): everything a support request needs, in one
 * a{sv}, from what the link holds (pure: the link gathers, this writes). */
#pragma once

#include <glib.h>

#include "obico-enums.h"
#include "ocd-config.h"
#include "ocd-stats.h"

G_BEGIN_DECLS

typedef struct {
  ObicoState           state;
  ObicoProblem         problem;
  const char          *problem_detail;
  ObicoRole            role;
  const char          *credential_source;
  const char          *server_url;        /* the one in use */
  const char          *token;             /* the one in use, NULL none: only its end is written */
  OcdStats            *stats;
  GVariant            *last_test;         /* (ssa{sv}), NULL: no Test() yet */
  GVariant            *last_diagnose;     /* (sasaa{sv}), NULL: no Diagnose() yet */
  GVariant            *agents;            /* aa{sv} */
  const char * const  *agent_log;         /* the official agent's recent lines, NULL none */
  GVariant            *host;              /* a{sv}, the host's context; NULL: none */
  GVariant            *host_history;      /* aa{sv}, its last 24 h; NULL: none */
  /* the configuration */
  const OcdConfig     *config;
  const char          *state_dir;
  gboolean             debug_logging;
} OcdReportInputs;

/* A floating a{sv}. */
GVariant *ocd_report_build (const OcdReportInputs *in,
                            gint64                 now);

G_END_DECLS
