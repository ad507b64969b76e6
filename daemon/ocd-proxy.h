/* ocd-proxy.h — the proxy this host reaches the server through, as the
 * official agents find it: [server] proxy of the configuration, else the
 * service's environment (https_proxy, http_proxy, all_proxy, either case),
 * with no_proxy's exceptions; and the CONNECT tunnel Diagnose() opens
 * through it. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The proxies configured, NULL when none is: set it as the SoupSession's
 * "proxy-resolver", so REST and the WebSocket go through it. */
GProxyResolver *ocd_proxy_resolver_new    (const char *configured);

/* The proxy URI @resolver gives for @url (with any credentials), NULL for
 * a direct connection (no resolver, no_proxy, direct://). */
char           *ocd_proxy_for_url         (GProxyResolver *resolver,
                                           const char     *url);

/* @proxy_uri as it may be shown: without user name and password. */
char           *ocd_proxy_shown           (const char *proxy_uri);

/* Opens a tunnel to @host:@port through the HTTP proxy @stream is connected
 * to (CONNECT, with the proxy's credentials of @proxy_uri if it has any).
 * On failure, @error's message is a sentence fragment a person can act on
 * (what the proxy answered). */
void            ocd_proxy_connect_async   (GIOStream           *stream,
                                           const char          *proxy_uri,
                                           const char          *host,
                                           int                  port,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
/* The proxy's HTTP status (200 on success, 0 when it sent no HTTP answer). */
guint           ocd_proxy_connect_finish  (GAsyncResult  *result,
                                           GError       **error);

G_END_DECLS
