/* ocd-message.c — what the agent role says on the socket.  Every status
 * message carries status._ts: the server ignores a status without it, and a
 * message without a status (e.g. "{}") makes the app show the printer
 * offline at once (docs/obico-protocol.md). */
#include "config.h"

#include <json-glib/json-glib.h>

#include "ocd-message.h"

#define MAX_NESTING 64

void
ocd_message_clear (OcdMessage *message)
{
  g_clear_pointer (&message->passthru_ref, g_free);
  g_clear_pointer (&message->summary, g_free);
  message->kind = OCD_MESSAGE_INVALID;
}

gboolean
ocd_json_too_deep (const char *data, gsize length)
{
  int depth = 0;
  gboolean in_string = FALSE;

  /* json-glib recurses per level; refuse absurd nesting before parsing. */
  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > MAX_NESTING)
            return TRUE;
        }
      else if (c == '}' || c == ']')
        depth--;
    }
  return FALSE;
}

void
ocd_message_parse (const char *data, gsize length, OcdMessage *message)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *object;
  JsonNode *root;

  ocd_message_clear (message);
  if (data == NULL || length == 0 || !g_utf8_validate (data, length, NULL) ||
      ocd_json_too_deep (data, length) ||
      !json_parser_load_from_data (parser, data, length, NULL))
    return;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  object = json_node_get_object (root);

  if (json_object_has_member (object, "passthru"))
    {
      JsonNode *passthru = json_object_get_member (object, "passthru");
      JsonNode *ref = JSON_NODE_HOLDS_OBJECT (passthru)
        ? json_object_get_member (json_node_get_object (passthru), "ref") : NULL;

      message->kind = OCD_MESSAGE_PASSTHRU;
      message->passthru_ref = ref != NULL ? json_to_string (ref, FALSE) : g_strdup ("null");
      message->summary = g_strdup ("passthru");
    }
  else if (json_object_has_member (object, "commands"))
    {
      message->kind = OCD_MESSAGE_COMMANDS;
      message->summary = json_to_string (json_object_get_member (object, "commands"), FALSE);
    }
  else if (json_object_has_member (object, "remote_status"))
    {
      message->kind = OCD_MESSAGE_REMOTE_STATUS;
      message->summary = json_to_string (json_object_get_member (object, "remote_status"), FALSE);
    }
  else
    message->kind = OCD_MESSAGE_OTHER;

  /* json-glib decodes "x\ud800y" (a lone surrogate escape) to bytes that
   * are not UTF-8: what we log and send back must be. */
  if (message->summary != NULL && !g_utf8_validate (message->summary, -1, NULL))
    {
      char *valid = g_utf8_make_valid (message->summary, -1);
      g_free (message->summary);
      message->summary = valid;
    }
  if (message->passthru_ref != NULL && !g_utf8_validate (message->passthru_ref, -1, NULL))
    {
      g_free (message->passthru_ref);
      message->passthru_ref = g_strdup ("null");
    }
  if (message->summary != NULL && g_utf8_strlen (message->summary, -1) > 200)
    {
      char *cut = g_utf8_substring (message->summary, 0, 200);
      g_free (message->summary);
      message->summary = g_strconcat (cut, "…", NULL);
      g_free (cut);
    }
}

char *
ocd_message_status (double timestamp, gboolean with_settings)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  /* obico-connect watches the link, not the printer: it claims no printer
   * state it does not know (no "Operational", no "printing"). */
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "current_print_ts");
  json_builder_add_int_value (builder, -1);
  json_builder_set_member_name (builder, "status");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "_ts");
  json_builder_add_double_value (builder, timestamp);
  json_builder_set_member_name (builder, "state");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, "Unknown (obico-connect watches the link only)");
  json_builder_set_member_name (builder, "flags");
  json_builder_begin_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  if (with_settings)
    {
      json_builder_set_member_name (builder, "settings");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "agent");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, "obico_connect");
      json_builder_set_member_name (builder, "version");
      json_builder_add_string_value (builder, PACKAGE_VERSION);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

char *
ocd_message_passthru_error (const char *ref_json, const char *error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) ref = json_from_string (ref_json != NULL ? ref_json : "null", NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "passthru");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ref");
  if (ref != NULL)
    json_builder_add_value (builder, g_steal_pointer (&ref));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, error);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}
