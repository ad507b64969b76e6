/* ocd-store.h — STATE_DIR/link.conf: what the daemon keeps across restarts */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char    *server_url;    /* NULL: the configured default */
  char    *token;         /* NULL: no credentials of our own */
  gint64   printer_id;    /* -1: unknown */
  char    *printer_name;
  gboolean debug_logging;
} OcdStoreData;

void          ocd_store_data_clear (OcdStoreData *data);
gboolean      ocd_store_token_valid (const char *token);
gboolean      ocd_store_parse      (const char    *contents,
                                    gsize          length,
                                    OcdStoreData  *data,
                                    GError       **error);
char         *ocd_store_serialize  (const OcdStoreData *data);
gboolean      ocd_store_load       (const char    *state_dir,
                                    OcdStoreData  *data,
                                    char         **aside_path);
gboolean      ocd_store_save       (const char          *state_dir,
                                    const OcdStoreData  *data,
                                    GError             **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OcdStoreData, ocd_store_data_clear)

G_END_DECLS
