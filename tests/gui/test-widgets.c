/* test-widgets.c — the app's pure parts and widgets, without a daemon
 *
 * Runs under Xvfb (see meson.build). GTK draws with the cairo renderer so the
 * chart's pixels can be checked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "obico-error.h"
#include "obico-url.h"
#include "oc-agent.h"
#include "oc-chart.h"
#include "oc-doctor.h"
#include "oc-fix.h"
#include "oc-fix-page.h"
#include "oc-format.h"
#include "oc-lanes.h"
#include "oc-link-page.h"
#include "oc-report-page.h"
#include "oc-support-report.h"
#include "oc-validate.h"

/* the ids of docs/guided-fixes.md, the contract with the daemon and scripts */
static const char * const spec_fix_ids[] = {
  "not-linked", "server-address", "internet", "tls", "not-obico-server", "invalid-credentials",
  "relink", "unarchive", "shared-credentials", "still-invalid", "websocket-blocked",
  "unreliable-network", "no-connectivity", "undetected", "debug-logging", "get-help", "server-error",
  "weak-wifi", "wifi-power-save", "under-voltage", "clock", "ipv6-broken", "dns", "proxy",
  "no-network",
  "agent-not-running", "agent-not-connected", "agent-not-reporting",
};

static void
test_fix_table (void)
{
  guint n_fixes;
  const OcFix *fixes = oc_fix_get_all (&n_fixes);
  ObicoFix fix_value;

  g_assert_cmpuint (n_fixes, ==, G_N_ELEMENTS (spec_fix_ids));
  for (guint i = 0; i < G_N_ELEMENTS (spec_fix_ids); i++)
    {
      const OcFix *fix;

      g_assert_true (obico_read_fix (spec_fix_ids[i], &fix_value));
      fix = oc_fix_lookup (fix_value);
      g_assert_nonnull (fix);
      g_assert_cmpint (fix->fix, ==, fix_value);
      g_assert_cmpstr (oc_fix_id (fix), ==, spec_fix_ids[i]);
      g_assert_cmpstr (oc_fix_id (&fixes[i]), ==, spec_fix_ids[i]);
      g_assert_nonnull (obico_fix_title (fix->fix));
      g_assert_true (strlen (fix->description) > 40);
    }
  g_assert_false (obico_read_fix ("no-such-fix", &fix_value));
  g_assert_false (obico_read_fix (NULL, &fix_value));
  g_assert_null (oc_fix_lookup ((ObicoFix) n_fixes));
}

/* What the daemon sends, as strings: the test reads them the way the app
 * does (obico-labels.h), so a value from a newer daemon goes the same way. */
typedef struct {
  const char *result, *state, *problem, *websocket, *severity;
  gboolean just_relinked;
  const char *diagnosis_problem;  /* NULL: no Diagnose ran */
  const char * const *diagnosis_fixes;
} DaemonSays;

static const OcFix *
decide (const DaemonSays *says)
{
  OcTestOutcome outcome = {
    .result = obico_read_test_result (says->result),
    .just_relinked = says->just_relinked,
    .state = obico_read_state (says->state),
    .problem = obico_read_problem (says->problem),
    .websocket = obico_read_web_socket (says->websocket),
    .severity = obico_read_severity (says->severity),
  };

  if (says->diagnosis_problem != NULL)
    outcome.diagnosis_fix = oc_fix_after_diagnosis (obico_read_problem (says->diagnosis_problem),
                                                    says->diagnosis_fixes);
  return oc_fix_after_test (&outcome);
}

