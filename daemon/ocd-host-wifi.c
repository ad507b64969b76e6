/* ocd-host-wifi.c — the Wi-Fi the link goes over, from NetworkManager.
 *
 * The chain NetworkManager → its primary connection → that connection's
 * device → the device's access point (and the connection's settings) is
 * fetched object by object (GetAll) and then followed through each object's
 * PropertiesChanged: one match rule per object on the chain, nothing else
 * (a scan changes every access point in range; only ours is followed).
 * When the chain changes, objects that left it are dropped.
 *
 * NetworkManager's own names are used where it has them (PrimaryConnection,
 * the device's ActiveAccessPoint); older versions (and python-dbusmock's
 * template) lack those, so the active connection marked Default and its
 * SpecificObject stand in.  A change of the access point's BSSID while the
 * connection stays is a roam.
 *
 * Without NetworkManager on the bus, /proc/net/wireless gives the signal at
 * each tick, and nothing else. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-host"

#include "ocd-host-private.h"

#define NM_NAME        "org.freedesktop.NetworkManager"
#define NM_PATH        "/org/freedesktop/NetworkManager"
#define NM_ACTIVE      NM_NAME ".Connection.Active"
#define NM_DEVICE      NM_NAME ".Device"
#define NM_WIRELESS    NM_NAME ".Device.Wireless"
#define NM_AP          NM_NAME ".AccessPoint"
#define NM_SETTINGS    NM_NAME ".Settings.Connection"
#define NM_DEVICE_TYPE_WIFI 2
#define NM_POWERSAVE_DISABLE 2
#define NM_POWERSAVE_ENABLE  3
#define CALL_TIMEOUT_MS 10000
/* NetworkManager updates the signal and the rate of the access point in use
 * every few seconds; moves smaller than these are noise, not news. */
#define SIGNAL_JITTER   5       /* percentage points */
#define BITRATE_JITTER  0.25    /* a quarter */

/* Every key this file sets. */
static const char * const wifi_keys[] = {
  "wifi_signal", "wifi_bitrate", "wifi_frequency", "wifi_power_save", "wifi_roams",
};

typedef struct _NmObject NmObject;

struct _OcdHostWifi
{
  OcdHost         *host;      /* owns us */
  GDBusConnection *bus;
  guint            watch_id;
  char            *owner;     /* NetworkManager's unique name; NULL: not on the bus */
  GHashTable      *objects;   /* path → NmObject, the chain */

  char            *settings_path;    /* the Wi-Fi link's connection settings, NULL: none */
  char            *device_path;      /* and its device */

  char            *roam_connection;  /* the active connection of bssid */
  char            *bssid;
  guint            roams;
};

struct _NmObject
{
  int          refs;
  OcdHostWifi *wifi;        /* NULL once dropped: late answers are ignored */
  char        *path;
  gboolean     settings;    /* a Settings.Connection: GetSettings, Updated */
  GHashTable  *props;       /* name → GVariant */
  guint        pending;     /* calls not answered yet */
  guint        signal_id;
  gboolean     on_chain;    /* seen by the last resolve() */
};

static void resolve (OcdHostWifi *self);

static NmObject *
nm_object_ref (NmObject *obj)
{
  obj->refs++;
  return obj;
}

static void
nm_object_unref (NmObject *obj)
{
  if (--obj->refs > 0)
    return;
  g_hash_table_destroy (obj->props);
  g_free (obj->path);
  g_free (obj);
}

/* ---- fetching ------------------------------------------------------- */

/* The answer to a call about @obj, unpacked into @answer (NULL: none, told
 * in the debug log); FALSE when @obj was dropped meanwhile. */
static gboolean
take_answer (NmObject *obj, GObject *source, GAsyncResult *result, GVariant **answer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result,
                                                             &error);

  if (obj->wifi == NULL)
    return FALSE;
  obj->pending--;
  if (reply == NULL)
    g_debug ("NetworkManager %s: %s", obj->path, error->message);
  *answer = reply != NULL ? g_variant_get_child_value (reply, 0) : NULL;
  return TRUE;
}

