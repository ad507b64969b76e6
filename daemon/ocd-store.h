/* ocd-store.h — STATE_DIR/link.conf: what the daemon keeps across restarts,
 * and the transactions that change it */
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

/* One link's stored data. */
typedef struct _OcdStore OcdStore;

OcdStore           *ocd_store_new     (const char *state_dir);
void                ocd_store_free    (OcdStore *store);
const char         *ocd_store_get_dir (OcdStore *store);
/* Reads link.conf; a file that cannot be read is kept aside and the store
 * starts empty. */
void                ocd_store_open    (OcdStore *store);
const OcdStoreData *ocd_store_get     (OcdStore *store);

/* A transaction: change the copy that begin returns, then commit it.  Only
 * once it is on disk does it become the store's data; a failed commit
 * changes nothing and says why (OBICO_ERROR_STORAGE_FAILED).  @changed is
 * consumed either way. */
OcdStoreData        ocd_store_begin   (OcdStore      *store);
gboolean            ocd_store_commit  (OcdStore      *store,
                                       OcdStoreData  *changed,
                                       GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OcdStore, ocd_store_free)

G_END_DECLS
