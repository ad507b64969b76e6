/* obico-url.h — server addresses: validation and derived URLs (pure) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define OBICO_URL_MAX_LENGTH 2048
#define OBICO_DEFAULT_SERVER_URL "https://app.obico.io"

char *obico_url_normalize  (const char *url, GError **error);
char *obico_url_join       (const char *base, const char *path);
char *obico_url_websocket  (const char *base);
char *obico_url_host       (const char *base, int *port, gboolean *tls);

G_END_DECLS
