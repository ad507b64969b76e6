/* ocd-log.h — the daemon's log writer: redaction and a ring of recent lines */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void      ocd_log_init          (gboolean verbose);
void      ocd_log_set_debug     (gboolean enabled);
gboolean  ocd_log_get_debug     (void);
void      ocd_log_add_secret    (const char *secret);
char     *ocd_log_redact        (const char *text);
char     *ocd_log_token_hint    (const char *token);
GStrv     ocd_log_get_recent    (guint max_lines);

G_END_DECLS
