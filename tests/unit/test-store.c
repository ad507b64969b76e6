/* test-store.c — link.conf: parsing, the round trip, atomic private saves,
 * and corrupt files kept aside */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "obico-error.h"
#include "ocd-store.h"

typedef struct {
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("ocd-store-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_assert_cmpint (g_unlink (child), ==, 0);
    }
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  remove_tree (f->dir);
  g_free (f->dir);
}

static GStrv
list_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

static void
write_file (const char *dir, const char *contents, gssize length)
{
  g_autofree char *path = g_build_filename (dir, "link.conf", NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
}

static void
test_token_valid (void)
{
  g_autofree char *longest = g_strnfill (256, 'a');
  g_autofree char *too_long = g_strnfill (257, 'a');

  g_assert_true (ocd_store_token_valid ("0123456789abcdef0123"));
  g_assert_true (ocd_store_token_valid (longest));
  g_assert_false (ocd_store_token_valid (too_long));
  g_assert_false (ocd_store_token_valid (NULL));
  g_assert_false (ocd_store_token_valid (""));
  g_assert_false (ocd_store_token_valid ("abc def"));
  g_assert_false (ocd_store_token_valid ("abc\n"));
  g_assert_false (ocd_store_token_valid ("abc\tdef"));
  g_assert_false (ocd_store_token_valid ("abc\xc3\xa9"));
}

static void
test_round_trip (void)
{
  g_auto(OcdStoreData) in = {
    .server_url = g_strdup ("http://192.168.1.10:3334/obico"),
    .token = g_strdup ("0123456789abcdef0123"),
    .printer_id = 4711,
    .printer_name = g_strdup ("Prusa MK3 #2; \"front\" — Ä\nsecond line"),
    .debug_logging = TRUE,
  };
  g_auto(OcdStoreData) out = { .printer_id = -1 };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = ocd_store_serialize (&in);

  g_assert_true (ocd_store_parse (text, strlen (text), &out, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (out.server_url, ==, in.server_url);
  g_assert_cmpstr (out.token, ==, in.token);
  g_assert_cmpint (out.printer_id, ==, 4711);
  g_assert_cmpstr (out.printer_name, ==, in.printer_name);
  g_assert_true (out.debug_logging);
}

static void
test_round_trip_unlinked (void)
{
  g_auto(OcdStoreData) in = { .printer_id = -1 };
  g_auto(OcdStoreData) out = {
    .server_url = g_strdup ("http://old"),
    .token = g_strdup ("old-token"),
    .printer_id = 3,
    .debug_logging = TRUE,
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = ocd_store_serialize (&in);

  /* Nothing stored replaces what was there before. */
  g_assert_true (ocd_store_parse (text, strlen (text), &out, &error));
  g_assert_no_error (error);
  g_assert_null (out.server_url);
  g_assert_null (out.token);
  g_assert_cmpint (out.printer_id, ==, -1);
  g_assert_false (out.debug_logging);
}

static void
test_url_normalized (void)
{
  const char *text = "[server]\nurl=  http://example.com:3334/  \n";
  g_auto(OcdStoreData) out = { .printer_id = -1 };
  g_autoptr(GError) error = NULL;

  g_assert_true (ocd_store_parse (text, strlen (text), &out, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (out.server_url, ==, "http://example.com:3334");
}

static void
test_corrupt_rejected (void)
{
  g_autofree char *long_token = g_strnfill (300, 'a');
  g_autofree char *too_long = g_strdup_printf ("[link]\ntoken=%s\nprinter-id=1\n", long_token);
  const char *cases[] = {
    "garbage without a group",
    "[link\ntoken=abc\n",
    "\xff\xfe\x00\x01",
    "[server]\nurl=ftp://example.com\n",
    "[server]\nurl=http://user:pw@example.com\n",
    "[link]\ntoken=abc def\nprinter-id=1\n",
    "[link]\ntoken=\nprinter-id=1\n",
    "[link]\ntoken=0123456789abcdef0123\n",               /* no printer-id */
    "[link]\ntoken=0123456789abcdef0123\nprinter-id=abc\n",
    "[logging]\ndebug=maybe\n",
    too_long,
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(OcdStoreData) out = {
        .server_url = g_strdup ("http://kept"),
        .token = g_strdup ("kept-token"),
        .printer_id = 7,
      };
      g_autoptr(GError) error = NULL;
      gsize length = i == 2 ? 4 : strlen (cases[i]);

      g_test_message ("case %u", i);
      g_assert_false (ocd_store_parse (cases[i], length, &out, &error));
      g_assert_nonnull (error);
      /* A failed parse leaves the data as it was. */
      g_assert_cmpstr (out.server_url, ==, "http://kept");
      g_assert_cmpstr (out.token, ==, "kept-token");
      g_assert_cmpint (out.printer_id, ==, 7);
    }
}

static void
test_save_private_and_atomic (Fixture *f, gconstpointer data)
{
  g_autofree char *state_dir = g_build_filename (f->dir, "state", NULL);
  g_autofree char *path = g_build_filename (state_dir, "link.conf", NULL);
  g_auto(OcdStoreData) in = {
    .server_url = g_strdup ("https://app.obico.io"),
    .token = g_strdup ("0123456789abcdef0123"),
    .printer_id = 12,
    .printer_name = g_strdup ("Ender"),
  };
  g_auto(OcdStoreData) out = { .printer_id = -1 };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  GStatBuf st;

  /* The state directory is made, private, when it is missing. */
  g_assert_true (ocd_store_save (state_dir, &in, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (state_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* A file someone made readable becomes private again on the next save. */
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  g_free (in.printer_name);
  in.printer_name = g_strdup ("Ender 3");
  g_assert_true (ocd_store_save (state_dir, &in, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* No temporary file is left behind. */
  names = list_dir (state_dir);
  g_assert_cmpuint (g_strv_length (names), ==, 1);
  g_assert_cmpstr (names[0], ==, "link.conf");

  g_assert_true (ocd_store_load (state_dir, &out, NULL));
  g_assert_cmpstr (out.token, ==, in.token);
  g_assert_cmpstr (out.printer_name, ==, "Ender 3");
  g_assert_cmpint (out.printer_id, ==, 12);
}

static void
test_load_missing (Fixture *f, gconstpointer data)
{
  g_auto(OcdStoreData) out = { .printer_id = -1 };
  g_autofree char *aside = NULL;

  g_assert_true (ocd_store_load (f->dir, &out, &aside));
  g_assert_null (aside);
  g_assert_null (out.token);
}

static void
assert_moved_aside (Fixture *f, const char *contents, gssize length)
{
  g_autofree char *path = g_build_filename (f->dir, "link.conf", NULL);
  g_auto(OcdStoreData) out = { .printer_id = -1 };
  g_autofree char *aside = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *base = NULL;
  gsize kept_length = 0;
  GStatBuf st;

  write_file (f->dir, contents, length);
  g_test_expect_message ("ocd-store", G_LOG_LEVEL_WARNING, "*could not be read*");
  g_assert_false (ocd_store_load (f->dir, &out, &aside));
  g_test_assert_expected_messages ();

  g_assert_null (out.token);
  g_assert_nonnull (aside);
  base = g_path_get_basename (aside);
  g_assert_true (g_str_has_prefix (base, "link.conf.corrupt-"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  /* Kept whole, so a person can still recover the token from it. */
  g_assert_true (g_file_get_contents (aside, &kept, &kept_length, NULL));
  g_assert_cmpmem (kept, kept_length, contents, length < 0 ? strlen (contents) : (gsize) length);
  g_assert_cmpint (g_stat (aside, &st), ==, 0);
}

static void
test_load_garbage (Fixture *f, gconstpointer data)
{
  g_auto(GStrv) names = NULL;

  assert_moved_aside (f, "\x7f" "ELF garbage\xff\xfe", -1);
  /* A second bad file in the same second does not overwrite the first. */
  assert_moved_aside (f, "[link]\ntoken=has space\nprinter-id=1\n", -1);
  names = list_dir (f->dir);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
}

static void
test_load_oversized (Fixture *f, gconstpointer data)
{
  gsize size = 64 * 1024 + 1;
  g_autofree char *big = g_malloc (size);

  memset (big, '#', size);
  assert_moved_aside (f, big, size);
}

/* A transaction: begin copies, commit makes the copy the store's data and
 * puts it on disk; a store opened again reads it back. */
static void
test_transaction (Fixture *f, gconstpointer data)
{
  g_autoptr(OcdStore) store = ocd_store_new (f->dir);
  g_autoptr(OcdStore) again = ocd_store_new (f->dir);
  g_auto(OcdStoreData) changed = { .printer_id = -1 };
  g_autoptr(GError) error = NULL;

  ocd_store_open (store);
  g_assert_cmpstr (ocd_store_get_dir (store), ==, f->dir);
  g_assert_null (ocd_store_get (store)->token);
  g_assert_cmpint (ocd_store_get (store)->printer_id, ==, -1);

  changed = ocd_store_begin (store);
  changed.token = g_strdup ("0123456789abcdef0123");
  changed.printer_id = 7;
  changed.printer_name = g_strdup ("Voron");
  /* Not the store's until committed. */
  g_assert_null (ocd_store_get (store)->token);
  g_assert_true (ocd_store_commit (store, &changed, &error));
  g_assert_no_error (error);
  g_assert_null (changed.token);
  g_assert_cmpstr (ocd_store_get (store)->token, ==, "0123456789abcdef0123");
  g_assert_cmpint (ocd_store_get (store)->printer_id, ==, 7);

  ocd_store_open (again);
  g_assert_cmpstr (ocd_store_get (again)->token, ==, "0123456789abcdef0123");
  g_assert_cmpstr (ocd_store_get (again)->printer_name, ==, "Voron");
}

/* A save that fails (here link.conf's place is taken by a directory, which
 * stops root too) is StorageFailed, and changes nothing. */
static void
test_commit_fails (Fixture *f, gconstpointer data)
{
  g_autoptr(OcdStore) store = ocd_store_new (f->dir);
  g_autofree char *blocker = g_build_filename (f->dir, "link.conf", NULL);
  g_autofree char *inside = g_build_filename (blocker, "keep", NULL);
  g_auto(OcdStoreData) changed = { .printer_id = -1 };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;

  ocd_store_open (store);
  g_assert_cmpint (g_mkdir (blocker, 0700), ==, 0);
  g_assert_true (g_file_set_contents (inside, "", 0, NULL));

  changed = ocd_store_begin (store);
  changed.server_url = g_strdup ("https://obico.example");
  g_test_expect_message ("ocd-store", G_LOG_LEVEL_WARNING, "Could not save the link*");
  g_assert_false (ocd_store_commit (store, &changed, &error));
  g_test_assert_expected_messages ();
  g_assert_error (error, OBICO_ERROR, OBICO_ERROR_STORAGE_FAILED);
  g_assert_nonnull (strstr (error->message, "nothing was changed"));
  g_assert_null (changed.server_url);
  g_assert_null (ocd_store_get (store)->server_url);
  /* No half-written file is left beside it. */
  names = list_dir (f->dir);
  g_assert_cmpuint (g_strv_length (names), ==, 1);
  g_assert_cmpint (g_unlink (inside), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/token-valid", test_token_valid);
  g_test_add_func ("/store/round-trip", test_round_trip);
  g_test_add_func ("/store/round-trip-unlinked", test_round_trip_unlinked);
  g_test_add_func ("/store/url-normalized", test_url_normalized);
  g_test_add_func ("/store/corrupt-rejected", test_corrupt_rejected);
  g_test_add ("/store/save-private-and-atomic", Fixture, NULL,
              fixture_set_up, test_save_private_and_atomic, fixture_tear_down);
  g_test_add ("/store/load-missing", Fixture, NULL,
              fixture_set_up, test_load_missing, fixture_tear_down);
  g_test_add ("/store/load-garbage", Fixture, NULL,
              fixture_set_up, test_load_garbage, fixture_tear_down);
  g_test_add ("/store/load-oversized", Fixture, NULL,
              fixture_set_up, test_load_oversized, fixture_tear_down);
  g_test_add ("/store/transaction", Fixture, NULL,
              fixture_set_up, test_transaction, fixture_tear_down);
  g_test_add ("/store/commit-fails", Fixture, NULL,
              fixture_set_up, test_commit_fails, fixture_tear_down);
  return g_test_run ();
}