static void
test_fix_after_test (void)
{
  const char * const dns[] = { "server-address", "get-help", NULL };
  const char * const route[] = { "internet", "get-help", NULL };
  const char * const tls[] = { "tls", NULL };
  const char * const newer[] = { "a-newer-fix", "tls", NULL };
  const struct {
    DaemonSays says;
    const char *expected;
  } cases[] = {
    { { "not-linked", "unlinked", "not-linked", "unknown", "none" }, "not-linked" },
    /* failed to contact: Diagnose decides between the address and the network */
    { { "failed-to-contact", "error", "internet", "closed", "total", FALSE, "server-address", dns }, "server-address" },
    { { "failed-to-contact", "error", "internet", "closed", "total", FALSE, "internet", route }, "internet" },
    { { "failed-to-contact", "error", "", "closed", "high", FALSE, "tls", tls }, "tls" },
    { { "failed-to-contact", "error", "", "closed", "high", FALSE, "", newer }, "tls" },
    { { "failed-to-contact", "error", "internet", "closed", "total" }, "internet" },
    { { "failed-to-contact", "error", "server-address", "closed", "total" }, "server-address" },
    { { "failed-to-contact", "error", "a-newer-problem", "closed", "total" }, "internet" },
    /* this host has no network: not the server, not its address */
    { { "failed-to-contact", "error", "no-network", "closed", "none", FALSE, "internet", route }, "no-network" },
    /* invalid credentials, and again right after a re-link */
    { { "invalid-credentials", "error", "invalid-credentials", "rejected", "none" }, "invalid-credentials" },
    { { "invalid-credentials", "error", "invalid-credentials", "rejected", "none", TRUE }, "still-invalid" },
    { { "invalid-credentials", "error", "shared-credentials", "shared-credentials", "none" }, "shared-credentials" },
    { { "unexpected-response", "error", "not-obico-server", "closed", "none" }, "not-obico-server" },
    { { "unexpected-response", "error", "server-error", "closed", "none" }, "server-error" },
    /* succeeded: the state decides */
    { { "succeeded", "okay", "", "connected", "none" }, "undetected" },
    { { "succeeded", "disconnected", "websocket-blocked", "blocked", "none" }, "websocket-blocked" },
    { { "succeeded", "error", "unreliable-network", "connected", "high" }, "unreliable-network" },
    { { "succeeded", "error", "", "closed", "total" }, "no-connectivity" },
    { { "succeeded", "error", "shared-credentials", "shared-credentials", "none" }, "shared-credentials" },
    /* the daemon named the cause of the drops: its page */
    { { "succeeded", "error", "weak-wifi", "connected", "moderate" }, "weak-wifi" },
    { { "succeeded", "error", "wifi-power-save", "connected", "moderate" }, "wifi-power-save" },
    { { "succeeded", "error", "under-voltage", "closed", "high" }, "under-voltage" },
    { { "succeeded", "error", "clock", "connected", "moderate" }, "clock" },
    { { "succeeded", "error", "weak-wifi", "closed", "total" }, "no-connectivity" },
    /* the route's causes: IPv6 broken or a slow name server under drops, a proxy without WebSocket */
    { { "succeeded", "error", "ipv6-broken", "connected", "moderate" }, "ipv6-broken" },
    { { "succeeded", "error", "dns", "connected", "moderate" }, "dns" },
    { { "succeeded", "disconnected", "proxy", "blocked", "none" }, "proxy" },
    { { "failed-to-contact", "error", "dns", "closed", "total" }, "dns" },
    /* a certificate not valid by a wrong clock */
    { { "failed-to-contact", "error", "clock", "closed", "total" }, "clock" },
    { { "succeeded", "connecting", "", "connecting", "none" }, NULL },
    /* a blocked WebSocket drives the error rate up: the cause is the WebSocket */
    { { "succeeded", "error", "unreliable-network", "blocked", "high" }, "websocket-blocked" },
    /* a newer daemon's result or state: the state, or nothing, decides */
    { { "a-newer-result", "okay", "", "connected", "none" }, "undetected" },
    { { "succeeded", "a-newer-state", "", "a-newer-websocket", "a-newer-severity" }, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const OcFix *fix = decide (&cases[i].says);

      g_test_message ("case %u: %s in state %s", i, cases[i].says.result, cases[i].says.state);
      g_assert_cmpstr (fix != NULL ? oc_fix_id (fix) : NULL, ==, cases[i].expected);
    }

  g_assert_true (oc_fix_after_diagnosis (OBICO_PROBLEM_INTERNET, route) == oc_fix_lookup (OBICO_FIX_INTERNET));
  g_assert_null (oc_fix_after_diagnosis (OBICO_PROBLEM_NONE, NULL));
  g_assert_true (oc_fix_for_problem (OBICO_PROBLEM_WEBSOCKET_BLOCKED) == oc_fix_lookup (OBICO_FIX_WEBSOCKET_BLOCKED));
  g_assert_null (oc_fix_for_problem (OBICO_PROBLEM_NONE));
  g_assert_cmpint (obico_read_problem ("a-newer-problem"), ==, OBICO_PROBLEM_NONE);
}

static void
test_validate_link_code (void)
{
  g_assert_true (oc_validate_link_code ("123456"));
  g_assert_true (oc_validate_link_code ("000000"));
  g_assert_false (oc_validate_link_code (NULL));
  g_assert_false (oc_validate_link_code (""));
  g_assert_false (oc_validate_link_code ("12345"));
  g_assert_false (oc_validate_link_code ("1234567"));
  g_assert_false (oc_validate_link_code ("12345a"));
  g_assert_false (oc_validate_link_code ("123 45"));
  g_assert_false (oc_validate_link_code ("１２３４５６"));  /* full-width digits */
}

/* The address field applies SetServerUrl's rules (common/obico-url.h). */
static void
test_server_url (void)
{
  const struct { const char *text; const char *normalized; } good[] = {
    { "https://app.obico.io", "https://app.obico.io" },
    { "  https://app.obico.io/  ", "https://app.obico.io" },
    { "http://192.168.1.10:3334", "http://192.168.1.10:3334" },
    { "HTTPS://obico.example.com:8443/obico//", "https://obico.example.com:8443/obico" },
    { "http://[fe80::1]:3334", "http://[fe80::1]:3334" },
    { "http://my-pi.local/obico", "http://my-pi.local/obico" },
  };
  const char *bad[] = {
    "", "   ", "app.obico.io", "ftp://app.obico.io", "https://", "https://user:pw@app.obico.io",
    "https://app.obico.io/?x=1", "https://app.obico.io/#top", "https://app obico.io",
    "https://app.obico.io:99999", "https://app.obico.io:0", "http://a/b/../%zz",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *normalized = NULL;

      g_test_message ("good: %s", good[i].text);
      normalized = obico_url_normalize (good[i].text, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (normalized, ==, good[i].normalized);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *normalized = NULL;

      g_test_message ("bad: %s", bad[i]);
      normalized = obico_url_normalize (bad[i], &error);
      g_assert_error (error, OBICO_ERROR, OBICO_ERROR_INVALID_ARGUMENT);
      /* a sentence that says what is wrong and what an address looks like */
      g_assert_true (g_str_has_prefix (error->message, "The server address is not valid: "));
      g_assert_nonnull (strstr (error->message, "https://app.obico.io"));
      g_assert_null (normalized);
    }
}

/* the entry row titled @title under @widget */
static GtkWidget *
find_entry_row (GtkWidget  *widget,
                const char *title)
{
  if (ADW_IS_ENTRY_ROW (widget) && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_entry_row (child, title);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The fix page's address field: a bad address is explained under it. */
static void
test_fix_page_server_url (void)
{
  OcFixPage *page = g_object_ref_sink (g_object_new (OC_TYPE_FIX_PAGE, NULL));
  GtkWidget *row = NULL;
  GtkWidget *error_label = NULL;

  oc_fix_page_set_fix (page, OBICO_FIX_SERVER_ADDRESS);
  g_assert_cmpint (oc_fix_page_get_fix (page), ==, OBICO_FIX_SERVER_ADDRESS);
  row = find_entry_row (GTK_WIDGET (page), "Address");
  g_assert_nonnull (row);
  /* the label right after the address's group */
  error_label = gtk_widget_get_next_sibling (gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP));
  g_assert_true (GTK_IS_LABEL (error_label));
  g_assert_true (gtk_widget_has_css_class (error_label, "error"));
  g_assert_nonnull (error_label);
  g_assert_false (gtk_widget_get_visible (error_label));

  gtk_editable_set_text (GTK_EDITABLE (row), "app.obico.io");
  g_signal_emit_by_name (row, "apply");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==,
                   "The server address is not valid: it must start with https:// or http://. "
                   "Use http(s)://host[:port][/path], for example https://app.obico.io or http://192.168.1.10:3334.");
  g_assert_true (gtk_widget_has_css_class (row, "error"));

  /* editing clears the complaint */
  gtk_editable_set_text (GTK_EDITABLE (row), "https://app.obico.io");
  g_assert_false (gtk_widget_get_visible (error_label));
  g_assert_false (gtk_widget_has_css_class (row, "error"));

  g_object_unref (page);
}

/* A visible button whose action is @action_name, or NULL. */
static GtkWidget *
find_action_button (GtkWidget *widget, const char *action_name)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_get_visible (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_action_button (child, action_name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The pages of wifi-power-save and clock offer the daemon's remedy; the
 * other causes' pages say what a person can do, and offer none. */
static void
test_fix_page_remedies (void)
{
  OcFixPage *page = g_object_ref_sink (g_object_new (OC_TYPE_FIX_PAGE, NULL));
  GtkWidget *button;

  oc_fix_page_set_fix (page, OBICO_FIX_WIFI_POWER_SAVE);
  button = find_action_button (GTK_WIDGET (page), "app.turn-off-wifi-power-save");
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "_Turn Off Power Saving");
  g_assert_null (find_action_button (GTK_WIDGET (page), "app.turn-on-network-time"));

  oc_fix_page_set_fix (page, OBICO_FIX_CLOCK);
  button = find_action_button (GTK_WIDGET (page), "app.turn-on-network-time");
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "_Turn On Network Time");
  g_assert_null (find_action_button (GTK_WIDGET (page), "app.turn-off-wifi-power-save"));

  for (guint i = 0; i < 2; i++)
    {
      oc_fix_page_set_fix (page, i == 0 ? OBICO_FIX_WEAK_WIFI : OBICO_FIX_UNDER_VOLTAGE);
      g_assert_null (find_action_button (GTK_WIDGET (page), "app.turn-on-network-time"));
      g_assert_null (find_action_button (GTK_WIDGET (page), "app.turn-off-wifi-power-save"));
      g_assert_nonnull (find_action_button (GTK_WIDGET (page), "app.test"));
    }
  g_object_unref (page);
}

/* The app's own look for each value: icons and style classes; the words are
 * common/obico-labels.c's (tests/unit/test-labels.c). */
static void
test_format_look (void)
{
  const struct { const char *state, *style; } cases[] = {
    { "okay", "success" },
    { "disconnected", "warning" },
    { "error", "error" },
    { "unlinked", "warning" },
    { "connecting", "accent" },
    { "something-new", "accent" },
    { NULL, "accent" },
  };
  GEnumClass *klass;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ObicoState state = obico_read_state (cases[i].state);

      g_assert_cmpstr (oc_state_style_class (state), ==, cases[i].style);
      g_assert_nonnull (oc_state_icon_name (state));
    }

  klass = g_type_class_ref (OBICO_TYPE_SEVERITY);
  for (guint i = 0; i < klass->n_values; i++)
    {
      g_assert_nonnull (oc_severity_icon_name (klass->values[i].value));
      g_assert_cmpstr (oc_severity_style_class (klass->values[i].value), !=,
                       oc_severity_style_class (OBICO_SEVERITY_UNKNOWN));
    }
  g_type_class_unref (klass);

  klass = g_type_class_ref (OBICO_TYPE_FIX);
  for (guint i = 0; i < klass->n_values; i++)
    {
      const OcFix *fix = oc_fix_lookup (klass->values[i].value);

      g_assert_nonnull (fix);
      g_assert_cmpint (fix->fix, ==, klass->values[i].value);
    }
  g_type_class_unref (klass);
}

/* The app tells the daemon's errors apart by their codes: the dialog's heading. */
static void
test_format_error (void)
{
  g_autoptr(GError) denied = NULL;
  g_autoptr(GError) read_only = NULL;
  g_autoptr(GError) remote = g_dbus_error_new_for_dbus_error ("io.obico.Connect1.Error.CodeRejected",
                                                              "The server did not accept this code.");
  g_autoptr(GError) gone = g_dbus_error_new_for_dbus_error ("org.freedesktop.DBus.Error.ServiceUnknown",
                                                            "The name io.obico.Connect1 was not provided");
  g_autoptr(GError) local = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "Disk full");

  /* io.obico.Connect1.Error is registered on this side too */
  g_assert_error (remote, OBICO_ERROR, OBICO_ERROR_CODE_REJECTED);
  g_assert_cmpstr (oc_error_title (remote), ==, "That Did Not Work");
  denied = g_dbus_error_new_for_dbus_error ("io.obico.Connect1.Error.NotAuthorized", "Ask an administrator.");
  g_assert_error (denied, OBICO_ERROR, OBICO_ERROR_NOT_AUTHORIZED);
  g_assert_cmpstr (oc_error_title (denied), ==, "Not Allowed");
  read_only = g_dbus_error_new_for_dbus_error ("io.obico.Connect1.Error.ReadOnlyCredentials", "Change it in the agent.");
  g_assert_cmpstr (oc_error_title (read_only), ==, "Change This in the Obico Agent");
  g_assert_cmpstr (oc_error_title (gone), ==, "Service Not Running");
  g_assert_cmpstr (oc_error_title (local), ==, "That Did Not Work");
}

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
collect_labels (GtkWidget *widget,
                GString   *out)
{
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, "%s\n", gtk_label_get_text (GTK_LABEL (widget)));

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_labels (child, out);
}

