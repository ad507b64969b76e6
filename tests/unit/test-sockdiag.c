/* test-sockdiag.c — reading TCP connections from the kernel (NETLINK_SOCK_DIAG)
 * with real loopback connections made here: a listening socket and a client
 * in this process, found by port, address and uid, with tcp_info that moves
 * when data flows. */
#define _GNU_SOURCE
#include "config.h"

#include "ocd-sockdiag.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>

#define KERNEL_TCP_ESTABLISHED 1

typedef struct {
  int listener;
  int client;
  int server;      /* the accepted end */
  guint16 port;
  guint16 client_port;
  guint32 client_inode;
} Pair;

static guint32
inode_of (int fd)
{
  struct stat st;

  g_assert_no_errno (fstat (fd, &st));
  return st.st_ino;
}

static guint16
port_of (int fd)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;

  g_assert_no_errno (getsockname (fd, (struct sockaddr *) &ss, &len));
  return ss.ss_family == AF_INET ? ntohs (((struct sockaddr_in *) &ss)->sin_port)
                                 : ntohs (((struct sockaddr_in6 *) &ss)->sin6_port);
}

/* A listener on @listen_addr and a connection to it from a socket of @client_family. */
static void
pair_open (Pair *p, int family, const char *listen_addr, int client_family, const char *connect_addr)
{
  struct sockaddr_storage ss = { 0 };
  socklen_t len;
  int off = 0;

  p->listener = socket (family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (p->listener, >=, 0);
  if (family == AF_INET)
    {
      struct sockaddr_in *sin = (struct sockaddr_in *) &ss;
      sin->sin_family = AF_INET;
      g_assert_cmpint (inet_pton (AF_INET, listen_addr, &sin->sin_addr), ==, 1);
      len = sizeof *sin;
    }
  else
    {
      struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;
      sin6->sin6_family = AF_INET6;
      g_assert_cmpint (inet_pton (AF_INET6, listen_addr, &sin6->sin6_addr), ==, 1);
      len = sizeof *sin6;
    }
  g_assert_no_errno (bind (p->listener, (struct sockaddr *) &ss, len));
  g_assert_no_errno (listen (p->listener, 4));
  p->port = port_of (p->listener);

  memset (&ss, 0, sizeof ss);
  if (client_family == AF_INET)
    {
      struct sockaddr_in *sin = (struct sockaddr_in *) &ss;
      sin->sin_family = AF_INET;
      sin->sin_port = htons (p->port);
      g_assert_cmpint (inet_pton (AF_INET, connect_addr, &sin->sin_addr), ==, 1);
      len = sizeof *sin;
    }
  else
    {
      struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons (p->port);
      g_assert_cmpint (inet_pton (AF_INET6, connect_addr, &sin6->sin6_addr), ==, 1);
      len = sizeof *sin6;
    }
  p->client = socket (client_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (p->client, >=, 0);
  if (client_family == AF_INET6)
    g_assert_no_errno (setsockopt (p->client, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off));
  g_assert_no_errno (connect (p->client, (struct sockaddr *) &ss, len));
  p->server = accept (p->listener, NULL, NULL);
  g_assert_cmpint (p->server, >=, 0);
  p->client_port = port_of (p->client);
  p->client_inode = inode_of (p->client);
}

static void
pair_close (Pair *p)
{
  if (p->client >= 0)
    close (p->client);
  if (p->server >= 0)
    close (p->server);
  close (p->listener);
}

static GPtrArray *
query (guint16 port, GPtrArray *addresses, gint64 uid)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *conns = ocd_sockdiag_query (port, addresses, uid, &error);

  g_assert_no_error (error);
  g_assert_nonnull (conns);
  return conns;
}

static GPtrArray *
addresses (const char *first, ...)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);
  va_list ap;

  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (out, g_inet_address_new_from_string (a));
  va_end (ap);
  return out;
}

static void
assert_address (GInetSocketAddress *sa, const char *addr, guint16 port)
{
  g_autofree char *text = g_inet_address_to_string (g_inet_socket_address_get_address (sa));

  g_assert_cmpstr (text, ==, addr);
  g_assert_cmpuint (g_inet_socket_address_get_port (sa), ==, port);
}

