/* test-message.c — the server's WebSocket frames as the agent role reads
 * them (ocd_message_parse), and what it sends: the status with _ts and the
 * passthru answer (docs/obico-protocol.md, "WebSocket").  Frames as obico-server
 * sends them, and hostile ones: not JSON, not UTF-8, too deep, lone
 * surrogates, huge, cut short. */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "ocd-message.h"

typedef struct {
  const char     *name;
  const char     *text;
  OcdMessageKind  kind;
  const char     *summary;   /* NULL: none */
  const char     *ref;       /* passthru: the ref's JSON text; else NULL */
} Case;

static const Case table[] = {
  /* what obico-server sends */
  { "accept", "{\"remote_status\":{\"viewing\":false,\"should_watch\":false}}",
    OCD_MESSAGE_REMOTE_STATUS, "{\"viewing\":false,\"should_watch\":false}", NULL },
  { "relayed remote status", "{\"remote_status\":{\"viewing\":true,\"should_watch\":true},\"type\":\"printer.message\"}",
    OCD_MESSAGE_REMOTE_STATUS, "{\"viewing\":true,\"should_watch\":true}", NULL },
  { "commands", "{\"commands\":[{\"cmd\":\"pause\",\"args\":{},\"initiator\":\"api\"}],\"type\":\"printer.message\"}",
    OCD_MESSAGE_COMMANDS, "[{\"cmd\":\"pause\",\"args\":{},\"initiator\":\"api\"}]", NULL },
  { "no commands", "{\"commands\":[]}", OCD_MESSAGE_COMMANDS, "[]", NULL },
  { "passthru", "{\"passthru\":{\"ref\":\"abc123\",\"target\":\"_printer\",\"func\":\"get_status\",\"args\":[],\"kwargs\":{}}}",
    OCD_MESSAGE_PASSTHRU, "passthru", "\"abc123\"" },
  { "relayed passthru", "{\"passthru\":{\"ref\":\"r1\",\"func\":\"x\"},\"type\":\"printer.message\"}",
    OCD_MESSAGE_PASSTHRU, "passthru", "\"r1\"" },
  { "janus", "{\"janus\":\"{\\\"janus\\\":\\\"ack\\\"}\"}", OCD_MESSAGE_OTHER, NULL, NULL },
  { "http tunnel", "{\"http.tunnelv2\":{\"ref\":\"r\",\"method\":\"get\",\"path\":\"/\"}}", OCD_MESSAGE_OTHER, NULL, NULL },
  { "ws tunnel", "{\"ws.tunnel\":{\"ref\":\"r\",\"data\":\"x\"}}", OCD_MESSAGE_OTHER, NULL, NULL },
  { "only the type", "{\"type\":\"printer.message\"}", OCD_MESSAGE_OTHER, NULL, NULL },
  { "empty object", "{}", OCD_MESSAGE_OTHER, NULL, NULL },
  { "unknown key", "{\"firmware_update\":{}}", OCD_MESSAGE_OTHER, NULL, NULL },
  { "keys are case-sensitive", "{\"Commands\":[],\"PASSTHRU\":{}}", OCD_MESSAGE_OTHER, NULL, NULL },
  { "white space around", "  \r\n\t{\"commands\":[]}\n  ", OCD_MESSAGE_COMMANDS, "[]", NULL },

  /* the passthru ref is answered back as it came, whatever JSON it is */
  { "number ref", "{\"passthru\":{\"ref\":7,\"func\":\"x\"}}", OCD_MESSAGE_PASSTHRU, "passthru", "7" },
  { "object ref", "{\"passthru\":{\"ref\":{\"a\":[1,2.5,null]},\"func\":\"x\"}}",
    OCD_MESSAGE_PASSTHRU, "passthru", "{\"a\":[1,2.5,null]}" },
  { "null ref", "{\"passthru\":{\"ref\":null}}", OCD_MESSAGE_PASSTHRU, "passthru", "null" },
  { "no ref", "{\"passthru\":{\"func\":\"x\"}}", OCD_MESSAGE_PASSTHRU, "passthru", "null" },
  { "passthru a string", "{\"passthru\":\"not an object\"}", OCD_MESSAGE_PASSTHRU, "passthru", "null" },
  { "passthru null", "{\"passthru\":null}", OCD_MESSAGE_PASSTHRU, "passthru", "null" },
  { "passthru an array", "{\"passthru\":[{\"ref\":\"r\"}]}", OCD_MESSAGE_PASSTHRU, "passthru", "null" },

  /* a message with several keys: passthru, then commands, then remote_status */
  { "passthru first", "{\"remote_status\":{},\"commands\":[],\"passthru\":{\"ref\":\"r\"}}",
    OCD_MESSAGE_PASSTHRU, "passthru", "\"r\"" },
  { "commands before remote status", "{\"remote_status\":{\"viewing\":true},\"commands\":[1]}",
    OCD_MESSAGE_COMMANDS, "[1]", NULL },
  { "passthru over janus", "{\"janus\":\"x\",\"passthru\":{\"ref\":1}}", OCD_MESSAGE_PASSTHRU, "passthru", "1" },

  /* the summary is the value as JSON, whatever its type */
  { "commands null", "{\"commands\":null}", OCD_MESSAGE_COMMANDS, "null", NULL },
  { "commands a number", "{\"commands\":5}", OCD_MESSAGE_COMMANDS, "5", NULL },
  { "remote status a string", "{\"remote_status\":\"x\"}", OCD_MESSAGE_REMOTE_STATUS, "\"x\"", NULL },
  { "a NUL escape", "{\"commands\":\"a\\u0000b\"}", OCD_MESSAGE_COMMANDS, "\"a\"", NULL },

  /* not a JSON object: ignored */
  { "array", "[1,2,3]", OCD_MESSAGE_INVALID, NULL, NULL },
  { "array of a message", "[{\"commands\":[]}]", OCD_MESSAGE_INVALID, NULL, NULL },
  { "string", "\"commands\"", OCD_MESSAGE_INVALID, NULL, NULL },
  { "number", "42", OCD_MESSAGE_INVALID, NULL, NULL },
  { "null", "null", OCD_MESSAGE_INVALID, NULL, NULL },
  { "true", "true", OCD_MESSAGE_INVALID, NULL, NULL },
  { "white space only", " \n\t ", OCD_MESSAGE_INVALID, NULL, NULL },
  { "plain text", "Access denied", OCD_MESSAGE_INVALID, NULL, NULL },
  { "html", "<html><body>502 Bad Gateway</body></html>", OCD_MESSAGE_INVALID, NULL, NULL },
  { "cut short", "{\"commands\":[{\"cmd\":\"pau", OCD_MESSAGE_INVALID, NULL, NULL },
  { "open brace", "{", OCD_MESSAGE_INVALID, NULL, NULL },
  { "no value", "{\"commands\":}", OCD_MESSAGE_INVALID, NULL, NULL },
  { "trailing comma", "{\"commands\":[],}", OCD_MESSAGE_INVALID, NULL, NULL },
  { "stray bracket", "{\"commands\":[]}]", OCD_MESSAGE_INVALID, NULL, NULL },
  { "bare key", "{commands:[]}", OCD_MESSAGE_INVALID, NULL, NULL },
  { "NaN", "{\"commands\":[NaN]}", OCD_MESSAGE_INVALID, NULL, NULL },
  { "not UTF-8", "{\"commands\":\"\xc3\x28\"}", OCD_MESSAGE_INVALID, NULL, NULL },
  { "Latin-1", "{\"commands\":\"M\xfcnchen\"}", OCD_MESSAGE_INVALID, NULL, NULL },
  { "overlong UTF-8", "{\"commands\":\"\xc0\xaf\"}", OCD_MESSAGE_INVALID, NULL, NULL },
  { "UTF-16 surrogate encoded", "{\"commands\":\"\xed\xa0\x80\"}", OCD_MESSAGE_INVALID, NULL, NULL },
};

