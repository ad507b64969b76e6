/* test-agent-version.c — an official agent's version from its installed
 * files: the pure parsers, and the files found near the settings in a
 * temporary home (links are not followed, reads are bounded). */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ocd-agent-version.h"

static char *
py (const char *text)
{
  return ocd_agent_version_from_python (text, strlen (text));
}

static char *
meta (const char *text)
{
  return ocd_agent_version_from_metadata (text, strlen (text));
}

static void
assert_version (char *got, const char *want)
{
  g_assert_cmpstr (got, ==, want);
  g_free (got);
}

static void
test_python (void)
{
  assert_version (py ("VERSION = '1.7.0'\n"), "1.7.0");
  assert_version (py ("VERSION=\"2.0.0rc1\"  # released\r\n"), "2.0.0rc1");
  assert_version (py ("# VERSION = '0.1'\n__version__ = '1.5.2'\n"), "1.5.2");
  /* the last top-level assignment holds */
  assert_version (py ("VERSION = '1.0'\nVERSION = '1.1'\n"), "1.1");
  assert_version (py ("VERSION = '1.0'"), "1.0");
  /* indented, compared, computed, unterminated, empty, not a version */
  assert_version (py ("  VERSION = '1.0'\n"), NULL);
  assert_version (py ("VERSION == '1.0'\n"), NULL);
  assert_version (py ("VERSION = get()\n"), NULL);
  assert_version (py ("VERSION = '1.0\n'\n"), NULL);
  assert_version (py ("VERSION = ''\n"), NULL);
  assert_version (py ("VERSION = '1.0' + x\n"), NULL);
  assert_version (py ("VERSION = '1.0; rm -rf /'\n"), NULL);
  assert_version (py ("VERSIONS = '1.0'\n"), NULL);
  assert_version (py (""), NULL);
  assert_version (ocd_agent_version_from_python (NULL, 0), NULL);
  /* not beyond the length given */
  assert_version (ocd_agent_version_from_python ("VERSION = '1.0'", 13), NULL);
}

static void
test_metadata (void)
{
  assert_version (meta ("Metadata-Version: 2.1\nName: OctoPrint-Obico\nVersion: 2.5.0\nSummary: x\n\nbody\n"),
                  "2.5.0");
  assert_version (meta ("Metadata-Version: 1.0\r\nName: OctoPrint-Obico\r\nversion:   2.4.11  \r\n"), "2.4.11");
  /* only in the headers, not in the description */
  assert_version (meta ("Name: OctoPrint-Obico\n\nVersion: 9.9\n"), NULL);
  assert_version (meta ("Metadata-Version: 2.1\nName: OctoPrint-Obico\n"), NULL);
  assert_version (meta ("Version:\n"), NULL);
  assert_version (meta ("Version: 2.5.0 beta\n"), NULL);
  assert_version (meta ("Version: \xff\xfe\n"), NULL);
  assert_version (ocd_agent_version_from_metadata (NULL, 0), NULL);
}

static void
test_valid (void)
{
  g_assert_true (ocd_agent_version_is_valid ("1.7.0", 5));
  g_assert_true (ocd_agent_version_is_valid ("v2.0.0-rc.1+g1234", 17));
  g_assert_false (ocd_agent_version_is_valid ("", 0));
  g_assert_false (ocd_agent_version_is_valid (".1", 2));
  g_assert_false (ocd_agent_version_is_valid ("1 0", 3));
  g_assert_false (ocd_agent_version_is_valid ("1/0", 3));
  {
    g_autofree char *long_one = g_strnfill (65, '1');

    g_assert_true (ocd_agent_version_is_valid (long_one, 64));
    g_assert_false (ocd_agent_version_is_valid (long_one, 65));
  }
}

static void
write_file (const char *path, const char *text)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
test_read (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("agent-version-XXXXXX", NULL);
  g_autofree char *home = g_build_filename (tmp, "home", "pi", NULL);
  g_autofree char *cfg = g_build_filename (home, "printer_data", "config", "moonraker-obico.cfg", NULL);
  g_autofree char *yaml = g_build_filename (home, ".octoprint", "config.yaml", NULL);
  g_autofree char *version_py = g_build_filename (home, "moonraker-obico", "moonraker_obico", "version.py", NULL);
  g_autofree char *elsewhere = g_build_filename (tmp, "elsewhere.py", NULL);
  g_autofree char *site = g_build_filename (home, "oprint", "lib", "python3.9", "site-packages", NULL);
  g_autofree char *old = g_build_filename (site, "OctoPrint_Obico-2.4.9-py3.9.egg-info", "PKG-INFO", NULL);
  g_autofree char *new = g_build_filename (site, "OctoPrint_Obico-2.10.0.dist-info", "METADATA", NULL);
  g_autofree char *other = g_build_filename (site, "OctoPrint_Other-9.0.dist-info", "METADATA", NULL);
  g_autofree char *cmd = NULL;

  write_file (cfg, "[server]\n");
  write_file (yaml, "plugins: {}\n");
  /* nothing installed */
  assert_version (ocd_agent_version_read (OCD_AGENT_MOONRAKER, cfg), NULL);
  assert_version (ocd_agent_version_read (OCD_AGENT_OCTOPRINT, yaml), NULL);
  assert_version (ocd_agent_version_read (OCD_AGENT_MOONRAKER, "relative/moonraker-obico.cfg"), NULL);

  /* a link is not followed */
  write_file (elsewhere, "VERSION = '6.6.6'\n");
  write_file (version_py, "");
  g_assert_cmpint (g_unlink (version_py), ==, 0);
  g_assert_cmpint (symlink (elsewhere, version_py), ==, 0);
  assert_version (ocd_agent_version_read (OCD_AGENT_MOONRAKER, cfg), NULL);
  g_assert_cmpint (g_unlink (version_py), ==, 0);
  write_file (version_py, "VERSION = '1.7.0'\n");
  assert_version (ocd_agent_version_read (OCD_AGENT_MOONRAKER, cfg), "1.7.0");
  /* the checkout is moonraker-obico's, not OctoPrint-Obico's */
  assert_version (ocd_agent_version_read (OCD_AGENT_OCTOPRINT, yaml), NULL);

  /* the newest distribution that tells it; another plugin's is not looked at */
  write_file (other, "Version: 9.0\n");
  write_file (old, "Metadata-Version: 1.1\nName: OctoPrint-Obico\nVersion: 2.4.9\n");
  assert_version (ocd_agent_version_read (OCD_AGENT_OCTOPRINT, yaml), "2.4.9");
  write_file (new, "Metadata-Version: 2.1\nName: OctoPrint-Obico\nVersion: 2.10.0\n");
  assert_version (ocd_agent_version_read (OCD_AGENT_OCTOPRINT, yaml), "2.10.0");

  /* only the first 64 KiB are read */
  {
    g_autofree char *pad = g_strnfill (70 * 1024, '#');
    g_autofree char *text = g_strconcat (pad, "\nVERSION = '2.0'\n", NULL);

    write_file (version_py, text);
    assert_version (ocd_agent_version_read (OCD_AGENT_MOONRAKER, cfg), NULL);
  }

  cmd = g_strdup_printf ("rm -rf '%s'", tmp);
  g_assert_cmpint (system (cmd), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/agent-version/python", test_python);
  g_test_add_func ("/agent-version/metadata", test_metadata);
  g_test_add_func ("/agent-version/valid", test_valid);
  g_test_add_func ("/agent-version/read", test_read);
  return g_test_run ();
}
