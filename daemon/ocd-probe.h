/* ocd-probe.h — Diagnose(): the link checked layer by layer */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "ocd-host.h"

G_BEGIN_DECLS

/* Never opens an authenticated WebSocket: that would make the server close
 * the printer's own session (4321).  The WebSocket layer is checked with an
 * anonymous upgrade, whose 403 proves the path is open. */
/* @host: the host's context for the host step, and told whether IPv4 and
 * IPv6 reach the server (NULL: neither). */
void      ocd_probe_diagnose_async  (SoupSession         *soup,
                                     OcdHost             *host,
                                     const char          *server_url,
                                     const char          *token,
                                     double               timeout,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
/* Returns (s problem, as fixes, aa{sv} steps) */
GVariant *ocd_probe_diagnose_finish (GAsyncResult  *result,
                                     GError       **error);

/* Pure: whether the system clock can be right, given the verification
 * errors of a server's certificate (a Pi without a real-time clock often
 * boots in the past). */
gboolean  ocd_probe_clock_plausible (gint64               now_usec,
                                     GTlsCertificateFlags errors);

/* Pure: which resolver answers for @name as getaddrinfo() asks them, in
 * words: "/etc/hosts" when @hosts (that file's text, NULL: unreadable) names
 * it, else the name servers of @resolv_conf (/etc/resolv.conf's text):
 * "systemd-resolved (127.0.0.53)" for its stub, "A, B (/etc/resolv.conf)",
 * or that it names none. */
char *ocd_probe_describe_resolver (const char *hosts, const char *resolv_conf, const char *name);

G_END_DECLS