static void
assert_case (const Case *c, const char *data, gsize length)
{
  g_auto(OcdMessage) message = { 0 };

  ocd_message_parse (data, length, &message);
  if (message.kind != c->kind)
    g_error ("%s: kind %d, expected %d", c->name, message.kind, c->kind);
  if (g_strcmp0 (message.summary, c->summary) != 0)
    g_error ("%s: summary “%s”, expected “%s”", c->name, message.summary, c->summary);
  if (g_strcmp0 (message.passthru_ref, c->ref) != 0)
    g_error ("%s: ref “%s”, expected “%s”", c->name, message.passthru_ref, c->ref);
}

static void
test_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      const Case *c = &table[i];
      gsize length = strlen (c->text);
      /* a frame's payload is not NUL-terminated: parse a copy without one */
      g_autofree char *copy = g_malloc (length + 8);

      memcpy (copy, c->text, length);
      memset (copy + length, '}', 8);
      assert_case (c, copy, length);
    }
}

static void
test_empty (void)
{
  g_auto(OcdMessage) message = { 0 };

  ocd_message_parse (NULL, 0, &message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_INVALID);
  ocd_message_parse ("{\"commands\":[]}", 0, &message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_INVALID);
  g_assert_null (message.summary);
}

/* Only the frame's length counts, not what follows in memory. */
static void
test_length (void)
{
  static const char buffer[] = "{\"commands\":[1]}{\"passthru\":{\"ref\":2}}";
  g_auto(OcdMessage) message = { 0 };

  ocd_message_parse (buffer, strlen ("{\"commands\":[1]}"), &message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_COMMANDS);
  g_assert_cmpstr (message.summary, ==, "[1]");

  /* a frame cut inside the object */
  ocd_message_parse (buffer, 10, &message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_INVALID);
}

