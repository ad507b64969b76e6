/* octl.h — obicoctl, the command-line client of obico-connectd
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "obico-labels.h"
#include "ocd-dbus-generated.h"

G_BEGIN_DECLS

/* The exit status, documented in obicoctl(1) and --help: scripts branch on it. */
typedef enum {
  OCTL_EXIT_OK = 0,                   /* done; the link is okay */
  OCTL_EXIT_FAILED = 1,               /* refused, or the link is not okay for another reason */
  OCTL_EXIT_USAGE = 2,                /* bad command line, bad argument, no such printer */
  OCTL_EXIT_FAILED_TO_CONTACT = 3,    /* the server could not be contacted */
  OCTL_EXIT_INVALID_CREDENTIALS = 4,  /* the server refused the printer's credentials */
  OCTL_EXIT_UNEXPECTED_RESPONSE = 5,  /* something answered, not as an Obico server does */
  OCTL_EXIT_NOT_LINKED = 6,           /* no printer is linked */
  OCTL_EXIT_NOT_RUNNING = 7,          /* the service is not running or the bus cannot be reached */
  OCTL_EXIT_NOT_AUTHORIZED = 8,       /* the change needs an administrator */
} OctlExit;

typedef enum {
  OCTL_COLOR_RESET,
  OCTL_COLOR_BOLD,
  OCTL_COLOR_DIM,
  OCTL_COLOR_GREEN,
  OCTL_COLOR_YELLOW,
  OCTL_COLOR_RED,
  OCTL_COLOR_BLUE,
} OctlColor;

typedef struct {
  GBusType         bus_type;
  guint            printer;   /* 1-based; 0 when --printer was not given */
  gboolean         json;
  gboolean         color;     /* a terminal, and NO_COLOR not set */
  gboolean         utf8;      /* the locale's charset can show block characters */
  GDBusConnection *bus;
} Octl;

/* octl-bus.c: the service, its printers and calls to them */
OctlExit     octl_connect            (Octl             *octl);
OctlExit     octl_printer_paths      (Octl             *octl,
                                      GPtrArray       **paths);
OctlExit     octl_printer_proxy      (Octl             *octl,
                                      const char       *path,
                                      GDBusProxyFlags   flags,
                                      OcdConnect1     **proxy);
OctlExit     octl_one_printer        (Octl             *octl,
                                      GDBusProxyFlags   flags,
                                      OcdConnect1     **proxy);
OctlExit     octl_root               (Octl             *octl,
                                      gboolean          first_printer,
                                      GDBusProxyFlags   flags,
                                      OcdConnect1     **proxy);
OctlExit     octl_call               (Octl             *octl,
                                      OcdConnect1      *proxy,
                                      const char       *method,
                                      GVariant         *parameters,
                                      GVariant        **reply);
OctlExit     octl_fail               (const GError     *error);
OctlExit     octl_not_running        (Octl             *octl);

/* octl-output.c: words, colours, numbers and JSON */
const char  *octl_color              (Octl             *octl,
                                      OctlColor         color);
OctlColor    octl_state_color        (const char       *state);
const char  *octl_fix_title          (const char       *fix);
OctlExit     octl_problem_exit       (const char       *problem);
OctlExit     octl_test_result_exit   (const char       *result);
char        *octl_format_clock       (gint64            usec);
void         octl_print_rows         (Octl             *octl,
                                      const char       *indent,
                                      const char *const *labels,
                                      const char *const *values,
                                      guint             n_rows);
void         octl_print_json         (JsonNode         *node);
JsonNode    *octl_json_from_variant  (GVariant         *value);
JsonNode    *octl_json_reply         (const char       *method,
                                      GVariant         *reply);
JsonNode    *octl_json_properties    (OcdConnect1      *proxy);

/* the commands: octl-status.c, octl-report.c, octl-commands.c */
OctlExit     octl_cmd_status         (Octl *octl, int argc, char **argv);
OctlExit     octl_cmd_monitor        (Octl *octl, int argc, char **argv);
OctlExit     octl_cmd_report         (Octl *octl, int argc, char **argv);
OctlExit     octl_cmd_test           (Octl *octl, int argc, char **argv);
OctlExit     octl_cmd_diagnose       (Octl *octl, int argc, char **argv);
OctlExit     octl_cmd_log            (Octl *octl, int argc, char **argv);
OctlExit     octl_cmd_link           (Octl *octl, int argc, char **argv);
OctlExit     octl_cmd_unlink         (Octl *octl, int argc, char **argv);
OctlExit     octl_cmd_server         (Octl *octl, int argc, char **argv);
OctlExit     octl_cmd_debug          (Octl *octl, int argc, char **argv);
OctlExit     octl_cmd_reset_errors   (Octl *octl, int argc, char **argv);
OctlExit     octl_cmd_reconnect      (Octl *octl, int argc, char **argv);
OctlExit     octl_cmd_wifi_power_save (Octl *octl, int argc, char **argv);
OctlExit     octl_cmd_network_time   (Octl *octl, int argc, char **argv);

/* set by main() from -n and -f; only "log" reads them */
extern int      octl_log_lines;
extern gboolean octl_log_follow;

/* octl-report.c: the chart, also for tests of its shape */
char        *octl_chart_line         (const guint      *counts,
                                      guint             n,
                                      guint             max,
                                      gboolean          utf8);

G_END_DECLS
