/* ocd-host-power.c — under-voltage and throttling on a Raspberry Pi.
 *
 * The firmware driver's get_throttled attribute has the flags (now and
 * since boot); kernels that only have the rpi_volt hwmon driver tell
 * under-voltage now.  The firmware's flags signal no change, so either is
 * read when the host starts and at each tick (once a heartbeat), through
 * the sysfs paths, where umockdev stands in for them in tests. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-host"

#include "ocd-host-private.h"

#define GET_THROTTLED "/sys/devices/platform/soc/soc:firmware/get_throttled"
#define HWMON         "/sys/class/hwmon"

struct _OcdHostPower
{
  OcdHost *host;       /* owns us */
  char    *throttled;  /* get_throttled, or */
  char    *alarm;      /* rpi_volt's in0_lcrit_alarm, or neither */
};

static char *
read_attribute (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, &error))
    {
      g_debug ("%s", error->message);
      return NULL;
    }
  return text;
}

static char *
find_rpi_volt (void)
{
  g_autoptr(GDir) dir = g_dir_open (HWMON, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *name_path = g_build_filename (HWMON, name, "name", NULL);
      g_autofree char *driver = read_attribute (name_path);

      if (driver != NULL && g_str_equal (g_strstrip (driver), "rpi_volt"))
        return g_build_filename (HWMON, name, "in0_lcrit_alarm", NULL);
    }
  return NULL;
}

gboolean
ocd_host_power_found (OcdHostPower *self)
{
  return self->throttled != NULL || self->alarm != NULL;
}

static void
set_flag (OcdHostPower *self, const char *key, gboolean known, gboolean value)
{
  ocd_host_set (self->host, key, known ? g_variant_new_boolean (!!value) : NULL);
}

void
ocd_host_power_tick (OcdHostPower *self)
{
  g_autofree char *text = read_attribute (self->throttled != NULL ? self->throttled : self->alarm);
  guint32 flags = 0;
  gboolean known, alarm = FALSE;

  if (self->throttled != NULL)
    {
      known = text != NULL && ocd_host_parse_throttled (text, &flags);
      set_flag (self, "under_voltage", known, flags & OCD_THROTTLED_UNDER_VOLTAGE);
      set_flag (self, "under_voltage_since_boot", known, flags & OCD_THROTTLED_UNDER_VOLTAGE_SINCE_BOOT);
      set_flag (self, "throttled", known, flags & OCD_THROTTLED_THROTTLED);
      set_flag (self, "throttled_since_boot", known, flags & OCD_THROTTLED_THROTTLED_SINCE_BOOT);
    }
  else
    {
      known = text != NULL && ocd_host_parse_flag (text, &alarm);
      set_flag (self, "under_voltage", known, alarm);
    }
}

OcdHostPower *
ocd_host_power_new (OcdHost *host)
{
  OcdHostPower *self = g_new0 (OcdHostPower, 1);

  self->host = host;
  if (g_file_test (GET_THROTTLED, G_FILE_TEST_EXISTS))
    self->throttled = g_strdup (GET_THROTTLED);
  else
    self->alarm = find_rpi_volt ();
  if (ocd_host_power_found (self))
    {
      g_debug ("Power state from %s", self->throttled != NULL ? self->throttled : self->alarm);
      ocd_host_power_tick (self);
    }
  return self;
}

void
ocd_host_power_free (OcdHostPower *self)
{
  g_free (self->throttled);
  g_free (self->alarm);
  g_free (self);
}