static void
test_link_page (void)
{
  OcLinkPage *page = g_object_ref_sink (g_object_new (OC_TYPE_LINK_PAGE, NULL));
  GtkEditable *text = GTK_EDITABLE (find_descendant (GTK_WIDGET (page), GTK_TYPE_TEXT));
  int position = 0;

  g_assert_nonnull (text);
  g_assert_false (oc_link_page_get_valid (page));

  /* a code pasted with a space and a letter comes out as its digits */
  gtk_editable_insert_text (text, "12a 34", -1, &position);
  g_assert_cmpstr (oc_link_page_get_code (page), ==, "1234");
  g_assert_false (oc_link_page_get_valid (page));

  position = -1;
  gtk_editable_set_position (text, -1);
  position = gtk_editable_get_position (text);
  gtk_editable_insert_text (text, "56789", -1, &position);
  g_assert_cmpstr (oc_link_page_get_code (page), ==, "123456");
  g_assert_true (oc_link_page_get_valid (page));

  oc_link_page_clear (page);
  g_assert_cmpstr (oc_link_page_get_code (page), ==, "");
  g_assert_false (oc_link_page_get_valid (page));

  g_object_unref (page);
}

static GVariant *
sample_events (gint64 now,
               guint  n,
               guint  error_every)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < n; i++)
    {
      g_variant_builder_open (&builder, G_VARIANT_TYPE ("a{sv}"));
      /* one event a minute, the newest now */
      g_variant_builder_add (&builder, "{sv}", "t", g_variant_new_int64 (now - (gint64) (n - 1 - i) * 60 * G_USEC_PER_SEC));
      g_variant_builder_add (&builder, "{sv}", "error", g_variant_new_boolean (error_every > 0 && i % error_every == 0));
      g_variant_builder_add (&builder, "{sv}", "kind", g_variant_new_string ("http"));
      g_variant_builder_add (&builder, "{sv}", "cause", g_variant_new_string ("timeout"));
      g_variant_builder_close (&builder);
    }

  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static GdkTexture *