/* A NUL byte inside the frame is not UTF-8 text. */
static void
test_nul_byte (void)
{
  static const char frame[] = "{\"commands\":[]}\0{\"passthru\":{}}";
  static const char inside[] = "{\"commands\":\"a\0b\"}";
  g_auto(OcdMessage) message = { 0 };

  ocd_message_parse (frame, sizeof frame - 1, &message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_INVALID);
  ocd_message_parse (inside, sizeof inside - 1, &message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_INVALID);
  g_assert_null (message.summary);
}

/* The struct is reused frame after frame: nothing of the last one stays. */
static void
test_reuse (void)
{
  g_auto(OcdMessage) message = { 0 };
  const char *passthru = "{\"passthru\":{\"ref\":\"r\"}}";
  const char *commands = "{\"commands\":[2]}";

  ocd_message_parse (passthru, strlen (passthru), &message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_PASSTHRU);
  ocd_message_parse (commands, strlen (commands), &message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_COMMANDS);
  g_assert_null (message.passthru_ref);
  ocd_message_parse ("[", 1, &message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_INVALID);
  g_assert_null (message.summary);
  g_assert_null (message.passthru_ref);

  ocd_message_clear (&message);
  ocd_message_clear (&message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_INVALID);
}

static char *
nested (const char *before, guint depth, const char *after)
{
  GString *s = g_string_new (before);

  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, ']');
  g_string_append (s, after);
  return g_string_free (s, FALSE);
}

/* json-glib recurses per level: 64 levels are parsed, deeper is refused
 * before the parser sees it. */
static void
test_depth (void)
{
  g_autofree char *deep_ok = nested ("{\"commands\":", 63, "}");
  g_autofree char *too_deep = nested ("{\"commands\":", 64, "}");
  g_autofree char *very_deep = nested ("{\"commands\":", 100000, "}");
  g_autofree char *only_open = g_strnfill (200000, '[');
  g_auto(OcdMessage) message = { 0 };

  g_assert_false (ocd_json_too_deep (deep_ok, strlen (deep_ok)));
  ocd_message_parse (deep_ok, strlen (deep_ok), &message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_COMMANDS);

  g_assert_true (ocd_json_too_deep (too_deep, strlen (too_deep)));
  ocd_message_parse (too_deep, strlen (too_deep), &message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_INVALID);

  ocd_message_parse (very_deep, strlen (very_deep), &message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_INVALID);
  ocd_message_parse (only_open, strlen (only_open), &message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_INVALID);

  /* objects count as much as arrays */
  {
    GString *s = g_string_new (NULL);

    for (guint i = 0; i < 65; i++)
      g_string_append (s, "{\"a\":");
    g_string_append (s, "1");
    for (guint i = 0; i < 65; i++)
      g_string_append_c (s, '}');
    g_assert_true (ocd_json_too_deep (s->str, s->len));
    g_string_free (s, TRUE);
  }
}