static void
on_all (GObject *source, GAsyncResult *result, gpointer data)
{
  NmObject *obj = data;
  g_autoptr(GVariant) all = NULL;

  if (take_answer (obj, source, result, &all))
    {
      if (all != NULL)
        {
          GVariantIter iter;
          const char *name;
          GVariant *value;

          g_variant_iter_init (&iter, all);
          while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
            g_hash_table_replace (obj->props, g_strdup (name), value);
        }
      resolve (obj->wifi);
    }
  nm_object_unref (obj);
}

static void
on_settings (GObject *source, GAsyncResult *result, gpointer data)
{
  NmObject *obj = data;
  g_autoptr(GVariant) all = NULL;

  if (take_answer (obj, source, result, &all))
    {
      g_autoptr(GVariant) wireless = all != NULL
        ? g_variant_lookup_value (all, "802-11-wireless", G_VARIANT_TYPE_VARDICT) : NULL;
      GVariant *powersave = wireless != NULL
        ? g_variant_lookup_value (wireless, "powersave", G_VARIANT_TYPE_UINT32) : NULL;

      if (powersave != NULL)
        g_hash_table_replace (obj->props, g_strdup ("powersave"), powersave);
      else
        g_hash_table_remove (obj->props, "powersave");
      resolve (obj->wifi);
    }
  nm_object_unref (obj);
}

static void
get_all (NmObject *obj, const char *interface)
{
  obj->pending++;
  g_dbus_connection_call (obj->wifi->bus, obj->wifi->owner, obj->path,
                          "org.freedesktop.DBus.Properties", "GetAll",
                          g_variant_new ("(s)", interface), G_VARIANT_TYPE ("(a{sv})"),
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS, NULL, on_all,
                          nm_object_ref (obj));
}

static void
get_settings (NmObject *obj)
{
  obj->pending++;
  g_dbus_connection_call (obj->wifi->bus, obj->wifi->owner, obj->path, NM_SETTINGS, "GetSettings",
                          NULL, G_VARIANT_TYPE ("(a{sa{sv}})"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                          CALL_TIMEOUT_MS, NULL, on_settings, nm_object_ref (obj));
}

static void
on_signal (GDBusConnection *bus,
           const char      *sender,
           const char      *path,
           const char      *interface,
           const char      *signal,
           GVariant        *parameters,
           gpointer         data)
{
  NmObject *obj = data;
  g_autoptr(GVariant) changed = NULL;
  g_autofree const char **invalidated = NULL;
  const char *changed_interface;
  GVariantIter iter;
  const char *name;
  GVariant *value;

  if (obj->wifi == NULL)
    return;
  if (obj->settings)
    {
      /* Updated: the connection's settings were changed. */
      get_settings (obj);
      return;
    }
  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sa{sv}as)")))
    return;
  g_variant_get (parameters, "(&s@a{sv}^a&s)", &changed_interface, &changed, &invalidated);
  if (!g_str_has_prefix (changed_interface, NM_NAME))
    return;
  g_variant_iter_init (&iter, changed);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
    g_hash_table_replace (obj->props, g_strdup (name), value);
  for (guint i = 0; invalidated[i] != NULL; i++)
    g_hash_table_remove (obj->props, invalidated[i]);
  resolve (obj->wifi);
}