render (GtkWidget *widget,
        int        width,
        int        height)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GError) error = NULL;
  GdkTexture *texture;

  gtk_widget_size_allocate (widget, &(GtkAllocation) { 0, 0, width, height }, -1);
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_to_node (snapshot);
  g_assert_nonnull (node);

  g_assert_true (gsk_renderer_realize (renderer, NULL, &error));
  g_assert_no_error (error);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_renderer_unrealize (renderer);

  return texture;
}

/* pixels close to the chart's error red (#e01b24) and attempts blue (#3584e4) */
static void
count_colors (GdkTexture *texture,
              guint      *red,
              guint      *blue)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guchar *data = g_malloc (width * height * 4);

  gdk_texture_download (texture, data, width * 4);
  *red = *blue = 0;
  for (int i = 0; i < width * height; i++)
    {
      /* cairo's ARGB32 in memory on little endian: B G R A */
      guchar b = data[i * 4], g = data[i * 4 + 1], r = data[i * 4 + 2];

      if (r > 200 && g < 60 && b < 60)
        (*red)++;
      if (r < 80 && g > 110 && g < 150 && b > 200)
        (*blue)++;
    }
}

static void
test_chart (void)
{
  GtkWidget *window = gtk_window_new ();
  OcChart *chart = OC_CHART (oc_chart_new ());
  gint64 now = g_get_real_time ();
  g_autoptr(GVariant) healthy = sample_events (now, 48, 0);
  g_autoptr(GVariant) flaky = sample_events (now, 48, 4);
  g_autoptr(GdkTexture) empty_texture = NULL;
  g_autoptr(GdkTexture) healthy_texture = NULL;
  g_autoptr(GdkTexture) flaky_texture = NULL;
  guint attempts_total = 0, errors_total = 0;
  guint red, blue;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (chart));
  gtk_widget_realize (window);

  g_assert_cmpuint (oc_chart_get_n_buckets (chart), >, 10);

  /* nothing recorded: no bars, only the legend's 10×10 swatches */
  oc_chart_set_events (chart, NULL, now);
  empty_texture = render (GTK_WIDGET (chart), 480, 180);
  count_colors (empty_texture, &red, &blue);
  g_assert_cmpuint (red, <=, 100);
  g_assert_cmpuint (blue, <=, 100);

  oc_chart_set_events (chart, flaky, now);
  for (guint i = 0; i < oc_chart_get_n_buckets (chart); i++)
    {
      guint attempts, errors;

      oc_chart_get_bucket (chart, i, &attempts, &errors);
      g_assert_cmpuint (errors, <=, attempts);
      attempts_total += attempts;
      errors_total += errors;
    }
  g_assert_cmpuint (attempts_total, ==, 48);
  g_assert_cmpuint (errors_total, ==, 12);

  /* the oldest event is in the first slot, the newest in the last */
  {
    guint attempts, errors;

    oc_chart_get_bucket (chart, 0, &attempts, &errors);
    g_assert_cmpuint (attempts, >, 0);
    oc_chart_get_bucket (chart, oc_chart_get_n_buckets (chart) - 1, &attempts, &errors);
    g_assert_cmpuint (attempts, >, 0);
  }

  flaky_texture = render (GTK_WIDGET (chart), 480, 180);
  count_colors (flaky_texture, &red, &blue);
  g_assert_cmpuint (red, >, 1000);
  g_assert_cmpuint (blue, >, 1000);

  oc_chart_set_events (chart, healthy, now);
  healthy_texture = render (GTK_WIDGET (chart), 480, 180);
  count_colors (healthy_texture, &red, &blue);
  /* only the legend's swatch is red */
  g_assert_cmpuint (red, <=, 100);
  g_assert_cmpuint (blue, >, 1000);

  if (g_getenv ("OC_TEST_OUTPUT_DIR") != NULL)
    {
      g_autofree char *path = g_build_filename (g_getenv ("OC_TEST_OUTPUT_DIR"), "chart-flaky.png", NULL);

      gdk_texture_save_to_png (flaky_texture, path);
    }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* GetReport's host_history over the last two hours before @now: a dip of
 * the signal with an RTT peak and retransmissions an hour ago, then under-
 * voltage and a roam, then the WebSocket gone. */