/* Brackets inside strings are text, not nesting, and an escaped quote or
 * backslash does not end or prolong a string. */
static void
test_depth_strings (void)
{
  g_autofree char *brackets = g_strnfill (1000, '[');
  g_autofree char *in_string = g_strdup_printf ("{\"commands\":\"%s\"}", brackets);
  g_autofree char *after_quote = g_strdup_printf ("{\"commands\":\"\\\"%s\"}", brackets);
  g_autofree char *after_backslash = nested ("{\"x\":\"\\\\\",\"commands\":", 64, "}");
  g_auto(OcdMessage) message = { 0 };

  g_assert_false (ocd_json_too_deep (in_string, strlen (in_string)));
  ocd_message_parse (in_string, strlen (in_string), &message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_COMMANDS);

  g_assert_false (ocd_json_too_deep (after_quote, strlen (after_quote)));
  ocd_message_parse (after_quote, strlen (after_quote), &message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_COMMANDS);

  /* "\\" ends with the quote after it: the brackets that follow are nesting */
  g_assert_true (ocd_json_too_deep (after_backslash, strlen (after_backslash)));
  ocd_message_parse (after_backslash, strlen (after_backslash), &message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_INVALID);

  /* closers without openers, and a string left open, are not "deep" */
  g_assert_false (ocd_json_too_deep ("]]]]]]]]}}}}", 12));
  g_assert_false (ocd_json_too_deep ("\"[[[[", 5));
  g_assert_false (ocd_json_too_deep ("\\", 1));
}

/* json-glib decodes a lone surrogate escape to bytes that are not UTF-8:
 * the summary is made valid, a ref is dropped (it could not be sent back). */
static void
test_lone_surrogates (void)
{
  static const char *summaries[] = {
    "{\"commands\":\"x\\ud800y\"}",
    "{\"commands\":[\"\\udfffz\"]}",
    "{\"remote_status\":{\"v\\ud800w\":false}}",
  };
  static const char *malformed[] = {
    "{\"commands\":[\"\\udfff\\ud800z\"]}",
    "{\"commands\":[\"a\\ud800\\ud800z\"]}",
    "{\"passthru\":{\"ref\":\"\\ud800\"}}",
    "{\"passthru\":{\"ref\":{\"k\\udc00\":1},\"func\":\"x\"}}",
    "{\"passthru\":{\"ref\":\"\\udc00\\udc00\"}}",
  };
  const char *ref = "{\"passthru\":{\"ref\":\"r\\ud800s\",\"func\":\"x\"}}";
  const char *ref_in_object = "{\"passthru\":{\"ref\":{\"k\\ud800x\":1},\"func\":\"x\"}}";
  const char *pair = "{\"passthru\":{\"ref\":\"\\ud83d\\ude00\"}}";
  g_auto(OcdMessage) message = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (summaries); i++)
    {
      ocd_message_parse (summaries[i], strlen (summaries[i]), &message);
      g_assert_cmpint (message.kind, !=, OCD_MESSAGE_INVALID);
      g_assert_nonnull (message.summary);
      g_assert_true (g_utf8_validate (message.summary, -1, NULL));
    }

  ocd_message_parse (ref, strlen (ref), &message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_PASSTHRU);
  g_assert_cmpstr (message.passthru_ref, ==, "null");

  ocd_message_parse (ref_in_object, strlen (ref_in_object), &message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_PASSTHRU);
  g_assert_cmpstr (message.passthru_ref, ==, "null");

  /* malformed pairs: json-glib refuses some; whatever it makes of them,
   * nothing but UTF-8 comes out */
  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      ocd_message_parse (malformed[i], strlen (malformed[i]), &message);
      if (message.summary != NULL)
        g_assert_true (g_utf8_validate (message.summary, -1, NULL));
      if (message.passthru_ref != NULL)
        g_assert_true (g_utf8_validate (message.passthru_ref, -1, NULL));
    }

  /* a proper pair is a character like any other */
  ocd_message_parse (pair, strlen (pair), &message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_PASSTHRU);
  g_assert_cmpstr (message.passthru_ref, ==, "\"\xf0\x9f\x98\x80\"");
}