static void
write_all (int fd, gsize n)
{
  g_autofree char *data = g_malloc0 (n);
  gsize done = 0;

  while (done < n)
    {
      ssize_t w = write (fd, data + done, n - done);
      g_assert_cmpint (w, >, 0);
      done += w;
    }
}

static void
read_all (int fd, gsize n)
{
  g_autofree char *data = g_malloc (n);
  gsize done = 0;

  while (done < n)
    {
      ssize_t r = read (fd, data + done, n - done);
      g_assert_cmpint (r, >, 0);
      done += r;
    }
}

/* The client's connection is found by the listener's port, with what the
 * kernel knows of it, and its counters move when data flows. */
static void
test_ipv4_found_and_counted (void)
{
  Pair p;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  OcdSockdiagConn *c, *d;
  gint64 deadline;

  pair_open (&p, AF_INET, "127.0.0.1", AF_INET, "127.0.0.1");
  before = query (p.port, NULL, -1);
  /* only the client's end: the accepted end's destination is the client's port */
  g_assert_cmpuint (before->len, ==, 1);
  c = g_ptr_array_index (before, 0);
  assert_address (c->remote, "127.0.0.1", p.port);
  assert_address (c->local, "127.0.0.1", p.client_port);
  g_assert_cmpuint (c->uid, ==, geteuid ());
  g_assert_cmpuint (c->inode, ==, p.client_inode);
  g_assert_cmpuint (c->state, ==, KERNEL_TCP_ESTABLISHED);
  g_assert_true (c->has_info);
  g_assert_true (c->has_data_segs);
  g_assert_true (c->has_bytes_sent);

  write_all (p.client, 10000);
  read_all (p.server, 10000);
  write_all (p.server, 500);
  read_all (p.client, 500);

  /* the acknowledgement of the last bytes may still be on its way */
  deadline = g_get_monotonic_time () + G_USEC_PER_SEC;
  do
    {
      g_clear_pointer (&after, g_ptr_array_unref);
      after = query (p.port, NULL, -1);
      g_assert_cmpuint (after->len, ==, 1);
      d = g_ptr_array_index (after, 0);
    }
  while (d->bytes_acked < c->bytes_acked + 10000 && g_get_monotonic_time () < deadline);

  g_assert_cmpuint (d->inode, ==, c->inode);
  g_assert_cmpuint (d->bytes_acked, ==, c->bytes_acked + 10000);
  g_assert_cmpuint (d->bytes_sent, >=, c->bytes_sent + 10000);
  g_assert_cmpuint (d->bytes_received, ==, c->bytes_received + 500);
  g_assert_cmpuint (d->data_segs_out, >, c->data_segs_out);
  g_assert_cmpuint (d->segs_out, >, c->segs_out);
  g_assert_cmpuint (d->total_retrans, ==, 0);
  g_assert_cmpuint (d->rtt_us, >, 0);
  g_assert_cmpuint (d->last_data_sent_ms, <, 5000);
  g_assert_cmpuint (d->last_data_recv_ms, <, 5000);

  pair_close (&p);
}

/* Filters: the uid, the remote address (an IPv4-mapped one too), the port,
 * and the state (a connection the peer closed is no longer established). */
