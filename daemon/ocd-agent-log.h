/* ocd-agent-log.h — an official agent's log: what its lines say about the
 * agent's link, and following the log as the agent writes and rotates it. */
#pragma once

#include <gio/gio.h>

#include "ocd-agent-settings.h"

G_BEGIN_DECLS

/* What a line of an agent's log says about its link. */
typedef enum {
  OCD_AGENT_LOG_NONE,
  OCD_AGENT_LOG_SHARED_CREDENTIALS,  /* the server closed it with 4321 */
  OCD_AGENT_LOG_HANDSHAKE,           /* its WebSocket upgrade failed */
  OCD_AGENT_LOG_CONNECTION,          /* it could not reach the server */
} OcdAgentLogEvent;

GType ocd_agent_log_event_get_type (void) G_GNUC_CONST;
#define OCD_TYPE_AGENT_LOG_EVENT (ocd_agent_log_event_get_type ())

/* Pure. */
OcdAgentLogEvent  ocd_agent_classify_log_line  (OcdAgentKind  kind,
                                                const char   *line);

/* Pure: whether @line is the agent's own record of its start. */
gboolean          ocd_agent_log_line_is_start  (OcdAgentKind  kind,
                                                const char   *line);

/* @line: valid UTF-8, token redacted, shortened */
typedef void (*OcdAgentLogFunc) (OcdAgentLogEvent  event,
                                 const char       *line,
                                 gpointer          user_data);

typedef struct _OcdAgentLog OcdAgentLog;

/* Follows @path from the agent's last start logged in its last 256 KiB
 * (from there only a 4321 is told: it still holds), then as it grows;
 * every line that says something about the link (at most 20 per read)
 * goes to @func. */
OcdAgentLog      *ocd_agent_log_new            (OcdAgentKind     kind,
                                                const char      *path,
                                                OcdAgentLogFunc  func,
                                                gpointer         user_data);
const char       *ocd_agent_log_get_path       (OcdAgentLog     *log);
void              ocd_agent_log_free           (OcdAgentLog     *log);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OcdAgentLog, ocd_agent_log_free)

/* The agent's own recent lines in its log at @path, newest last, at most
 * @max_lines from its last 64 KiB (in an OctoPrint log only the Obico
 * plugin's records): valid UTF-8, credentials redacted (ocd_log_redact()),
 * shortened.  Empty when the file cannot be read. */
GStrv             ocd_agent_log_tail           (OcdAgentKind     kind,
                                                const char      *path,
                                                guint            max_lines);

/* Whether a directory monitor's event is about the file named @basename. */
gboolean          ocd_agent_event_is_about     (GFile           *file,
                                                GFile           *other,
                                                const char      *basename);

G_END_DECLS
