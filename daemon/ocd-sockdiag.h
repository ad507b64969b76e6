/* ocd-sockdiag.h — the kernel's view of TCP connections (NETLINK_SOCK_DIAG,
 * what `ss -tin` prints): an official agent's connection to the server, read
 * without touching it and without privilege. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* One TCP connection as inet_diag shows it, with the kernel's tcp_info. */
typedef struct {
  GInetSocketAddress *local;
  GInetSocketAddress *remote;   /* an IPv4-mapped IPv6 peer is given as IPv4 */
  guint32 uid;                  /* of the socket's creator */
  guint32 inode;                /* the socket's inode: /proc/PID/fd/N links to socket:[inode] */
  guint8 state;                 /* TCP_ESTABLISHED … as the kernel numbers them */

  gboolean has_info;            /* the kernel sent tcp_info */
  gboolean has_data_segs;       /* data_segs_out is known (Linux 4.6) */
  gboolean has_bytes_sent;      /* bytes_sent is known (Linux 4.19) */
  guint32 rtt_us;               /* smoothed round-trip time */
  guint32 rttvar_us;
  guint32 total_retrans;        /* segments retransmitted over the connection's life */
  guint32 segs_out;             /* every segment sent, pure ACKs too */
  guint32 data_segs_out;        /* segments that carried data, retransmissions too */
  guint64 bytes_sent;           /* data bytes sent, retransmissions too */
  guint64 bytes_acked;          /* data bytes the peer acknowledged */
  guint64 bytes_received;
  guint32 last_data_sent_ms;    /* since data was last sent */
  guint32 last_data_recv_ms;
} OcdSockdiagConn;

void             ocd_sockdiag_conn_free (OcdSockdiagConn *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OcdSockdiagConn, ocd_sockdiag_conn_free)

/* The established TCP connections (IPv4 and IPv6) to @remote_port on one
 * of @remote_addresses (GInetAddress; NULL or empty: any address) whose
 * socket @uid created (-1: anyone's), in this process's network namespace.
 * One netlink round trip; a GPtrArray of OcdSockdiagConn, or NULL and a
 * G_IO_ERROR (e.g. PERMISSION_DENIED where a sandbox forbids netlink). */
GPtrArray       *ocd_sockdiag_query     (guint16    remote_port,
                                         GPtrArray *remote_addresses,
                                         gint64     uid,
                                         GError   **error);

/* A netlink socket (close-on-exec, non-blocking) the kernel tells of every
 * TCP socket of this network namespace it destroys (IPv4 and IPv6; no
 * privilege needed), so a connection that vanished is seen at once rather
 * than at the next query; -1 and @error when it cannot be had. */
int              ocd_sockdiag_destroy_listen (GError **error);
/* Lets the kernel drop, before it wakes anyone, every notice on @fd but
 * those of sockets connected to @remote_port: on a host where programs
 * open and close many TCP connections, the listener sleeps through them
 * (one listener per printer watched).  Best effort: FALSE when the filter
 * could not be attached; ocd_sockdiag_destroy_read() filters either way. */
gboolean         ocd_sockdiag_destroy_only_port (int      fd,
                                                 guint16  remote_port);
/* Reads what is pending on @fd: TRUE when one of the sockets destroyed was
 * connected to @remote_port and created by @uid (-1: anyone), or when
 * notices were lost (the kernel's buffer overflowed). */
gboolean         ocd_sockdiag_destroy_read   (int      fd,
                                              guint16  remote_port,
                                              gint64   uid);

/* The inodes of this process's own sockets (a set of GUINT_TO_POINTER), so
 * a caller can tell its own connections from another program's. */
GHashTable      *ocd_sockdiag_own_inodes (void);

typedef enum {
  OCD_NETNS_UNKNOWN,   /* no such process, or not ours to look at */
  OCD_NETNS_SAME,      /* its sockets are the ones ocd_sockdiag_query() sees */
  OCD_NETNS_OTHER,     /* e.g. a container's: its sockets are out of sight */
} OcdNetns;

OcdNetns         ocd_sockdiag_netns_of  (GPid pid);

G_END_DECLS
