/* ocd-agent-unit.h — whether the official agent runs: its systemd unit,
 * read and followed over D-Bus (org.freedesktop.systemd1 on the bus the
 * daemon runs on), else its process (a scan of /proc).  It never touches
 * the agent; RestartAgent's restart of that one unit is the only call that
 * changes anything, and the service authorizes it first. */
#pragma once

#include <gio/gio.h>

#include "ocd-agent-settings.h"

G_BEGIN_DECLS

typedef struct _OcdAgentUnit OcdAgentUnit;

/* Called whenever what is known of the agent's service changes. */
typedef void (*OcdAgentUnitFunc) (OcdAgentUnit *unit,
                                  gpointer      data);

/* @service: the unit the agent search found for these settings, or NULL;
 * @uid: the agent's user (-1: anyone's); @scan_seconds: the process scan's
 * least interval (the heartbeat). */
OcdAgentUnit *ocd_agent_unit_new            (GBusType          bus_type,
                                             OcdAgentKind      kind,
                                             const char       *settings,
                                             const char       *service,
                                             gint64            uid,
                                             double            scan_seconds,
                                             OcdAgentUnitFunc  func,
                                             gpointer          data);
void          ocd_agent_unit_free           (OcdAgentUnit     *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OcdAgentUnit, ocd_agent_unit_free)

/* The unit's name, NULL when none is known. */
const char   *ocd_agent_unit_get_unit       (OcdAgentUnit     *self);
/* Its ActiveState; "absent" when systemd knows no unit of the agent; NULL
 * without systemd. */
const char   *ocd_agent_unit_get_active_state (OcdAgentUnit   *self);
/* Whether the agent runs, by its unit, else by its process; @known FALSE
 * while neither was looked at. */
gboolean      ocd_agent_unit_is_running     (OcdAgentUnit     *self,
                                             gboolean         *known);
/* The version its installed files tell, or NULL. */
const char   *ocd_agent_unit_get_version    (OcdAgentUnit     *self);
/* Something changed that the process may explain (its connection went):
 * scans /proc again, at most once per scan interval. */
void          ocd_agent_unit_rescan         (OcdAgentUnit     *self);

/* systemd's RestartUnit of the agent's unit.  G_IO_ERROR_NOT_SUPPORTED
 * when no unit is known, else systemd's error. */
void          ocd_agent_unit_restart_async  (OcdAgentUnit        *self,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      ocd_agent_unit_restart_finish (GAsyncResult        *result,
                                             GError             **error);

/* Pure: the units an agent's installer names for these settings, most
 * likely first (@service, then octoprint.service or moonraker-obico.service
 * and KIAUH's moonraker-obico-NAME.service). */
GStrv         ocd_agent_unit_candidates     (OcdAgentKind      kind,
                                             const char       *settings,
                                             const char       *service);
/* Pure: whether a process with these arguments is the agent of @settings. */
gboolean      ocd_agent_unit_argv_matches   (OcdAgentKind        kind,
                                             const char         *settings,
                                             const char * const *argv);
/* Pure: whether a unit in @active_state and @sub_state (NULL: unknown) runs. */
gboolean      ocd_agent_unit_state_runs     (const char       *active_state,
                                             const char       *sub_state);

G_END_DECLS