/* The summary goes to the log: at most 200 characters and an ellipsis,
 * cut between characters; the ref is never cut (it is answered back). */
static void
test_long (void)
{
  g_autofree char *x198 = g_strnfill (198, 'x');
  g_autofree char *fits = g_strdup_printf ("{\"commands\":\"%s\"}", x198);
  g_autofree char *x199 = g_strnfill (199, 'x');
  g_autofree char *over = g_strdup_printf ("{\"commands\":\"%s\"}", x199);
  g_autofree char *x100k = g_strnfill (100000, 'x');
  g_autofree char *huge = g_strdup_printf ("{\"commands\":\"%s\"}", x100k);
  g_autofree char *big_ref = g_strdup_printf ("{\"passthru\":{\"ref\":\"%s\"}}", x100k);
  g_autoptr(GString) umlauts = g_string_new ("{\"remote_status\":\"");
  g_auto(OcdMessage) message = { 0 };

  ocd_message_parse (fits, strlen (fits), &message);
  g_assert_cmpint (g_utf8_strlen (message.summary, -1), ==, 200);
  g_assert_true (g_str_has_suffix (message.summary, "x\""));

  ocd_message_parse (over, strlen (over), &message);
  g_assert_cmpint (g_utf8_strlen (message.summary, -1), ==, 201);
  g_assert_true (g_str_has_prefix (message.summary, "\"xxx"));
  g_assert_true (g_str_has_suffix (message.summary, "x…"));

  ocd_message_parse (huge, strlen (huge), &message);
  g_assert_cmpint (g_utf8_strlen (message.summary, -1), ==, 201);

  for (guint i = 0; i < 300; i++)
    g_string_append (umlauts, "ä");
  g_string_append (umlauts, "\"}");
  ocd_message_parse (umlauts->str, umlauts->len, &message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_REMOTE_STATUS);
  g_assert_true (g_utf8_validate (message.summary, -1, NULL));
  g_assert_cmpint (g_utf8_strlen (message.summary, -1), ==, 201);
  g_assert_true (g_str_has_suffix (message.summary, "ä…"));

  ocd_message_parse (big_ref, strlen (big_ref), &message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_PASSTHRU);
  g_assert_cmpuint (strlen (message.passthru_ref), ==, 100002);
}

/* Whatever comes, the result is one of the kinds and its texts are UTF-8:
 * every prefix of real and hostile frames. */
static void
test_prefixes (void)
{
  static const char *frames[] = {
    "{\"passthru\":{\"ref\":{\"a\":[1,2.5,null,\"\\ud800\"]},\"target\":\"_printer\",\"func\":\"f\",\"args\":[],\"kwargs\":{}}}",
    "{\"commands\":[{\"cmd\":\"print\",\"args\":{\"file\":\"M\xc3\xbcnchen \\\"\\u00e4\\\".gcode\"},\"initiator\":\"api\"}]}",
    "{\"remote_status\":{\"viewing\":true,\"should_watch\":false},\"type\":\"printer.message\"}",
  };

  for (guint f = 0; f < G_N_ELEMENTS (frames); f++)
    for (gsize length = 0; length <= strlen (frames[f]); length++)
      {
        g_auto(OcdMessage) message = { 0 };

        ocd_message_parse (frames[f], length, &message);
        g_assert_cmpint (message.kind, >=, OCD_MESSAGE_INVALID);
        g_assert_cmpint (message.kind, <=, OCD_MESSAGE_OTHER);
        if (message.summary != NULL)
          g_assert_true (g_utf8_validate (message.summary, -1, NULL));
        if (message.passthru_ref != NULL)
          g_assert_true (g_utf8_validate (message.passthru_ref, -1, NULL));
        g_assert_true ((message.kind == OCD_MESSAGE_PASSTHRU) == (message.passthru_ref != NULL));
        if (length < strlen (frames[f]))
          g_assert_cmpint (message.kind, ==, OCD_MESSAGE_INVALID);
      }
}

