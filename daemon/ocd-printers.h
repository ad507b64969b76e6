/* ocd-printers.h — every printer of this host: the daemon's own link
 * (printer 0, always there) and one more link for each further official
 * agent that holds a token, each an object /io/obico/Connect1/Printer/N
 * listed by the ObjectManager on /io/obico/Connect1, added and removed as
 * the agents' settings come and go.  Its properties "state", "problem" and
 * "problem-detail" (OcdStatus's types) summarize them for the root. */
#pragma once

#include <gio/gio.h>

#include "ocd-agents.h"
#include "ocd-config.h"
#include "ocd-host.h"
#include "ocd-link.h"

G_BEGIN_DECLS

#define OCD_TYPE_PRINTERS (ocd_printers_get_type ())
G_DECLARE_FINAL_TYPE (OcdPrinters, ocd_printers, OCD, PRINTERS, GObject)

/* @config (not referenced) must outlive it. */
OcdPrinters *ocd_printers_new         (OcdConfig       *config,
                                       const char      *state_dir,
                                       OcdAgents       *agents,
                                       OcdHost         *host);
/* Printer 0: the root's link. */
OcdLink     *ocd_printers_get_first   (OcdPrinters     *self);
guint        ocd_printers_get_count   (OcdPrinters     *self);
void         ocd_printers_start       (OcdPrinters     *self);
/* Exports the ObjectManager and every printer on @connection; NULL unexports. */
void         ocd_printers_export      (OcdPrinters     *self,
                                       GDBusConnection *connection);

G_END_DECLS