static GVariant *
sample_history (gint64 now)
{
  GVariantBuilder builder;
  GVariantDict dict;
  const char *gone[] = { "rtt_ms", "retransmits", NULL };

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "t", "x", now - 120 * G_TIME_SPAN_MINUTE);
  g_variant_dict_insert (&dict, "wifi_signal", "u", 80);
  g_variant_dict_insert (&dict, "wifi_bitrate", "u", 72200);
  g_variant_dict_insert (&dict, "rtt_ms", "d", 20.0);
  g_variant_dict_insert (&dict, "retransmits", "d", 0.0);
  g_variant_dict_insert (&dict, "under_voltage", "b", FALSE);
  g_variant_dict_insert (&dict, "clock_synchronized", "b", TRUE);
  g_variant_builder_add_value (&builder, g_variant_dict_end (&dict));
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "t", "x", now - 60 * G_TIME_SPAN_MINUTE);
  g_variant_dict_insert (&dict, "wifi_signal", "u", 70);
  g_variant_dict_insert (&dict, "wifi_signal_min", "u", 15);
  g_variant_dict_insert (&dict, "rtt_ms", "d", 300.0);
  g_variant_dict_insert (&dict, "retransmits", "d", 0.05);
  g_variant_dict_insert (&dict, "retransmits_max", "d", 0.1);
  g_variant_builder_add_value (&builder, g_variant_dict_end (&dict));
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "t", "x", now - 50 * G_TIME_SPAN_MINUTE);
  g_variant_dict_insert (&dict, "under_voltage", "b", TRUE);
  g_variant_dict_insert (&dict, "roams", "u", 1);
  g_variant_builder_add_value (&builder, g_variant_dict_end (&dict));
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "t", "x", now - 40 * G_TIME_SPAN_MINUTE);
  g_variant_dict_insert (&dict, "under_voltage", "b", FALSE);
  g_variant_dict_insert (&dict, "rtt_ms", "d", 30.0);
  g_variant_dict_insert (&dict, "retransmits", "d", 0.0);
  g_variant_builder_add_value (&builder, g_variant_dict_end (&dict));
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "t", "x", now - 10 * G_TIME_SPAN_MINUTE);
  g_variant_dict_insert_value (&dict, "gone", g_variant_new_strv (gone, -1));
  g_variant_builder_add_value (&builder, g_variant_dict_end (&dict));
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* pixels close to @r @g @b */
static guint
count_color (GdkTexture *texture,
             int         r,
             int         g,
             int         b)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guchar *data = g_malloc (width * height * 4);
  guint n = 0;

  gdk_texture_download (texture, data, width * 4);
  for (int i = 0; i < width * height; i++)
    if (ABS (data[i * 4 + 2] - r) < 24 && ABS (data[i * 4 + 1] - g) < 24 && ABS (data[i * 4] - b) < 24)
      n++;
  return n;
}

static void
test_lanes (void)
{
  GtkWidget *window = gtk_window_new ();
  OcLanes *lanes = OC_LANES (oc_lanes_new ());
  gint64 now = g_get_real_time ();
  gint64 start = now - 120 * G_TIME_SPAN_MINUTE;
  g_autoptr(GVariant) history = sample_history (now);
  g_autoptr(GVariant) events = NULL;
  g_autoptr(GVariant) empty = g_variant_ref_sink (g_variant_new ("aa{sv}", NULL));
  g_autoptr(GVariant) clock_only = g_variant_ref_sink (g_variant_new_parsed (
    "[{'t': <int64 1800000000000000>, 'clock_synchronized': <true>}]"));
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  double value = 0;
  GVariantBuilder builder;

  /* two failed attempts during the dip */
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (int i = 0; i < 2; i++)
    g_variant_builder_add_parsed (&builder, "{'t': <%x>, 'error': <true>}", now - (61 - i) * G_TIME_SPAN_MINUTE);
  events = g_variant_ref_sink (g_variant_builder_end (&builder));

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (lanes));
  gtk_window_set_default_size (GTK_WINDOW (window), 760, 280);
  /* its children draw only once mapped */
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);

  /* nothing the lanes show: no lanes */
  oc_lanes_set_history (lanes, NULL, NULL, start, now);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (lanes)));
  oc_lanes_set_history (lanes, empty, events, start, now);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (lanes)));
  oc_lanes_set_history (lanes, clock_only, events, start, now);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (lanes)));

  oc_lanes_set_history (lanes, history, events, start, now);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (lanes)));
  for (OcLane l = 0; l < OC_N_LANES; l++)
    g_assert_true (oc_lanes_has_lane (lanes, l));

  /* the values as the history has them, step by step */
  g_assert_true (oc_lanes_value_at (lanes, OC_LANE_SIGNAL, now - 90 * G_TIME_SPAN_MINUTE, &value));
  g_assert_cmpfloat (value, ==, 80);
  g_assert_true (oc_lanes_value_at (lanes, OC_LANE_SIGNAL, now, &value));
  g_assert_cmpfloat (value, ==, 70);
  g_assert_true (oc_lanes_value_at (lanes, OC_LANE_RTT, now - 55 * G_TIME_SPAN_MINUTE, &value));
  g_assert_cmpfloat (value, ==, 300);
  g_assert_true (oc_lanes_value_at (lanes, OC_LANE_RETRANSMITS, now - 55 * G_TIME_SPAN_MINUTE, &value));
  g_assert_cmpfloat_with_epsilon (value, 5.0, 1e-9);
  g_assert_false (oc_lanes_value_at (lanes, OC_LANE_RTT, now - 5 * G_TIME_SPAN_MINUTE, &value));
  g_assert_true (oc_lanes_value_at (lanes, OC_LANE_MARKS, now - 45 * G_TIME_SPAN_MINUTE, &value));
  g_assert_cmpfloat (value, ==, 1);
  g_assert_false (oc_lanes_value_at (lanes, OC_LANE_SIGNAL, start - G_TIME_SPAN_MINUTE, &value));

  /* each lane's label: what it is, its worst, and now */
  collect_labels (GTK_WIDGET (lanes), text);
  g_assert_nonnull (strstr (text->str, "Wi-Fi signal: lowest 15 %, now 70 %\n"));
  g_assert_nonnull (strstr (text->str, "Round-trip time: highest 300 ms\n"));
  g_assert_nonnull (strstr (text->str, "Retransmissions: highest 10.0 %\n"));
  g_assert_nonnull (strstr (text->str, "Under-voltage: 1 · Wi-Fi roams: 1\n"));

  /* the span begins within the minute of the dip's entry: the dip counts;
   * a minute later it does not */
  oc_lanes_set_history (lanes, history, events, now - 60 * G_TIME_SPAN_MINUTE + 30 * G_USEC_PER_SEC, now);
  g_string_truncate (text, 0);
  collect_labels (GTK_WIDGET (lanes), text);
  g_assert_nonnull (strstr (text->str, "Wi-Fi signal: lowest 15 %, now 70 %\n"));
  oc_lanes_set_history (lanes, history, events, now - 58 * G_TIME_SPAN_MINUTE, now);
  g_string_truncate (text, 0);
  collect_labels (GTK_WIDGET (lanes), text);
  g_assert_nonnull (strstr (text->str, "Wi-Fi signal: lowest 70 %, now 70 %\n"));
  oc_lanes_set_history (lanes, history, events, start, now);

  /* drawn: the signal's green, the RTT's purple, the retransmissions'
   * orange, the under-voltage's yellow, the failed attempts' red */
  texture = render (GTK_WIDGET (lanes), 760, 280);
  g_test_message ("green %u purple %u orange %u yellow %u red %u", count_color (texture, 38, 162, 105),
                  count_color (texture, 145, 65, 172), count_color (texture, 230, 97, 0),
                  count_color (texture, 229, 165, 10), count_color (texture, 224, 27, 36));
  g_assert_cmpuint (count_color (texture, 38, 162, 105), >, 1000);
  g_assert_cmpuint (count_color (texture, 145, 65, 172), >, 500);
  g_assert_cmpuint (count_color (texture, 230, 97, 0), >, 100);
  g_assert_cmpuint (count_color (texture, 229, 165, 10), >, 300);
  if (g_getenv ("OC_TEST_OUTPUT_DIR") != NULL)
    {
      g_autofree char *path = g_build_filename (g_getenv ("OC_TEST_OUTPUT_DIR"), "lanes.png", NULL);

      gdk_texture_save_to_png (texture, path);
    }

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_report_page (void)
{
  OcReportPage *page = g_object_ref_sink (g_object_new (OC_TYPE_REPORT_PAGE, NULL));
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GVariant) partial = NULL;
  g_autoptr(GVariant) full = NULL;
  g_autoptr(GVariant) events = sample_events (g_get_real_time (), 10, 2);
  GVariantDict dict;

  /* an empty report (a daemon that knows no keys yet) still reads sensibly */
  collect_labels (GTK_WIDGET (page), text);
  g_assert_nonnull (strstr (text->str, "No data yet\n"));
  g_assert_nonnull (strstr (text->str, "Never\n"));
  g_assert_nonnull (strstr (text->str, "0.0 %\n"));

  /* counts without a rate: the rate is worked out */
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "attempts", "u", 8);
  g_variant_dict_insert (&dict, "errors", "u", 2);
  partial = g_variant_ref_sink (g_variant_dict_end (&dict));
  oc_report_page_set_report (page, partial, g_get_real_time ());
  g_string_truncate (text, 0);
  collect_labels (GTK_WIDGET (page), text);
  g_assert_nonnull (strstr (text->str, "25.0 %\n"));
  g_assert_nonnull (strstr (text->str, "\n8\n"));

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "attempts", "u", 10);
  g_variant_dict_insert (&dict, "errors", "u", 5);
  g_variant_dict_insert (&dict, "rate", "d", 0.5);
  g_variant_dict_insert (&dict, "first", "x", (gint64) 1800000000 * G_USEC_PER_SEC);
  g_variant_dict_insert (&dict, "last", "x", (gint64) 1800000600 * G_USEC_PER_SEC);
  g_variant_dict_insert (&dict, "severity", "s", "high");
  g_variant_dict_insert (&dict, "alert", "b", TRUE);
  g_variant_dict_insert (&dict, "advice", "s", "Move the printer closer to the router.");
  g_variant_dict_insert_value (&dict, "events", events);
  full = g_variant_ref_sink (g_variant_dict_end (&dict));
  oc_report_page_set_report (page, full, g_get_real_time ());
  g_string_truncate (text, 0);
  collect_labels (GTK_WIDGET (page), text);
  g_assert_nonnull (strstr (text->str, "High error rate\n"));
  g_assert_nonnull (strstr (text->str, "Move the printer closer to the router.\n"));
  g_assert_nonnull (strstr (text->str, "50.0 %\n"));
  g_assert_null (strstr (text->str, "Never\n"));
  /* a daemon without host_history: no lanes */
  g_assert_false (gtk_widget_get_visible (find_descendant (GTK_WIDGET (page), OC_TYPE_LANES)));

  g_object_unref (page);
}