/* The object at @path on the chain, asked for when it is new. */
static NmObject *
want (OcdHostWifi *self, const char *path, gboolean settings)
{
  NmObject *obj = g_hash_table_lookup (self->objects, path);

  if (obj == NULL)
    {
      obj = g_new0 (NmObject, 1);
      obj->refs = 1;
      obj->wifi = self;
      obj->path = g_strdup (path);
      obj->settings = settings;
      obj->props = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_variant_unref);
      g_hash_table_insert (self->objects, obj->path, obj);
      obj->signal_id = g_dbus_connection_signal_subscribe (
        self->bus, self->owner,
        settings ? NM_SETTINGS : "org.freedesktop.DBus.Properties",
        settings ? "Updated" : "PropertiesChanged",
        path, NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_signal, obj, NULL);
      if (settings)
        get_settings (obj);
      else if (g_str_equal (path, NM_PATH))
        get_all (obj, NM_NAME);
      else if (g_str_has_prefix (path, NM_PATH "/ActiveConnection/"))
        get_all (obj, NM_ACTIVE);
      else if (g_str_has_prefix (path, NM_PATH "/Devices/"))
        {
          get_all (obj, NM_DEVICE);
          get_all (obj, NM_WIRELESS);
        }
      else
        get_all (obj, NM_AP);
    }
  obj->on_chain = TRUE;
  return obj;
}

static void
drop (gpointer data)
{
  NmObject *obj = data;

  g_dbus_connection_signal_unsubscribe (obj->wifi->bus, obj->signal_id);
  obj->wifi = NULL;
  nm_object_unref (obj);
}

static gboolean
off_chain (gpointer key, gpointer value, gpointer data)
{
  return !((NmObject *) value)->on_chain;
}

/* ---- the chain ------------------------------------------------------ */

static GVariant *
prop (NmObject *obj, const char *name, const GVariantType *type)
{
  GVariant *value = obj != NULL ? g_hash_table_lookup (obj->props, name) : NULL;

  return value != NULL && g_variant_is_of_type (value, type) ? value : NULL;
}

/* An object path property; NULL for none or "/". */
static const char *
prop_path (NmObject *obj, const char *name)
{
  GVariant *value = prop (obj, name, G_VARIANT_TYPE_OBJECT_PATH);
  const char *path = value != NULL ? g_variant_get_string (value, NULL) : NULL;

  return path != NULL && !g_str_equal (path, "/") ? path : NULL;
}

static void
publish_none (OcdHostWifi *self)
{
  g_clear_pointer (&self->settings_path, g_free);
  g_clear_pointer (&self->device_path, g_free);
  for (guint i = 0; i < G_N_ELEMENTS (wifi_keys); i++)
    ocd_host_set (self->host, wifi_keys[i], NULL);
}

static void
count_roam (OcdHostWifi *self, const char *connection, const char *bssid)
{
  if (bssid == NULL || *bssid == '\0')
    return;
  if (g_strcmp0 (self->roam_connection, connection) == 0 && self->bssid != NULL &&
      g_ascii_strcasecmp (self->bssid, bssid) != 0)
    {
      self->roams++;
      g_message ("Wi-Fi roamed to another access point (%u since start)", self->roams);
    }
  g_free (self->roam_connection);
  self->roam_connection = g_strdup (connection);
  g_free (self->bssid);
  self->bssid = g_strdup (bssid);
}

