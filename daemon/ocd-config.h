/* ocd-config.h — /etc/obico-connect/obico-connect.conf */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char    *path;                 /* the file it was read from, NULL: defaults only */
  gboolean loaded;               /* the file was there and could be read */
  char   **agent_settings;       /* the command line's official-agent settings files,
                                  * followed instead of searching; NULL: search */
  char    *server_url;           /* default server when none is stored */
  char    *proxy;                /* [server] proxy, NULL: none configured */
  double   timeout;              /* s, every HTTP request and handshake */
  double   heartbeat_interval;   /* s, agent role status messages */
  double   dead_peer_timeout;    /* s, nothing heard → link lost */
  double   window_hours;         /* error report window */
  double   unreliable_minutes;   /* the recent window State reads */
  guint    max_events;           /* events kept for the report chart */
  double   hc_interval;          /* s, watch role /hc/ checks */
  double   credentials_interval; /* s, watch role credential checks */
  double   websocket_interval;   /* s, watch role anonymous upgrade checks */
  char   **settings_files;       /* extra official-agent settings files */
  char   **search_roots;         /* systems searched for official agents */
  gboolean session_bus;          /* --session: systemd and the other services are asked there */
} OcdConfig;

OcdConfig *ocd_config_new_defaults (void);
OcdConfig *ocd_config_load         (const char *path);
void       ocd_config_free         (OcdConfig *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OcdConfig, ocd_config_free)

G_END_DECLS