/* host_history under the chart, on its time axis: the lanes show, and the
 * page is drawn as a touchscreen would show it, scrolled to the lanes. */
static void
test_report_page_lanes (void)
{
  GtkWidget *window = gtk_window_new ();
  OcReportPage *page = OC_REPORT_PAGE (g_object_new (OC_TYPE_REPORT_PAGE, NULL));
  gint64 now = g_get_real_time ();
  g_autoptr(GVariant) history = sample_history (now);
  g_autoptr(GVariant) events = sample_events (now, 121, 0);
  g_autoptr(GVariant) report = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GdkTexture) texture = NULL;
  GtkWidget *lanes;
  GVariantDict dict;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_set_default_size (GTK_WINDOW (window), 600, 900);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "attempts", "u", 121);
  g_variant_dict_insert (&dict, "errors", "u", 0);
  g_variant_dict_insert_value (&dict, "events", events);
  g_variant_dict_insert_value (&dict, "host_history", history);
  report = g_variant_ref_sink (g_variant_dict_end (&dict));
  oc_report_page_set_report (page, report, now);

  lanes = find_descendant (GTK_WIDGET (page), OC_TYPE_LANES);
  g_assert_true (gtk_widget_get_visible (lanes));
  g_assert_true (oc_lanes_has_lane (OC_LANES (lanes), OC_LANE_SIGNAL));
  collect_labels (GTK_WIDGET (page), text);
  g_assert_nonnull (strstr (text->str, "Wi-Fi signal: lowest 15 %, now 70 %\n"));
  g_assert_nonnull (strstr (text->str, "Under-voltage: 1 · Wi-Fi roams: 1\n"));

  texture = render (GTK_WIDGET (page), 600, 900);
  g_assert_cmpuint (count_color (texture, 38, 162, 105), >, 300);
  if (g_getenv ("OC_TEST_OUTPUT_DIR") != NULL)
    {
      g_autofree char *path = g_build_filename (g_getenv ("OC_TEST_OUTPUT_DIR"), "report-page-lanes.png", NULL);

      gdk_texture_save_to_png (texture, path);
    }
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_support_report (void)
{
  g_autoptr(OcClient) client = oc_client_new (G_BUS_TYPE_SESSION);
  g_autoptr(OcDoctor) doctor = oc_doctor_new (client);
  const char *log_lines[] = { "line one", "line two", NULL };
  g_autofree char *down = NULL;
  g_autofree char *old = NULL;
  g_autofree char *report = NULL;
  g_autoptr(GVariant) old_daemon = NULL;
  g_autoptr(GVariant) daemon = NULL;
  GVariantDict configuration, dict;

  /* with the service down: still a report, saying so */
  down = oc_support_report_build (doctor, NULL, log_lines);
  g_assert_nonnull (strstr (down, "obico-connect " PACKAGE_VERSION));
  g_assert_nonnull (strstr (down, "== Service ==\nnot running\n"));
  g_assert_nonnull (strstr (down, "== Configuration ==\nnot available\n"));
  g_assert_nonnull (strstr (down, "== Last TEST ==\nnot run\n"));
  g_assert_nonnull (strstr (down, "== Recent log ==\nline one\nline two\n"));

  /* a daemon whose GetReport has no configuration yet */
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "attempts", "u", 3);
  old_daemon = g_variant_ref_sink (g_variant_dict_end (&dict));
  old = oc_support_report_build (doctor, old_daemon, log_lines);
  g_assert_nonnull (strstr (old, "== Configuration ==\nnot reported by this version of the service\n"));
  g_assert_nonnull (strstr (old, "== Connectivity report ==\nattempts: 3\n"));

  /* the configuration the daemon runs with, whatever its keys: as it is,
   * from the daemon (which left the secrets out), sorted, in its section only */
  g_variant_dict_init (&configuration, NULL);
  g_variant_dict_insert (&configuration, "file", "s", "/tmp/test/obico-connect.conf");
  g_variant_dict_insert (&configuration, "server_url", "s", "https://obico.example.com");
  g_variant_dict_insert (&configuration, "timeout", "d", 10.0);
  g_variant_dict_insert (&configuration, "max_events", "u", 500);
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "attempts", "u", 3);
  g_variant_dict_insert_value (&dict, "configuration", g_variant_dict_end (&configuration));
  daemon = g_variant_ref_sink (g_variant_dict_end (&dict));
  report = oc_support_report_build (doctor, daemon, log_lines);
  g_assert_nonnull (strstr (report, "== Configuration ==\n"
                                    "file = /tmp/test/obico-connect.conf\n"
                                    "max_events = 500\n"
                                    "server_url = https://obico.example.com\n"
                                    "timeout = 10.0\n"
                                    "\n== Last TEST ==\n"));
  g_assert_nonnull (strstr (report, "== Connectivity report ==\nattempts: 3\n\n== Recent log =="));
  g_assert_null (strstr (report, "configuration"));
  g_assert_null (strstr (report, "Official agent"));
  /* a daemon without a history: the host's section says so */
  g_assert_nonnull (strstr (down, "== Host ==\nnot reported by this version of the service\n"));
}