static void
publish (OcdHostWifi *self, NmObject *active, NmObject *device, NmObject *ap, NmObject *settings)
{
  GVariant *strength = prop (ap, "Strength", G_VARIANT_TYPE_BYTE);
  GVariant *frequency = prop (ap, "Frequency", G_VARIANT_TYPE_UINT32);
  GVariant *bssid = prop (ap, "HwAddress", G_VARIANT_TYPE_STRING);
  GVariant *bitrate = prop (device, "Bitrate", G_VARIANT_TYPE_UINT32);
  GVariant *powersave = prop (settings, "powersave", G_VARIANT_TYPE_UINT32);
  guint mode = powersave != NULL ? g_variant_get_uint32 (powersave) : 0;

  g_free (self->settings_path);
  self->settings_path = settings != NULL ? g_strdup (settings->path) : NULL;
  g_free (self->device_path);
  self->device_path = g_strdup (device->path);
  count_roam (self, active->path, bssid != NULL ? g_variant_get_string (bssid, NULL) : NULL);
  ocd_host_set_number (self->host, "wifi_signal",
                       strength != NULL ? g_variant_new_uint32 (g_variant_get_byte (strength)) : NULL,
                       SIGNAL_JITTER, 0);
  ocd_host_set (self->host, "wifi_frequency",
                frequency != NULL && g_variant_get_uint32 (frequency) > 0 ? frequency : NULL);
  /* 0: the driver does not know the rate */
  ocd_host_set_number (self->host, "wifi_bitrate",
                       bitrate != NULL && g_variant_get_uint32 (bitrate) > 0 ? bitrate : NULL,
                       0, BITRATE_JITTER);
  /* default (0) and ignore (1) leave it to the global configuration or the
   * driver: NetworkManager does not say which it is then. */
  ocd_host_set (self->host, "wifi_power_save",
                mode == NM_POWERSAVE_ENABLE || mode == NM_POWERSAVE_DISABLE
                ? g_variant_new_boolean (mode == NM_POWERSAVE_ENABLE) : NULL);
  ocd_host_set (self->host, "wifi_roams", g_variant_new_uint32 (self->roams));
}

/* The primary connection, or the active connection NetworkManager marks as
 * the default route's where it has no PrimaryConnection.  *@complete is
 * FALSE while an answer is missing. */
static NmObject *
primary_connection (OcdHostWifi *self, NmObject *manager, gboolean *complete)
{
  GVariant *all;
  GVariantIter iter;
  const char *path;
  NmObject *found = NULL;

  if (prop (manager, "PrimaryConnection", G_VARIANT_TYPE_OBJECT_PATH) != NULL)
    {
      path = prop_path (manager, "PrimaryConnection");
      return path != NULL ? want (self, path, FALSE) : NULL;
    }
  all = prop (manager, "ActiveConnections", G_VARIANT_TYPE_OBJECT_PATH_ARRAY);
  if (all == NULL)
    return NULL;
  g_variant_iter_init (&iter, all);
  while (g_variant_iter_next (&iter, "&o", &path))
    {
      NmObject *active = want (self, path, FALSE);
      GVariant *is_default = prop (active, "Default", G_VARIANT_TYPE_BOOLEAN);

      if (active->pending > 0)
        *complete = FALSE;
      else if (found == NULL && is_default != NULL && g_variant_get_boolean (is_default))
        found = active;
    }
  return found;
}

static void
resolve (OcdHostWifi *self)
{
  GHashTableIter iter;
  NmObject *obj, *manager, *active, *device = NULL, *ap = NULL, *settings = NULL;
  GVariant *type, *devices, *device_type;
  const char *path;
  gboolean complete = TRUE, wifi = FALSE;

  g_hash_table_iter_init (&iter, self->objects);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &obj))
    obj->on_chain = FALSE;

  manager = want (self, NM_PATH, FALSE);
  active = manager->pending == 0 ? primary_connection (self, manager, &complete) : NULL;
  complete = complete && manager->pending == 0 && (active == NULL || active->pending == 0);
  type = prop (active, "Type", G_VARIANT_TYPE_STRING);
  devices = prop (active, "Devices", G_VARIANT_TYPE_OBJECT_PATH_ARRAY);
  if (complete && type != NULL && g_str_equal (g_variant_get_string (type, NULL), "802-11-wireless") &&
      devices != NULL && g_variant_n_children (devices) > 0)
    {
      g_variant_get_child (devices, 0, "&o", &path);
      device = want (self, path, FALSE);
      if ((path = prop_path (active, "Connection")) != NULL)
        settings = want (self, path, TRUE);
      complete = device->pending == 0 && (settings == NULL || settings->pending == 0);
      device_type = prop (device, "DeviceType", G_VARIANT_TYPE_UINT32);
      wifi = device_type == NULL || g_variant_get_uint32 (device_type) == NM_DEVICE_TYPE_WIFI;
    }
  if (complete && wifi)
    {
      path = prop (device, "ActiveAccessPoint", G_VARIANT_TYPE_OBJECT_PATH) != NULL
             ? prop_path (device, "ActiveAccessPoint") : prop_path (active, "SpecificObject");
      if (path != NULL)
        {
          ap = want (self, path, FALSE);
          complete = ap->pending == 0;
        }
    }

  g_hash_table_foreach_remove (self->objects, off_chain, NULL);
  /* Half a chain says nothing: what was published stays until it is whole. */
  if (!complete)
    return;
  g_object_freeze_notify (G_OBJECT (self->host));
  if (wifi)
    publish (self, active, device, ap, settings);
  else
    publish_none (self);
  g_object_thaw_notify (G_OBJECT (self->host));
}

