/* ocd-printers.c — the printers of this host.  Printer 0 is the daemon's
 * own link, which chooses its role as it always did (its credentials, else
 * the first official agent with a token, else unlinked).  Every other
 * agent with a token gets a link of its own in the watch role.  Which
 * agents there are is the registry's business (OcdAgents follows the
 * settings files and the search roots with file monitors); this follows
 * its "changed" and printer 0's role, and keeps one object per link. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-printers"

#include "obico-enums.h"
#include "obico-names.h"
#include "ocd-printer.h"
#include "ocd-printers.h"

#define PRINTER_PATH_PREFIX OBICO_OBJECT_PATH "/Printer/"

typedef struct {
  OcdPrinters *owner;
  OcdLink     *link;
  OcdPrinter  *skeleton;
  char        *path;
} Printer;

struct _OcdPrinters
{
  GObject                   parent_instance;

  OcdConfig                *config;
  char                     *state_dir;
  OcdAgents                *agents;
  OcdHost                  *host;
  GDBusObjectManagerServer *manager;
  GPtrArray                *printers;     /* Printer; [0] the daemon's own */
  guint                     next_number;  /* N of the next Printer/N, never reused */
  gboolean                  started;

  /* the summary */
  ObicoState                state;
  guint                     problem;
  char                     *problem_detail;
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_PROBLEM,
  PROP_PROBLEM_DETAIL,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

G_DEFINE_TYPE (OcdPrinters, ocd_printers, G_TYPE_OBJECT)

/* Worst first: what the root shows when printers disagree. */
static guint
state_rank (ObicoState state)
{
  switch (state)
    {
    case OBICO_STATE_ERROR: return 4;
    case OBICO_STATE_DISCONNECTED: return 3;
    case OBICO_STATE_CONNECTING: return 2;
    case OBICO_STATE_UNLINKED: return 1;
    case OBICO_STATE_OKAY:
    default: return 0;
    }
}

static void
summarize (OcdPrinters *self)
{
  OcdStatus *worst = NULL;
  const char *detail;

  for (guint i = 0; i < self->printers->len; i++)
    {
      Printer *printer = g_ptr_array_index (self->printers, i);
      OcdStatus *status = ocd_link_get_status (printer->link);

      if (worst == NULL ||
          state_rank (ocd_status_get_state (status)) > state_rank (ocd_status_get_state (worst)))
        worst = status;
    }
  if (worst == NULL)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->state != ocd_status_get_state (worst))
    {
      self->state = ocd_status_get_state (worst);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
    }
  if (self->problem != ocd_status_get_problem (worst))
    {
      self->problem = ocd_status_get_problem (worst);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PROBLEM]);
    }
  detail = ocd_status_get_problem_detail (worst);
  if (g_strcmp0 (self->problem_detail, detail) != 0)
    {
      g_free (self->problem_detail);
      self->problem_detail = g_strdup (detail);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PROBLEM_DETAIL]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
on_status_changed (GObject *status, GParamSpec *pspec, gpointer data)
{
  summarize (OCD_PRINTERS (data));
}

static void
printer_free (Printer *printer)
{
  OcdPrinters *self = printer->owner;

  if (self->manager != NULL)
    g_dbus_object_manager_server_unexport (self->manager, printer->path);
  g_signal_handlers_disconnect_by_data (ocd_link_get_status (printer->link), self);
  g_clear_object (&printer->skeleton);
  g_clear_object (&printer->link);
  g_free (printer->path);
  g_free (printer);
}