/* The host's context: Host (from GetReport while the proxy has none), a
 * summary of host_history and its entries, the proxy without a password. */
static void
test_support_report_host (void)
{
  g_autoptr(OcClient) client = oc_client_new (G_BUS_TYPE_SESSION);
  g_autoptr(OcDoctor) doctor = oc_doctor_new (client);
  gint64 now = (gint64) 1800000000 * G_USEC_PER_SEC;
  g_autoptr(GVariant) history = sample_history (now);
  g_autoptr(GVariant) daemon = NULL;
  g_autofree char *report = NULL;
  GVariantDict host, dict;

  g_variant_dict_init (&host, NULL);
  g_variant_dict_insert (&host, "wifi_signal", "u", 70);
  g_variant_dict_insert (&host, "proxy", "s", "http://proxy.lan:3128");
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "attempts", "u", 3);
  g_variant_dict_insert_value (&dict, "host", g_variant_dict_end (&host));
  g_variant_dict_insert_value (&dict, "host_history", history);
  daemon = g_variant_ref_sink (g_variant_dict_end (&dict));
  report = oc_support_report_build (doctor, daemon, NULL);
  g_test_message ("%s", report);
  g_assert_nonnull (strstr (report, "\n== Host ==\nproxy: 'http://proxy.lan:3128'\nwifi_signal: 70\n"
                                    "history: 5 changes since 2027-01-15 06:00:00 UTC\n"
                                    "history wifi signal: lowest 15 %, now 70 %\n"
                                    "history round-trip time: highest 300 ms, now not told\n"
                                    "history retransmissions: highest 10.0 %, now not told\n"
                                    "history under-voltage: 1 times\n"
                                    "history wifi roams: 1\n"
                                    "history clock not synchronized: 0 times\n"
                                    "history 2027-01-15 06:00:00 UTC: clock_synchronized=true retransmits=0 "
                                    "rtt_ms=20 under_voltage=false wifi_bitrate=72200 wifi_signal=80\n"
                                    "history 2027-01-15 07:00:00 UTC: retransmits=0.05 retransmits_max=0.1 "
                                    "rtt_ms=300 wifi_signal=70 wifi_signal_min=15\n"));
  g_assert_nonnull (strstr (report, "history 2027-01-15 07:50:00 UTC: gone=['rtt_ms', 'retransmits']\n"
                                    "\n== Connectivity report =="));
  /* in its own section, not again in the connectivity report's */
  g_assert_nonnull (strstr (report, "== Connectivity report ==\nattempts: 3\n\n== Recent log =="));
}

/* GetReport's agent_log gets a section of its own, line by line. */
static void
test_support_report_agent_log (void)
{
  g_autoptr(OcClient) client = oc_client_new (G_BUS_TYPE_SESSION);
  g_autoptr(OcDoctor) doctor = oc_doctor_new (client);
  const char *log_lines[] = { "line one", NULL };
  const char *agent_lines[] = { "2024-05-02 10:00:00 INFO obico.app - started",
                                "2024-05-02 10:00:01 DEBUG curl -H 'Authorization: Token …abcd'", NULL };
  g_autoptr(GVariant) daemon = NULL;
  g_autofree char *report = NULL;
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "attempts", "u", 3);
  g_variant_dict_insert_value (&dict, "agent_log", g_variant_new_strv (agent_lines, -1));
  daemon = g_variant_ref_sink (g_variant_dict_end (&dict));
  report = oc_support_report_build (doctor, daemon, log_lines);
  g_assert_nonnull (strstr (report, "== Connectivity report ==\nattempts: 3\n\n"));
  g_assert_nonnull (strstr (report, "== Recent log ==\nline one\n\n== Official agent's recent log ==\n"
                                    "2024-05-02 10:00:00 INFO obico.app - started\n"
                                    "2024-05-02 10:00:01 DEBUG curl -H 'Authorization: Token …abcd'\n"));
  g_assert_null (strstr (report, "agent_log"));
}

