/* ocd-role.h — who holds the printer's credentials, and so what the link
 * does (pure): its own (agent role), an official agent's (watch role), or
 * none (unlinked). */
#pragma once

#include <glib.h>

#include "obico-enums.h"
#include "ocd-agents.h"
#include "ocd-store.h"

G_BEGIN_DECLS

typedef struct {
  const OcdStoreData *stored;              /* link.conf */
  const char         *default_server_url;  /* the configuration's */
  GPtrArray          *agents;              /* OcdAgent: the official agents found, or NULL */
  const OcdAgent     *watched;             /* the one a watch role would watch, or NULL */
} OcdRoleInputs;

/* Borrowed from the inputs. */
typedef struct {
  ObicoRole       role;
  const char     *server_url;
  const char     *credential_source;  /* "daemon", the agent's settings file, or "" */
  gint64          printer_id;         /* -1: unknown */
  const char     *printer_name;
  const OcdAgent *agent;              /* the watch role's agent, else NULL */
  gboolean        shared;             /* link.conf's token is an official agent's too */
} OcdRole;

void ocd_role_choose (const OcdRoleInputs *in,
                      OcdRole             *out);

G_END_DECLS
