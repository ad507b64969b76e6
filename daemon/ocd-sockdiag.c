/* ocd-sockdiag.c — the kernel's view of TCP connections (NETLINK_SOCK_DIAG).
 *
 * What `ss -tin dport = :443` does, in one synchronous netlink round trip:
 * a dump request of TCP sockets in the ESTABLISHED state, with a bytecode
 * filter on the destination port so the kernel sends only those, and
 * tcp_info for each.  Reading other users' sockets this way needs no
 * privilege (the kernel shows every socket of the network namespace, as
 * /proc/net/tcp does); it never touches the sockets themselves.
 *
 * The old TCPDIAG_GETSOCK request dumps IPv4 and IPv6 sockets at once
 * (the kernel handles it as family AF_UNSPEC); SOCK_DIAG_BY_FAMILY would
 * need one request, and one round trip, per family.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ocd-sockdiag.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>

#define RECV_BUFFER_SIZE (64 * 1024)

/* TCP_ESTABLISHED in the kernel's numbering (include/net/tcp_states.h) */
#define KERNEL_TCP_ESTABLISHED 1

/* ::ffff:0:0/96, IPv4 addresses as a dual-stack IPv6 socket holds them */
static const guint8 mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

void
ocd_sockdiag_conn_free (OcdSockdiagConn *conn)
{
  if (conn == NULL)
    return;
  g_clear_object (&conn->local);
  g_clear_object (&conn->remote);
  g_free (conn);
}

/* An address as the kernel gives it (network order, 4 or 16 bytes); an
 * IPv4-mapped IPv6 address (a dual-stack socket talking IPv4) as IPv4. */
static GInetSocketAddress *
make_address (guint8 family, const __be32 *addr, __be16 port)
{
  g_autoptr(GInetAddress) inet = NULL;
  const guint8 *bytes = (const guint8 *) addr;

  if (family == AF_INET6 && memcmp (bytes, mapped_prefix, sizeof mapped_prefix) == 0)
    inet = g_inet_address_new_from_bytes (bytes + 12, G_SOCKET_FAMILY_IPV4);
  else if (family == AF_INET6)
    inet = g_inet_address_new_from_bytes (bytes, G_SOCKET_FAMILY_IPV6);
  else
    inet = g_inet_address_new_from_bytes (bytes, G_SOCKET_FAMILY_IPV4);
  return G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (inet, g_ntohs (port)));
}

static gboolean
address_wanted (GInetSocketAddress *remote, GPtrArray *wanted)
{
  GInetAddress *addr = g_inet_socket_address_get_address (remote);

  if (wanted == NULL || wanted->len == 0)
    return TRUE;
  for (guint i = 0; i < wanted->len; i++)
    {
      GInetAddress *w = g_ptr_array_index (wanted, i);
      g_autoptr(GInetAddress) unmapped = NULL;

      /* a wanted ::ffff:a.b.c.d is a.b.c.d, as the kernel's answer is read */
      if (g_inet_address_get_family (w) == G_SOCKET_FAMILY_IPV6 &&
          memcmp (g_inet_address_to_bytes (w), mapped_prefix, sizeof mapped_prefix) == 0)
        {
          unmapped = g_inet_address_new_from_bytes (g_inet_address_to_bytes (w) + 12,
                                                    G_SOCKET_FAMILY_IPV4);
          w = unmapped;
        }
      if (g_inet_address_equal (w, addr))
        return TRUE;
    }
  return FALSE;
}