static JsonObject *
parse_object (const char *text, JsonParser *parser)
{
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (text);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  if (!json_parser_load_from_data (parser, text, -1, &error))
    g_error ("not JSON: %s: %s", text, error->message);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

/* {"passthru":{"ref":R,"error":"text"}}: the server matches the answer to
 * the request by its ref, exactly as it was sent. */
static void
test_passthru_error (void)
{
  static const struct {
    const char *ref;
    const char *error;
    const char *answer;
  } cases[] = {
    { "\"abc123\"", "Not supported", "{\"passthru\":{\"ref\":\"abc123\",\"error\":\"Not supported\"}}" },
    { "7", "e", "{\"passthru\":{\"ref\":7,\"error\":\"e\"}}" },
    { "{\"a\":[1,2.5,null]}", "e", "{\"passthru\":{\"ref\":{\"a\":[1,2.5,null]},\"error\":\"e\"}}" },
    { "null", "e", "{\"passthru\":{\"ref\":null,\"error\":\"e\"}}" },
    { NULL, "e", "{\"passthru\":{\"ref\":null,\"error\":\"e\"}}" },
    /* a ref that is not JSON (never from ocd_message_parse) becomes null */
    { "{", "e", "{\"passthru\":{\"ref\":null,\"error\":\"e\"}}" },
    { "", "e", "{\"passthru\":{\"ref\":null,\"error\":\"e\"}}" },
    /* the error text is escaped */
    { "1", "say \"no\"\nback\\slash", "{\"passthru\":{\"ref\":1,\"error\":\"say \\\"no\\\"\\nback\\\\slash\"}}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *answer = ocd_message_passthru_error (cases[i].ref, cases[i].error);
      g_autoptr(JsonParser) parser = json_parser_new ();

      g_assert_cmpstr (answer, ==, cases[i].answer);
      parse_object (answer, parser);
    }
}

/* A passthru request from the server, answered: the same ref goes back,
 * and the answer is not taken for a status (it has the passthru key). */
static void
test_passthru_round_trip (void)
{
  static const char *requests[] = {
    "{\"passthru\":{\"ref\":\"abc123\",\"target\":\"_printer\",\"func\":\"get_status\",\"args\":[],\"kwargs\":{}}}",
    "{\"passthru\":{\"ref\":{\"id\":\"x\",\"n\":[1,2.5,-3e-7,true,null,{}]},\"func\":\"f\"}}",
    "{\"passthru\":{\"ref\":\"M\xc3\xbcnchen \\\"\\\\ \\u00e4 \\ud83d\\ude00\",\"func\":\"f\"}}",
    "{\"passthru\":{\"ref\":-0.5}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_auto(OcdMessage) message = { 0 };
      g_autoptr(JsonParser) request_parser = json_parser_new ();
      g_autoptr(JsonParser) answer_parser = json_parser_new ();
      g_autofree char *answer = NULL;
      JsonObject *request, *reply;

      ocd_message_parse (requests[i], strlen (requests[i]), &message);
      g_assert_cmpint (message.kind, ==, OCD_MESSAGE_PASSTHRU);
      answer = ocd_message_passthru_error (message.passthru_ref, "obico-connect runs no printer commands");

      request = json_object_get_object_member (parse_object (requests[i], request_parser), "passthru");
      reply = parse_object (answer, answer_parser);
      g_assert_cmpuint (json_object_get_size (reply), ==, 1);
      reply = json_object_get_object_member (reply, "passthru");
      g_assert_cmpuint (json_object_get_size (reply), ==, 2);
      g_assert_true (json_node_equal (json_object_get_member (request, "ref"),
                                      json_object_get_member (reply, "ref")));
      g_assert_cmpstr (json_object_get_string_member (reply, "error"), ==,
                       "obico-connect runs no printer commands");
      g_assert_false (json_object_has_member (reply, "ret"));
    }
}

/* The status: status._ts always (else the server ignores it), never an
 * empty status (that deletes the printer's cached status), no printer
 * state claimed, and the agent's name and version when asked. */
static void
test_status (void)
{
  static const double stamps[] = { 1700000000.25, 1700000000.0, 0.5 };

  for (guint i = 0; i < G_N_ELEMENTS (stamps); i++)
    for (int with_settings = 0; with_settings <= 1; with_settings++)
      {
        g_autofree char *text = ocd_message_status (stamps[i], with_settings);
        g_autoptr(JsonParser) parser = json_parser_new ();
        JsonObject *o = parse_object (text, parser);
        JsonObject *status, *state, *agent;
        JsonNode *ts;

        g_assert_false (json_object_has_member (o, "janus"));
        g_assert_false (json_object_has_member (o, "http.tunnelv2"));
        g_assert_false (json_object_has_member (o, "ws.tunnel"));
        g_assert_false (json_object_has_member (o, "passthru"));
        g_assert_cmpint (json_object_get_int_member (o, "current_print_ts"), ==, -1);

        status = json_object_get_object_member (o, "status");
        g_assert_nonnull (status);
        g_assert_cmpuint (json_object_get_size (status), >, 1);
        ts = json_object_get_member (status, "_ts");
        g_assert_nonnull (ts);
        g_assert_true (JSON_NODE_HOLDS_VALUE (ts));
        g_assert_cmpint (json_node_get_value_type (ts), ==, G_TYPE_DOUBLE);
        g_assert_cmpfloat (json_node_get_double (ts), ==, stamps[i]);

        state = json_object_get_object_member (status, "state");
        g_assert_nonnull (json_object_get_string_member (state, "text"));
        g_assert_cmpuint (json_object_get_size (json_object_get_object_member (state, "flags")), ==, 0);

        g_assert_cmpint (json_object_has_member (o, "settings"), ==, with_settings);
        if (!with_settings)
          continue;
        agent = json_object_get_object_member (json_object_get_object_member (o, "settings"), "agent");
        g_assert_cmpstr (json_object_get_string_member (agent, "name"), ==, "obico_connect");
        g_assert_cmpstr (json_object_get_string_member (agent, "version"), ==, PACKAGE_VERSION);
      }
}

/* What the agent sends is not mistaken for a server message by its own parser. */
static void
test_status_is_other (void)
{
  g_autofree char *text = ocd_message_status (1700000000.5, TRUE);
  g_auto(OcdMessage) message = { 0 };

  ocd_message_parse (text, strlen (text), &message);
  g_assert_cmpint (message.kind, ==, OCD_MESSAGE_OTHER);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/message/table", test_table);
  g_test_add_func ("/message/empty", test_empty);
  g_test_add_func ("/message/length", test_length);
  g_test_add_func ("/message/nul-byte", test_nul_byte);
  g_test_add_func ("/message/reuse", test_reuse);
  g_test_add_func ("/message/depth", test_depth);
  g_test_add_func ("/message/depth-strings", test_depth_strings);
  g_test_add_func ("/message/lone-surrogates", test_lone_surrogates);
  g_test_add_func ("/message/long", test_long);
  g_test_add_func ("/message/prefixes", test_prefixes);
  g_test_add_func ("/message/passthru-error", test_passthru_error);
  g_test_add_func ("/message/passthru-round-trip", test_passthru_round_trip);
  g_test_add_func ("/message/status", test_status);
  g_test_add_func ("/message/status-is-other", test_status_is_other);
  return g_test_run ();
}