static Printer *
printer_add (OcdPrinters *self, OcdLink *link)
{
  Printer *printer = g_new0 (Printer, 1);
  OcdStatus *status = ocd_link_get_status (link);
  g_autoptr(GDBusObjectSkeleton) object = NULL;

  printer->owner = self;
  printer->link = link;
  printer->path = g_strdup_printf (PRINTER_PATH_PREFIX "%u", self->next_number++);
  if (self->host != NULL)
    ocd_link_set_host (link, self->host);
  printer->skeleton = ocd_printer_new (link);
  g_signal_connect (status, "notify::state", G_CALLBACK (on_status_changed), self);
  g_signal_connect (status, "notify::problem", G_CALLBACK (on_status_changed), self);
  g_signal_connect (status, "notify::problem-detail", G_CALLBACK (on_status_changed), self);
  g_ptr_array_add (self->printers, printer);

  object = g_dbus_object_skeleton_new (printer->path);
  g_dbus_object_skeleton_add_interface (object, G_DBUS_INTERFACE_SKELETON (printer->skeleton));
  g_dbus_object_manager_server_export (self->manager, object);
  return printer;
}

/* The settings file printer 0 watches, NULL when it watches none. */
static const char *
first_watches (OcdPrinters *self)
{
  OcdStatus *status = ocd_link_get_status (ocd_printers_get_first (self));

  if (ocd_status_get_role (status) != OBICO_ROLE_WATCH)
    return NULL;
  return ocd_status_get_credential_source (status);
}

static Printer *
find_for_agent (OcdPrinters *self, const char *path)
{
  for (guint i = 1; i < self->printers->len; i++)
    {
      Printer *printer = g_ptr_array_index (self->printers, i);

      if (g_strcmp0 (ocd_link_get_agent_path (printer->link), path) == 0)
        return printer;
    }
  return NULL;
}

/* The token of the agent printer 0 watches, NULL when it watches none. */
static const char *
first_token (OcdPrinters *self)
{
  const OcdAgent *first = ocd_agents_find (self->agents, first_watches (self));

  return first != NULL ? first->token : NULL;
}

/* Whether an agent that a printer already watches holds @agent's token:
 * the same printer of the server, set up twice (a copied settings file), is
 * one printer here. */
static gboolean
token_watched (OcdPrinters *self, const OcdAgent *agent)
{
  if (g_strcmp0 (first_token (self), agent->token) == 0)
    return TRUE;
  for (guint i = 1; i < self->printers->len; i++)
    {
      Printer *printer = g_ptr_array_index (self->printers, i);
      const OcdAgent *other = ocd_agents_find (self->agents, ocd_link_get_agent_path (printer->link));

      if (other != NULL && other != agent && g_strcmp0 (other->token, agent->token) == 0)
        return TRUE;
    }
  return FALSE;
}

/* One printer for each agent with a token that printer 0 does not watch. */
static void
reconcile (OcdPrinters *self)
{
  GPtrArray *agents = ocd_agents_get_all (self->agents);
  const char *covered = first_watches (self);

  if (!self->started)
    return;
  for (guint i = self->printers->len - 1; i >= 1; i--)
    {
      Printer *printer = g_ptr_array_index (self->printers, i);
      const char *path = ocd_link_get_agent_path (printer->link);
      const OcdAgent *agent = ocd_agents_find (self->agents, path);

      if (!ocd_agents_is_usable (agent) || g_strcmp0 (path, covered) == 0 ||
          g_strcmp0 (agent->token, first_token (self)) == 0)
        {
          g_message ("Printer %s (%s) removed", printer->path, path);
          g_ptr_array_remove_index (self->printers, i);
        }
    }
  for (guint i = 0; i < agents->len; i++)
    {
      const OcdAgent *agent = g_ptr_array_index (agents, i);
      Printer *printer;

      if (!ocd_agents_is_usable (agent) || g_strcmp0 (agent->path, covered) == 0 ||
          find_for_agent (self, agent->path) != NULL || token_watched (self, agent))
        continue;
      printer = printer_add (self, ocd_link_new_for_agent (self->config, self->state_dir,
                                                           self->agents, agent->path));
      g_message ("Printer %s: the %s agent of %s", printer->path, ocd_agent_kind_name (agent->kind),
                 agent->path);
      ocd_link_start (printer->link);
    }
  summarize (self);
}

static void
on_agents_changed (OcdAgents *agents, gpointer data)
{
  reconcile (OCD_PRINTERS (data));
}

