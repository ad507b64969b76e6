/* ocd-agent-settings.h — what an official agent's settings file says:
 * OctoPrint's config.yaml (OctoPrint-Obico) and moonraker-obico's .cfg. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Nicks: the "kind" of GetReport's agents. */
typedef enum {
  OCD_AGENT_OCTOPRINT,
  OCD_AGENT_MOONRAKER,
} OcdAgentKind;

GType ocd_agent_kind_get_type (void) G_GNUC_CONST;
#define OCD_TYPE_AGENT_KIND (ocd_agent_kind_get_type ())

typedef struct {
  OcdAgentKind  kind;
  char         *path;
  char         *server_url;  /* normalized; the agent's default when unset */
  char         *token;       /* NULL when the agent holds none */
  char         *error;       /* one translated sentence, NULL when usable */
  char         *log_path;    /* where the agent logs, NULL when unknown */
  gboolean      installed;   /* the agent is there, even when unusable: FALSE
                              * for a missing file or an OctoPrint without
                              * the Obico plugin */
} OcdAgent;

void              ocd_agent_free               (OcdAgent *agent);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OcdAgent, ocd_agent_free)

/* Pure: what the contents of a settings file say.  Never NULL. */
OcdAgent         *ocd_agent_parse              (OcdAgentKind  kind,
                                                const char   *path,
                                                const char   *data,
                                                gsize         length);
/* Reads at most 1 MiB of a regular file, never blocking on a FIFO.  Never
 * NULL: a file that cannot be read gives an agent with an error. */
OcdAgent         *ocd_agent_load               (OcdAgentKind  kind,
                                                const char   *path);
/* The contents of a regular file of at most @max bytes, NUL-terminated,
 * read without blocking on a FIFO.  NULL with errno set when it cannot be
 * read; besides open()'s and read()'s: EISDIR a directory, EINVAL not a
 * regular file, EFBIG larger than @max, EOVERFLOW grew past @max while read. */
char             *ocd_agent_read_file          (const char   *path,
                                                gsize         max,
                                                gsize        *length);
OcdAgentKind      ocd_agent_kind_for_path      (const char   *path);
const char       *ocd_agent_kind_name          (OcdAgentKind  kind);
gboolean          ocd_agent_equal              (const OcdAgent *a,
                                                const OcdAgent *b);

G_END_DECLS