/* tcp_info as long as this kernel sends it: fields past its length are unknown. */
static void
read_tcp_info (OcdSockdiagConn *conn, const void *data, gsize len)
{
  struct tcp_info info;

  memset (&info, 0, sizeof info);
  memcpy (&info, data, MIN (len, sizeof info));
  conn->has_info = len >= offsetof (struct tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received;
  conn->has_data_segs = len >= offsetof (struct tcp_info, tcpi_data_segs_out) + sizeof info.tcpi_data_segs_out;
  conn->has_bytes_sent = len >= offsetof (struct tcp_info, tcpi_bytes_sent) + sizeof info.tcpi_bytes_sent;
  conn->rtt_us = info.tcpi_rtt;
  conn->rttvar_us = info.tcpi_rttvar;
  conn->total_retrans = info.tcpi_total_retrans;
  conn->segs_out = info.tcpi_segs_out;
  conn->data_segs_out = info.tcpi_data_segs_out;
  conn->bytes_sent = info.tcpi_bytes_sent;
  conn->bytes_acked = info.tcpi_bytes_acked;
  conn->bytes_received = info.tcpi_bytes_received;
  conn->last_data_sent_ms = info.tcpi_last_data_sent;
  conn->last_data_recv_ms = info.tcpi_last_data_recv;
}

static OcdSockdiagConn *
read_message (const struct nlmsghdr *h)
{
  const struct inet_diag_msg *msg = NLMSG_DATA (h);
  OcdSockdiagConn *conn;
  const struct rtattr *attr;
  int len;

  if (h->nlmsg_len < NLMSG_LENGTH (sizeof *msg) ||
      (msg->idiag_family != AF_INET && msg->idiag_family != AF_INET6))
    return NULL;

  conn = g_new0 (OcdSockdiagConn, 1);
  conn->local = make_address (msg->idiag_family, msg->id.idiag_src, msg->id.idiag_sport);
  conn->remote = make_address (msg->idiag_family, msg->id.idiag_dst, msg->id.idiag_dport);
  conn->uid = msg->idiag_uid;
  conn->inode = msg->idiag_inode;
  conn->state = msg->idiag_state;

  attr = (const struct rtattr *) (msg + 1);
  len = h->nlmsg_len - NLMSG_LENGTH (sizeof *msg);
  for (; RTA_OK (attr, len); attr = RTA_NEXT (attr, len))
    if (attr->rta_type == INET_DIAG_INFO)
      read_tcp_info (conn, RTA_DATA (attr), RTA_PAYLOAD (attr));
  return conn;
}

/* NLMSG_OK without comparing the header's unsigned length with the signed
 * length left (clang's -Wsign-compare); len stays signed, so NLMSG_NEXT
 * going past the end makes it negative and ends the walk. */
static inline gboolean
nlmsg_ok (const struct nlmsghdr *h, int len)
{
  return len >= (int) sizeof *h && h->nlmsg_len >= sizeof *h && h->nlmsg_len <= (guint) len;
}

static gboolean
set_errno_error (GError **error, int saved_errno, const char *what)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s: %s", what, g_strerror (saved_errno));
  return FALSE;
}

/* Sends the dump request; the bytecode keeps the sockets whose destination
 * port is @port (D_GE and D_LE, which every kernel with inet_diag knows). */
static gboolean
send_request (int fd, guint16 port, GError **error)
{
  struct {
    struct nlmsghdr nlh;
    struct inet_diag_req req;
    struct rtattr bc_attr;
    struct inet_diag_bc_op bc[4];
  } request;
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  ssize_t sent;

  G_STATIC_ASSERT (sizeof request == NLMSG_LENGTH (sizeof (struct inet_diag_req)) +
                                     RTA_LENGTH (4 * sizeof (struct inet_diag_bc_op)));

  memset (&request, 0, sizeof request);
  request.nlh.nlmsg_len = sizeof request;
  request.nlh.nlmsg_type = TCPDIAG_GETSOCK;
  request.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.nlh.nlmsg_seq = 1;
  request.req.idiag_family = AF_INET;   /* read as "any family" for this request type */
  request.req.idiag_states = 1u << KERNEL_TCP_ESTABLISHED;
  request.req.idiag_ext = 1u << (INET_DIAG_INFO - 1);
  request.bc_attr.rta_type = INET_DIAG_REQ_BYTECODE;
  request.bc_attr.rta_len = RTA_LENGTH (sizeof request.bc);
  /* yes: to the next test (or the end: a match); no: past the end (no match) */
  request.bc[0] = (struct inet_diag_bc_op) { INET_DIAG_BC_D_GE, 8, sizeof request.bc + 4 };
  request.bc[1] = (struct inet_diag_bc_op) { 0, 0, port };
  request.bc[2] = (struct inet_diag_bc_op) { INET_DIAG_BC_D_LE, 8, sizeof request.bc - 8 + 4 };
  request.bc[3] = (struct inet_diag_bc_op) { 0, 0, port };

  do
    sent = sendto (fd, &request, sizeof request, 0, (struct sockaddr *) &kernel, sizeof kernel);
  while (sent < 0 && errno == EINTR);
  if (sent < 0)
    return set_errno_error (error, errno, "Could not ask the kernel for TCP connections");
  return TRUE;
}

/* Reads the dump until NLMSG_DONE; keeps what the filter wants. */
static gboolean
read_answer (int fd, GPtrArray *out, GPtrArray *remote_addresses, gint64 uid, GError **error)
{
  g_autofree guint8 *buffer = g_malloc (RECV_BUFFER_SIZE);

  for (;;)
    {
      struct iovec iov = { buffer, RECV_BUFFER_SIZE };
      struct sockaddr_nl from;
      struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1 };
      ssize_t n;
      int len;

      do
        n = recvmsg (fd, &mh, 0);
      while (n < 0 && errno == EINTR);
      if (n < 0)
        return set_errno_error (error, errno, "Could not read the kernel's TCP connections");
      if (mh.msg_flags & MSG_TRUNC)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                               "The kernel's list of TCP connections came truncated");
          return FALSE;
        }
      if (n == 0 || from.nl_pid != 0)
        continue;

      len = n;
      for (const struct nlmsghdr *h = (const struct nlmsghdr *) buffer; nlmsg_ok (h, len); h = NLMSG_NEXT (h, len))
        {
          g_autoptr(OcdSockdiagConn) conn = NULL;

          if (h->nlmsg_seq != 1)
            continue;
          if (h->nlmsg_type == NLMSG_DONE)
            return TRUE;
          if (h->nlmsg_type == NLMSG_ERROR)
            {
              const struct nlmsgerr *e = NLMSG_DATA (h);

              if (h->nlmsg_len < NLMSG_LENGTH (sizeof *e))
                return set_errno_error (error, EPROTO, "The kernel's list of TCP connections");
              return set_errno_error (error, -e->error, "The kernel refused to list TCP connections");
            }
          conn = read_message (h);
          if (conn == NULL || (uid >= 0 && conn->uid != (guint32) uid) ||
              !address_wanted (conn->remote, remote_addresses))
            continue;
          g_ptr_array_add (out, g_steal_pointer (&conn));
        }
    }
}