/* ---- without NetworkManager ---------------------------------------- */

static void
read_proc (OcdHostWifi *self)
{
  g_autofree char *text = NULL;
  int level;

  if (g_file_get_contents ("/proc/net/wireless", &text, NULL, NULL) &&
      ocd_host_parse_wireless (text, &level))
    ocd_host_set_number (self->host, "wifi_signal",
                         g_variant_new_uint32 (ocd_host_signal_percent (level)), SIGNAL_JITTER, 0);
  else
    ocd_host_set (self->host, "wifi_signal", NULL);
}

gboolean
ocd_host_wifi_tick (OcdHostWifi *self)
{
  if (self->owner != NULL)
    return FALSE;
  read_proc (self);
  return TRUE;
}

static void
on_nm_appeared (GDBusConnection *bus, const char *name, const char *owner, gpointer data)
{
  OcdHostWifi *self = data;

  g_debug ("NetworkManager is on the bus (%s)", owner);
  g_hash_table_remove_all (self->objects);
  g_free (self->owner);
  self->owner = g_strdup (owner);
  ocd_host_set (self->host, "wifi_signal", NULL);
  resolve (self);
}

static void
on_nm_vanished (GDBusConnection *bus, const char *name, gpointer data)
{
  OcdHostWifi *self = data;

  if (self->owner != NULL)
    g_debug ("NetworkManager left the bus");
  g_hash_table_remove_all (self->objects);
  g_clear_pointer (&self->owner, g_free);
  g_object_freeze_notify (G_OBJECT (self->host));
  publish_none (self);
  read_proc (self);
  g_object_thaw_notify (G_OBJECT (self->host));
  ocd_host_want_ticks (self->host);
}

OcdHostWifi *
ocd_host_wifi_new (OcdHost         *host,
                   GDBusConnection *bus)
{
  OcdHostWifi *self = g_new0 (OcdHostWifi, 1);

  self->host = host;
  self->objects = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, drop);
  if (bus == NULL)
    {
      read_proc (self);
      return self;
    }
  self->bus = g_object_ref (bus);
  self->watch_id = g_bus_watch_name_on_connection (bus, NM_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   on_nm_appeared, on_nm_vanished, self, NULL);
  return self;
}

gboolean
ocd_host_wifi_get_link (OcdHostWifi  *self,
                        const char  **owner,
                        const char  **settings,
                        const char  **device)
{
  if (self == NULL || self->owner == NULL || self->settings_path == NULL || self->device_path == NULL)
    return FALSE;
  *owner = self->owner;
  *settings = self->settings_path;
  *device = self->device_path;
  return TRUE;
}

void
ocd_host_wifi_free (OcdHostWifi *self)
{
  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  g_hash_table_destroy (self->objects);
  g_clear_object (&self->bus);
  g_free (self->owner);
  g_free (self->settings_path);
  g_free (self->device_path);
  g_free (self->roam_connection);
  g_free (self->bssid);
  g_free (self);
}