static void
test_filters (void)
{
  Pair p, other;
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) conns = NULL;

  pair_open (&p, AF_INET, "127.0.0.1", AF_INET, "127.0.0.1");
  pair_open (&other, AF_INET, "127.0.0.1", AF_INET, "127.0.0.1");

  conns = query (p.port, NULL, geteuid ());
  g_assert_cmpuint (conns->len, ==, 1);
  g_clear_pointer (&conns, g_ptr_array_unref);
  conns = query (p.port, NULL, (gint64) geteuid () + 1);
  g_assert_cmpuint (conns->len, ==, 0);
  g_clear_pointer (&conns, g_ptr_array_unref);

  a = addresses ("127.0.0.2", "::1", NULL);
  conns = query (p.port, a, -1);
  g_assert_cmpuint (conns->len, ==, 0);
  g_clear_pointer (&conns, g_ptr_array_unref);
  g_clear_pointer (&a, g_ptr_array_unref);
  a = addresses ("10.9.8.7", "127.0.0.1", NULL);
  conns = query (p.port, a, -1);
  g_assert_cmpuint (conns->len, ==, 1);
  g_clear_pointer (&conns, g_ptr_array_unref);
  g_clear_pointer (&a, g_ptr_array_unref);
  a = addresses ("::ffff:127.0.0.1", NULL);
  conns = query (p.port, a, geteuid ());
  g_assert_cmpuint (conns->len, ==, 1);
  g_clear_pointer (&conns, g_ptr_array_unref);
  g_clear_pointer (&a, g_ptr_array_unref);

  /* the other pair's port finds the other pair's client only */
  conns = query (other.port, NULL, -1);
  g_assert_cmpuint (conns->len, ==, 1);
  g_assert_cmpuint (((OcdSockdiagConn *) g_ptr_array_index (conns, 0))->inode, ==, other.client_inode);
  g_clear_pointer (&conns, g_ptr_array_unref);

  /* the server side closes: the client is in CLOSE_WAIT, not established */
  close (other.server);
  other.server = -1;
  {
    gint64 deadline = g_get_monotonic_time () + G_USEC_PER_SEC;
    do
      {
        g_clear_pointer (&conns, g_ptr_array_unref);
        conns = query (other.port, NULL, -1);
      }
    while (conns->len > 0 && g_get_monotonic_time () < deadline);
    g_assert_cmpuint (conns->len, ==, 0);
  }

  pair_close (&p);
  pair_close (&other);
}

static void
test_ipv6 (void)
{
  Pair p;
  g_autoptr(GPtrArray) conns = NULL;
  g_autoptr(GPtrArray) a = addresses ("::1", NULL);
  OcdSockdiagConn *c;

  pair_open (&p, AF_INET6, "::1", AF_INET6, "::1");
  conns = query (p.port, a, geteuid ());
  g_assert_cmpuint (conns->len, ==, 1);
  c = g_ptr_array_index (conns, 0);
  assert_address (c->remote, "::1", p.port);
  assert_address (c->local, "::1", p.client_port);
  g_assert_cmpuint (c->inode, ==, p.client_inode);
  g_assert_true (c->has_info);
  pair_close (&p);
}

/* A dual-stack IPv6 socket talking IPv4 is reported with IPv4 addresses. */
static void
test_ipv4_mapped (void)
{
  Pair p;
  g_autoptr(GPtrArray) conns = NULL;
  g_autoptr(GPtrArray) a = addresses ("127.0.0.1", NULL);
  OcdSockdiagConn *c;

  pair_open (&p, AF_INET, "127.0.0.1", AF_INET6, "::ffff:127.0.0.1");
  conns = query (p.port, a, -1);
  g_assert_cmpuint (conns->len, ==, 1);
  c = g_ptr_array_index (conns, 0);
  assert_address (c->remote, "127.0.0.1", p.port);
  assert_address (c->local, "127.0.0.1", p.client_port);
  g_assert_cmpuint (c->inode, ==, p.client_inode);
  pair_close (&p);
}

static void
test_own_inodes (void)
{
  Pair p;
  g_autoptr(GHashTable) own = NULL;

  pair_open (&p, AF_INET, "127.0.0.1", AF_INET, "127.0.0.1");
  own = ocd_sockdiag_own_inodes ();
  g_assert_true (g_hash_table_contains (own, GUINT_TO_POINTER (p.client_inode)));
  g_assert_true (g_hash_table_contains (own, GUINT_TO_POINTER (inode_of (p.server))));
  g_assert_true (g_hash_table_contains (own, GUINT_TO_POINTER (inode_of (p.listener))));
  pair_close (&p);
  g_clear_pointer (&own, g_hash_table_unref);
  own = ocd_sockdiag_own_inodes ();
  g_assert_false (g_hash_table_contains (own, GUINT_TO_POINTER (p.client_inode)));
}