GPtrArray *
ocd_sockdiag_query (guint16    remote_port,
                    GPtrArray *remote_addresses,
                    gint64     uid,
                    GError   **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) ocd_sockdiag_conn_free);
  struct timeval timeout = { 2, 0 };   /* the kernel answers at once; never hang the caller */
  int fd;
  gboolean ok;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  fd = socket (AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0)
    {
      set_errno_error (error, errno, "Could not open a netlink socket to read TCP connections");
      return NULL;
    }
  (void) setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ok = send_request (fd, remote_port, error) &&
       read_answer (fd, out, remote_addresses, uid, error);
  close (fd);
  return ok ? g_steal_pointer (&out) : NULL;
}

int
ocd_sockdiag_destroy_listen (GError **error)
{
  struct sockaddr_nl local = {
    .nl_family = AF_NETLINK,
    .nl_groups = (1u << (SKNLGRP_INET_TCP_DESTROY - 1)) | (1u << (SKNLGRP_INET6_TCP_DESTROY - 1)),
  };
  int fd = socket (AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_SOCK_DIAG);

  if (fd < 0)
    {
      set_errno_error (error, errno, "Could not open a netlink socket for TCP notices");
      return -1;
    }
  if (bind (fd, (struct sockaddr *) &local, sizeof local) < 0)
    {
      set_errno_error (error, errno, "Could not subscribe to the kernel's TCP notices");
      close (fd);
      return -1;
    }
  return fd;
}

gboolean
ocd_sockdiag_destroy_only_port (int fd, guint16 remote_port)
{
  /* Each notice is one datagram: a netlink header, then inet_diag_msg. A
   * load past its end makes the program return 0, which drops it too. */
  struct sock_filter code[] = {
    BPF_STMT (BPF_LD | BPF_H | BPF_ABS, NLMSG_HDRLEN + offsetof (struct inet_diag_msg, id.idiag_dport)),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, remote_port, 0, 1),
    BPF_STMT (BPF_RET | BPF_K, 0xffffffffu),
    BPF_STMT (BPF_RET | BPF_K, 0),
  };
  struct sock_fprog program = { .len = G_N_ELEMENTS (code), .filter = code };

  return setsockopt (fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) == 0;
}

gboolean
ocd_sockdiag_destroy_read (int fd, guint16 remote_port, gint64 uid)
{
  guint8 buffer[8192];
  gboolean matched = FALSE;

  for (;;)
    {
      ssize_t n = recv (fd, buffer, sizeof buffer, 0);
      int len;

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return matched || errno == ENOBUFS;   /* EAGAIN: all read; ENOBUFS: some were lost */
      len = n;
      for (const struct nlmsghdr *h = (const struct nlmsghdr *) buffer; nlmsg_ok (h, len); h = NLMSG_NEXT (h, len))
        {
          const struct inet_diag_msg *msg = NLMSG_DATA (h);

          if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || h->nlmsg_len < NLMSG_LENGTH (sizeof *msg))
            continue;
          if (g_ntohs (msg->id.idiag_dport) == remote_port && (uid < 0 || msg->idiag_uid == (guint32) uid))
            matched = TRUE;
        }
    }
}

GHashTable *
ocd_sockdiag_own_inodes (void)
{
  GHashTable *inodes = g_hash_table_new (NULL, NULL);
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);
      guint64 inode;
      char *end;

      if (target == NULL || !g_str_has_prefix (target, "socket:["))
        continue;
      inode = g_ascii_strtoull (target + strlen ("socket:["), &end, 10);
      if (*end == ']' && inode > 0 && inode <= G_MAXUINT32)
        g_hash_table_add (inodes, GUINT_TO_POINTER ((guint) inode));
    }
  return inodes;
}

/* The namespace files of two processes are the same file exactly when they
 * share the network namespace.  Looking at another user's needs the right
 * to trace it: without it the answer is UNKNOWN. */
OcdNetns
ocd_sockdiag_netns_of (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/ns/net", (int) pid);
  struct stat own, theirs;

  if (pid <= 0 || stat ("/proc/self/ns/net", &own) != 0 || stat (path, &theirs) != 0)
    return OCD_NETNS_UNKNOWN;
  return own.st_dev == theirs.st_dev && own.st_ino == theirs.st_ino ? OCD_NETNS_SAME : OCD_NETNS_OTHER;
}