static GVariant *
agent_dict (const char *kind,
            const char *path,
            gboolean    watched,
            gboolean    installed,
            const char *service)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "kind", "s", kind);
  g_variant_dict_insert (&dict, "path", "s", path);
  g_variant_dict_insert (&dict, "watched", "b", watched);
  g_variant_dict_insert (&dict, "installed", "b", installed);
  g_variant_dict_insert (&dict, "service", "s", service);
  return g_variant_dict_end (&dict);
}

static GVariant *
report_with_agents (GVariant *first, ...)
{
  GVariantBuilder agents;
  GVariantDict dict;
  va_list args;

  g_variant_builder_init (&agents, G_VARIANT_TYPE ("aa{sv}"));
  va_start (args, first);
  for (GVariant *agent = first; agent != NULL; agent = va_arg (args, GVariant *))
    g_variant_builder_add_value (&agents, agent);
  va_end (args);
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert_value (&dict, "agents", g_variant_builder_end (&agents));
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

/* Which agent a page speaks of, and its own remedies with the real paths. */
static void
test_agent (void)
{
  const char *cfg = "/home/pi/printer_1_data/config/moonraker-obico.cfg";
  g_autoptr(GVariant) both = report_with_agents (
    agent_dict ("moonraker", cfg, FALSE, TRUE, "moonraker-obico-printer_1.service"),
    agent_dict ("octoprint", "/home/pi/.octoprint/config.yaml", TRUE, TRUE, ""), NULL);
  g_autoptr(GVariant) installed = report_with_agents (
    agent_dict ("octoprint", "/home/pi/.octoprint/config.yaml", FALSE, FALSE, ""),
    agent_dict ("a-newer-agent", "/opt/agent.conf", FALSE, TRUE, ""),
    agent_dict ("moonraker", cfg, FALSE, TRUE, "moonraker-obico-printer_1.service"), NULL);
  g_autoptr(GVariant) none = report_with_agents (
    agent_dict ("octoprint", "/home/pi/.octoprint/config.yaml", FALSE, FALSE, ""), NULL);
  g_autoptr(OcAgent) octoprint = oc_agent_from_report (both);
  g_autoptr(OcAgent) moonraker = oc_agent_from_report (installed);
  g_autofree char *server = NULL, *link = NULL, *debug = NULL;
  g_autofree char *op_server = NULL, *op_link = NULL, *op_debug = NULL;

  /* the watched one first */
  g_assert_nonnull (octoprint);
  g_assert_cmpint (octoprint->kind, ==, OC_AGENT_OCTOPRINT);
  g_assert_true (octoprint->watched);
  g_assert_cmpstr (oc_agent_name (octoprint), ==, "OctoPrint-Obico");
  op_server = oc_agent_server_steps (octoprint);
  op_link = oc_agent_link_steps (octoprint);
  op_debug = oc_agent_debug_steps (octoprint);
  g_assert_nonnull (strstr (op_server, "Settings → Obico for OctoPrint → Settings"));
  g_assert_nonnull (strstr (op_server, "Restart OctoPrint"));
  g_assert_nonnull (strstr (op_link, "Re-run Setup Wizard"));
  g_assert_nonnull (strstr (op_link, "sudo systemctl restart octoprint"));
  g_assert_nonnull (strstr (op_debug, "octoprint.plugins.obico"));
  g_assert_nonnull (strstr (op_debug, "DEBUG"));

  /* else the first one installed, whose kind this app knows */
  g_assert_nonnull (moonraker);
  g_assert_cmpint (moonraker->kind, ==, OC_AGENT_MOONRAKER);
  g_assert_false (moonraker->watched);
  g_assert_cmpstr (oc_agent_name (moonraker), ==, "moonraker-obico");
  server = oc_agent_server_steps (moonraker);
  link = oc_agent_link_steps (moonraker);
  debug = oc_agent_debug_steps (moonraker);
  g_assert_nonnull (strstr (server, "[server]"));
  g_assert_nonnull (strstr (server, cfg));
  g_assert_nonnull (strstr (server, "sudo systemctl restart moonraker-obico-printer_1.service"));
  g_assert_nonnull (strstr (link, "cd ~/moonraker-obico && ./install.sh"));
  g_assert_nonnull (strstr (link, "python -m moonraker_obico.link -c /home/pi/printer_1_data/config/moonraker-obico.cfg"));
  g_assert_nonnull (strstr (debug, "[logging]"));
  g_assert_nonnull (strstr (debug, "level = DEBUG"));
  g_assert_nonnull (strstr (debug, cfg));

  /* none installed, or no report */
  g_assert_null (oc_agent_from_report (none));
  g_assert_null (oc_agent_from_report (NULL));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/fix/table", test_fix_table);
  g_test_add_func ("/fix/after-test", test_fix_after_test);
  g_test_add_func ("/validate/link-code", test_validate_link_code);
  g_test_add_func ("/validate/server-url", test_server_url);
  g_test_add_func ("/fix-page/server-url", test_fix_page_server_url);
  g_test_add_func ("/fix-page/remedies", test_fix_page_remedies);
  g_test_add_func ("/format/look", test_format_look);
  g_test_add_func ("/format/error", test_format_error);
  g_test_add_func ("/link-page/code", test_link_page);
  g_test_add_func ("/chart/buckets-and-pixels", test_chart);
  g_test_add_func ("/lanes/history", test_lanes);
  g_test_add_func ("/report-page/keys", test_report_page);
  g_test_add_func ("/report-page/lanes", test_report_page_lanes);
  g_test_add_func ("/support-report/redaction", test_support_report);
  g_test_add_func ("/support-report/agent-log", test_support_report_agent_log);
  g_test_add_func ("/support-report/host", test_support_report_host);
  g_test_add_func ("/agent/from-report", test_agent);

  return g_test_run ();
}