/* The kernel's notice of a destroyed socket, filtered by port and uid: three
 * listeners get the same notices; the one filtering right sees it, the others,
 * filtering on another port or uid, do not. */
static void
test_destroy_notices (void)
{
  g_autoptr(GError) error = NULL;
  int right = ocd_sockdiag_destroy_listen (&error);
  int other_port = ocd_sockdiag_destroy_listen (&error);
  int other_uid = ocd_sockdiag_destroy_listen (&error);
  gint64 deadline;
  gboolean seen = FALSE;
  Pair p;

  g_assert_no_error (error);
  g_assert_cmpint (right, >=, 0);
  pair_open (&p, AF_INET, "127.0.0.1", AF_INET, "127.0.0.1");
  /* nothing of this connection yet (other sockets of the machine may come and go) */
  g_assert_false (ocd_sockdiag_destroy_read (right, p.port, geteuid ()));

  close (p.client);
  close (p.server);
  p.client = p.server = -1;
  deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while (!seen && g_get_monotonic_time () < deadline)
    {
      seen = ocd_sockdiag_destroy_read (right, p.port, geteuid ());
      g_usleep (10000);
    }
  g_assert_true (seen);
  g_assert_false (ocd_sockdiag_destroy_read (other_port, (guint16) (p.port + 1), -1));
  g_assert_false (ocd_sockdiag_destroy_read (other_uid, p.port, (gint64) geteuid () + 1));
  close (p.listener);
  close (right);
  close (other_port);
  close (other_uid);
}

/* With the kernel's filter attached, a listener gets the notice of its own
 * port's socket, and nothing of any other port: on this machine other
 * programs' connections come and go all the time, so without the filter
 * the second listener would hold notices of other ports. */
static void
test_destroy_kernel_filter (void)
{
  g_autoptr(GError) error = NULL;
  int mine = ocd_sockdiag_destroy_listen (&error);
  int others = ocd_sockdiag_destroy_listen (&error);
  guint8 buffer[8192];
  gint64 deadline;
  gboolean seen = FALSE;
  guint16 other_port;
  ssize_t n;
  Pair p;

  g_assert_no_error (error);
  pair_open (&p, AF_INET, "127.0.0.1", AF_INET, "127.0.0.1");
  other_port = (guint16) (p.port + 1);
  g_assert_true (ocd_sockdiag_destroy_only_port (mine, p.port));
  g_assert_true (ocd_sockdiag_destroy_only_port (others, other_port));
  /* The filter applies to what comes from now on: notices of other programs'
   * sockets queued between listening and attaching it are dropped here (a
   * parallel test's socket with port 0 was once among them). */
  while (recv (others, buffer, sizeof buffer, MSG_DONTWAIT) > 0)
    ;

  close (p.client);
  close (p.server);
  p.client = p.server = -1;
  deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while (!seen && g_get_monotonic_time () < deadline)
    {
      seen = ocd_sockdiag_destroy_read (mine, p.port, geteuid ());
      g_usleep (10000);
    }
  g_assert_true (seen);

  while ((n = recv (others, buffer, sizeof buffer, MSG_DONTWAIT)) > 0)
    {
      gsize offset = 0;

      while (offset + sizeof (struct nlmsghdr) <= (gsize) n)
        {
          const struct nlmsghdr *h = (const struct nlmsghdr *) (buffer + offset);

          if (h->nlmsg_len < sizeof *h || offset + h->nlmsg_len > (gsize) n)
            break;
          if (h->nlmsg_len >= NLMSG_LENGTH (sizeof (struct inet_diag_msg)))
            {
              const struct inet_diag_msg *msg = NLMSG_DATA (h);

              g_assert_cmpuint (g_ntohs (msg->id.idiag_dport), ==, other_port);
            }
          offset += NLMSG_ALIGN (h->nlmsg_len);
        }
    }
  close (p.listener);
  close (mine);
  close (others);
}

/* A child in a network namespace of its own (as root, or in a user namespace
 * of its own otherwise) is told apart from one in ours. */
