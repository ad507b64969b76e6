/* ocd-host-private.h — the host's observers and how they publish.  Each
 * observer owns its keys of the context and sets them through
 * ocd_host_set(); only ocd-host*.c include this. */
#pragma once

#include "ocd-host.h"

G_BEGIN_DECLS

/* @value NULL: the key is absent (the host cannot tell it).  A floating
 * @value is sunk.  Notifies "context" only when something changed. */
void          ocd_host_set               (OcdHost    *self,
                                          const char *key,
                                          GVariant   *value);

/* A number (u or d) that jitters: kept as it is while @value stays within
 * @absolute or @relative × the published value of it, so that noise wakes
 * no one who follows Host. */
void          ocd_host_set_number        (OcdHost    *self,
                                          const char *key,
                                          GVariant   *value,
                                          double      absolute,
                                          double      relative);

/* A part needs ticks again (it has something to read once a heartbeat). */
void          ocd_host_want_ticks        (OcdHost *self);

/* Wi-Fi (ocd-host-wifi.c): NetworkManager when it is on @bus (@bus may be
 * NULL), else /proc/net/wireless at each tick. */
typedef struct _OcdHostWifi OcdHostWifi;
OcdHostWifi  *ocd_host_wifi_new          (OcdHost         *host,
                                          GDBusConnection *bus);
/* TRUE: /proc/net/wireless is read at each tick (no NetworkManager). */
gboolean      ocd_host_wifi_tick         (OcdHostWifi *wifi);
void          ocd_host_wifi_free         (OcdHostWifi *wifi);
/* The Wi-Fi connection the link goes over, as NetworkManager's unique name,
 * its settings' path and its device's; FALSE: there is none. */
gboolean      ocd_host_wifi_get_link     (OcdHostWifi  *wifi,
                                          const char  **owner,
                                          const char  **settings,
                                          const char  **device);
/* What the remedies (ocd-host-act.c) need of the host. */
GDBusConnection *ocd_host_get_bus        (OcdHost *self);
OcdHostWifi  *ocd_host_get_wifi          (OcdHost *self);

/* Power (ocd-host-power.c): the Raspberry Pi firmware's throttling flags or
 * the rpi_volt alarm, read when made and at each tick. */
typedef struct _OcdHostPower OcdHostPower;
OcdHostPower *ocd_host_power_new         (OcdHost *host);
/* FALSE: this host has neither; ticks are of no use. */
gboolean      ocd_host_power_found       (OcdHostPower *power);
void          ocd_host_power_tick        (OcdHostPower *power);
void          ocd_host_power_free        (OcdHostPower *power);

/* The clock (ocd-host-clock.c): timedated's NTPSynchronized when @bus has
 * timedated, and the skew from the server's Date headers. */
typedef struct _OcdHostClock OcdHostClock;
OcdHostClock *ocd_host_clock_new         (OcdHost *host);
void          ocd_host_clock_start       (OcdHostClock    *clock,
                                          GDBusConnection *bus);
/* A Date header received at @now (unix µs). */
void          ocd_host_clock_note_date   (OcdHostClock *clock,
                                          const char   *date,
                                          gint64        now);
/* TRUE: timedated is asked again at the next tick too. */
gboolean      ocd_host_clock_tick        (OcdHostClock *clock);
void          ocd_host_clock_free        (OcdHostClock *clock);

/* Pure (ocd-host-parse.c, unit-tested). */
typedef enum {
  OCD_THROTTLED_UNDER_VOLTAGE            = 1 << 0,
  OCD_THROTTLED_THROTTLED                = 1 << 2,
  OCD_THROTTLED_UNDER_VOLTAGE_SINCE_BOOT = 1 << 16,
  OCD_THROTTLED_THROTTLED_SINCE_BOOT     = 1 << 18,
} OcdThrottled;

/* get_throttled's text: hexadecimal, "50005\n" (with or without 0x). */
gboolean      ocd_host_parse_throttled   (const char *text,
                                          guint32    *flags);
/* A sysfs flag attribute: "0\n" or "1\n". */
gboolean      ocd_host_parse_flag        (const char *text,
                                          gboolean   *flag);
/* /proc/net/wireless: the signal level in dBm of its one interface; FALSE
 * when there is none, more than one (which carries the link is unknown) or
 * the driver does not report dBm. */
gboolean      ocd_host_parse_wireless    (const char *text,
                                          int        *level_dbm);
/* dBm as the percent NetworkManager shows (its nl80211 scale). */
guint         ocd_host_signal_percent    (int level_dbm);
/* A proxy URL without user name and password; NULL for "" or NULL. */
char         *ocd_host_redact_proxy      (const char *proxy);
/* Server minus host in seconds, from a Date header received at @now (unix
 * µs); the header counts whole seconds, so half a second is added. */
gboolean      ocd_host_date_skew         (const char *date,
                                          gint64      now,
                                          double     *skew);

G_END_DECLS