static void
on_first_role_changed (GObject *status, GParamSpec *pspec, gpointer data)
{
  reconcile (OCD_PRINTERS (data));
}

OcdLink *
ocd_printers_get_first (OcdPrinters *self)
{
  return ((Printer *) g_ptr_array_index (self->printers, 0))->link;
}

guint
ocd_printers_get_count (OcdPrinters *self)
{
  return self->printers->len;
}

void
ocd_printers_start (OcdPrinters *self)
{
  OcdLink *first = ocd_printers_get_first (self);

  ocd_link_start (first);
  /* After printer 0's own handler: it has chosen what it watches. */
  g_signal_connect (self->agents, "changed", G_CALLBACK (on_agents_changed), self);
  g_signal_connect (ocd_link_get_status (first), "notify::role", G_CALLBACK (on_first_role_changed), self);
  g_signal_connect (ocd_link_get_status (first), "notify::credential-source",
                    G_CALLBACK (on_first_role_changed), self);
  self->started = TRUE;
  reconcile (self);
}

void
ocd_printers_export (OcdPrinters     *self,
                     GDBusConnection *connection)
{
  g_dbus_object_manager_server_set_connection (self->manager, connection);
}

OcdPrinters *
ocd_printers_new (OcdConfig  *config,
                  const char *state_dir,
                  OcdAgents  *agents,
                  OcdHost    *host)
{
  OcdPrinters *self = g_object_new (OCD_TYPE_PRINTERS, NULL);

  self->config = config;
  self->state_dir = g_strdup (state_dir);
  self->agents = g_object_ref (agents);
  self->host = host != NULL ? g_object_ref (host) : NULL;
  printer_add (self, ocd_link_new (config, state_dir, agents));
  summarize (self);
  return self;
}

static void
ocd_printers_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  OcdPrinters *self = OCD_PRINTERS (object);

  switch (prop_id)
    {
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_PROBLEM: g_value_set_uint (value, self->problem); break;
    case PROP_PROBLEM_DETAIL: g_value_set_string (value, self->problem_detail); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ocd_printers_dispose (GObject *object)
{
  OcdPrinters *self = OCD_PRINTERS (object);

  if (self->agents != NULL)
    g_signal_handlers_disconnect_by_data (self->agents, self);
  if (self->printers != NULL && self->printers->len > 0)
    g_signal_handlers_disconnect_by_data (ocd_link_get_status (ocd_printers_get_first (self)), self);
  g_clear_pointer (&self->printers, g_ptr_array_unref);
  g_clear_object (&self->manager);
  g_clear_object (&self->agents);
  g_clear_object (&self->host);
  G_OBJECT_CLASS (ocd_printers_parent_class)->dispose (object);
}

static void
ocd_printers_finalize (GObject *object)
{
  OcdPrinters *self = OCD_PRINTERS (object);

  g_free (self->state_dir);
  g_free (self->problem_detail);
  G_OBJECT_CLASS (ocd_printers_parent_class)->finalize (object);
}

static void
ocd_printers_class_init (OcdPrintersClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = ocd_printers_get_property;
  object_class->dispose = ocd_printers_dispose;
  object_class->finalize = ocd_printers_finalize;

  /* As OcdStatus's: the root binds them in its place. */
  props[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, OBICO_TYPE_STATE, OBICO_STATE_UNLINKED,
                                         flags);
  props[PROP_PROBLEM] = g_param_spec_uint ("problem", NULL, NULL, 0, G_MAXUINT, OBICO_PROBLEM_NONE,
                                           flags);
  props[PROP_PROBLEM_DETAIL] = g_param_spec_string ("problem-detail", NULL, NULL, "", flags);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
ocd_printers_init (OcdPrinters *self)
{
  self->manager = g_dbus_object_manager_server_new (OBICO_OBJECT_PATH);
  self->printers = g_ptr_array_new_with_free_func ((GDestroyNotify) printer_free);
  self->state = OBICO_STATE_UNLINKED;
  self->problem = OBICO_PROBLEM_NONE;
  self->problem_detail = g_strdup ("");
}