static void
test_netns (void)
{
  int ready[2], hold[2];
  pid_t child, gone;
  char result;
  int status;

  g_assert_cmpint (ocd_sockdiag_netns_of (getpid ()), ==, OCD_NETNS_SAME);
  g_assert_cmpint (ocd_sockdiag_netns_of (0), ==, OCD_NETNS_UNKNOWN);
  g_assert_cmpint (ocd_sockdiag_netns_of (-1), ==, OCD_NETNS_UNKNOWN);

  gone = fork ();
  g_assert_cmpint (gone, >=, 0);
  if (gone == 0)
    _exit (0);
  g_assert_cmpint (waitpid (gone, &status, 0), ==, gone);
  g_assert_cmpint (ocd_sockdiag_netns_of (gone), ==, OCD_NETNS_UNKNOWN);

  g_assert_no_errno (pipe (ready));
  g_assert_no_errno (pipe (hold));
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      char ok = 'n';

      close (ready[0]);
      close (hold[1]);
      if (read (hold[0], &ok, 1) < 0)  /* wait: the parent looks while we are in our namespace */
        _exit (1);
      ok = unshare (CLONE_NEWNET) == 0 || unshare (CLONE_NEWUSER | CLONE_NEWNET) == 0 ? 'y' : 'n';
      if (write (ready[1], &ok, 1) != 1)
        _exit (1);
      if (read (hold[0], &ok, 1) < 0)
        _exit (1);
      _exit (0);
    }
  close (ready[1]);
  close (hold[0]);
  g_assert_cmpint (ocd_sockdiag_netns_of (child), ==, OCD_NETNS_SAME);
  g_assert_cmpint (write (hold[1], "g", 1), ==, 1);
  g_assert_cmpint (read (ready[0], &result, 1), ==, 1);
  if (result != 'y')
    g_error ("this machine lets no process make a network namespace (unshare: as root, or in a user namespace)");
  g_assert_cmpint (ocd_sockdiag_netns_of (child), ==, OCD_NETNS_OTHER);
  close (hold[1]);
  close (ready[0]);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
}

/* What one query costs: printed, for the record (the daemon queries at most
 * every few seconds); bounded loosely so a pathological slowdown fails. */
static void
test_cost (void)
{
  Pair p;
  const guint n = 2000;
  gint64 start, elapsed;
  struct timespec cpu_start, cpu_end;
  double per_query, cpu_per_query;

  pair_open (&p, AF_INET, "127.0.0.1", AF_INET, "127.0.0.1");
  g_assert_no_errno (clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &cpu_start));
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GPtrArray) conns = query (p.port, NULL, geteuid ());
      g_assert_cmpuint (conns->len, ==, 1);
    }
  elapsed = g_get_monotonic_time () - start;
  g_assert_no_errno (clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &cpu_end));
  per_query = (double) elapsed / n;
  cpu_per_query = ((cpu_end.tv_sec - cpu_start.tv_sec) * 1e6 + (cpu_end.tv_nsec - cpu_start.tv_nsec) / 1e3) / n;
  /* the kernel walks its whole table of established connections (its size scales with RAM) */
  g_test_message ("one sock_diag query (IPv4 and IPv6, tcp_info, one match): %.1f us wall, %.1f us CPU",
                  per_query, cpu_per_query);
  g_assert_cmpfloat (cpu_per_query, <, 20000.0);
  pair_close (&p);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sockdiag/ipv4", test_ipv4_found_and_counted);
  g_test_add_func ("/sockdiag/filters", test_filters);
  g_test_add_func ("/sockdiag/ipv6", test_ipv6);
  g_test_add_func ("/sockdiag/ipv4-mapped", test_ipv4_mapped);
  g_test_add_func ("/sockdiag/own-inodes", test_own_inodes);
  g_test_add_func ("/sockdiag/destroy-notices", test_destroy_notices);
  g_test_add_func ("/sockdiag/destroy-kernel-filter", test_destroy_kernel_filter);
  g_test_add_func ("/sockdiag/netns", test_netns);
  g_test_add_func ("/sockdiag/cost", test_cost);
  return g_test_run ();
}
