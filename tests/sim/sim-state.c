/* obico-sim: printers, codes and the state file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "sim.h"

void
printer_free (Printer *p)
{
  g_free (p->name);
  g_free (p->token);
  g_ptr_array_unref (p->old_tokens);
  g_free (p->agent_name);
  g_free (p->agent_version);
  g_clear_pointer (&p->status, json_object_unref);
  g_free (p);
}

void
code_free (Code *c)
{
  g_free (c->code);
  g_free (c->name);
  g_free (c);
}

char *
make_token (void)
{
  GString *s = g_string_sized_new (20);

  for (guint i = 0; i < 10; i++)
    g_string_append_printf (s, "%02x", g_random_int_range (0, 256));
  return g_string_free (s, FALSE);
}

Printer *
printer_by_id (Sim *self, gint64 id)
{
  for (guint i = 0; i < self->printers->len; i++)
    {
      Printer *p = g_ptr_array_index (self->printers, i);
      if (p->id == id)
        return p;
    }
  return NULL;
}

/* Any printer that ever had @token, for attributing records. */
Printer *
printer_by_any_token (Sim *self, const char *token)
{
  if (token == NULL)
    return NULL;
  for (guint i = 0; i < self->printers->len; i++)
    {
      Printer *p = g_ptr_array_index (self->printers, i);
      if (g_strcmp0 (p->token, token) == 0)
        return p;
      for (guint j = 0; j < p->old_tokens->len; j++)
        if (g_str_equal (g_ptr_array_index (p->old_tokens, j), token))
          return p;
    }
  return NULL;
}

static gboolean
scenario_rejects (Sim *self, Printer *p)
{
  if (self->scenario != SCENARIO_INVALID_TOKEN &&
      self->scenario != SCENARIO_ARCHIVED &&
      self->scenario != SCENARIO_DELETED)
    return FALSE;
  return self->scenario_printer_id == 0 || self->scenario_printer_id == p->id;
}

gboolean
printer_is_deleted (Sim *self, Printer *p)
{
  return p->deleted ||
         (self->scenario == SCENARIO_DELETED &&
          (self->scenario_printer_id == 0 || self->scenario_printer_id == p->id));
}

/* The printer whose current token is @token, if that token is accepted now. */
Printer *
printer_for_live_token (Sim *self, const char *token)
{
  for (guint i = 0; i < self->printers->len; i++)
    {
      Printer *p = g_ptr_array_index (self->printers, i);
      if (g_strcmp0 (p->token, token) == 0)
        {
          if (p->archived || p->deleted || scenario_rejects (self, p))
            return NULL;
          return p;
        }
    }
  return NULL;
}

Printer *
printer_add (Sim *self, const char *name)
{
  Printer *p = g_new0 (Printer, 1);
  gint64 id = 1;

  for (guint i = 0; i < self->printers->len; i++)
    id = MAX (id, ((Printer *) g_ptr_array_index (self->printers, i))->id + 1);
  p->id = id;
  p->name = g_strdup (name);
  p->token = make_token ();
  p->old_tokens = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->printers, p);
  return p;
}

JsonObject *
printer_to_json (Sim *self, Printer *p)
{
  JsonObject *o = json_object_new ();
  gboolean connected = FALSE;

  for (guint i = 0; i < self->clients->len; i++)
    if (((WsClient *) g_ptr_array_index (self->clients, i))->printer_id == p->id)
      connected = TRUE;

  json_object_set_int_member (o, "id", p->id);
  json_object_set_string_member (o, "name", p->name);
  json_object_set_string_member (o, "token", p->token);
  json_object_set_boolean_member (o, "archived", p->archived);
  json_object_set_boolean_member (o, "deleted", p->deleted);
  json_object_set_boolean_member (o, "connected", connected);
  json_object_set_string_member (o, "agent_name", p->agent_name);
  json_object_set_string_member (o, "agent_version", p->agent_version);
  if (p->last_status_t > 0)
    json_object_set_double_member (o, "last_status_t", p->last_status_t);
  else
    json_object_set_null_member (o, "last_status_t");
  status_to_json (self, p, o);
  return o;
}

void
state_save (Sim *self)
{
  g_autoptr(JsonObject) root = json_object_new ();
  g_autoptr(JsonArray) printers = json_array_new ();
  g_autoptr(JsonArray) codes = json_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (self->state_file == NULL)
    return;

  for (guint i = 0; i < self->printers->len; i++)
    {
      Printer *p = g_ptr_array_index (self->printers, i);
      JsonObject *o = json_object_new ();
      JsonArray *old = json_array_new ();

      for (guint j = 0; j < p->old_tokens->len; j++)
        json_array_add_string_element (old, g_ptr_array_index (p->old_tokens, j));
      json_object_set_int_member (o, "id", p->id);
      json_object_set_string_member (o, "name", p->name);
      json_object_set_string_member (o, "token", p->token);
      json_object_set_array_member (o, "old_tokens", old);
      json_object_set_boolean_member (o, "archived", p->archived);
      json_object_set_boolean_member (o, "deleted", p->deleted);
      json_array_add_object_element (printers, o);
    }
  for (guint i = 0; i < self->codes->len; i++)
    {
      Code *c = g_ptr_array_index (self->codes, i);
      JsonObject *o = json_object_new ();

      json_object_set_string_member (o, "code", c->code);
      json_object_set_int_member (o, "printer_id", c->printer_id);
      json_object_set_string_member (o, "name", c->name);
      json_object_set_int_member (o, "created", c->created);
      json_array_add_object_element (codes, o);
    }
  json_object_set_array_member (root, "printers", g_steal_pointer (&printers));
  json_object_set_array_member (root, "codes", g_steal_pointer (&codes));

  text = object_to_text (root);
  if (!g_file_set_contents (self->state_file, text, -1, &error))
    g_warning ("Could not save state to %s: %s", self->state_file, error->message);
}

gboolean
state_load (Sim *self, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray *printers, *codes;

  if (!g_file_test (self->state_file, G_FILE_TEST_EXISTS))
    return TRUE;
  if (!json_parser_load_from_file (parser, self->state_file, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: not a JSON object", self->state_file);
      return FALSE;
    }
  root = json_node_get_object (json_parser_get_root (parser));

  printers = get_array (root, "printers");
  for (guint i = 0; printers && i < json_array_get_length (printers); i++)
    {
      JsonObject *o = json_array_get_object_element (printers, i);
      JsonArray *old = get_array (o, "old_tokens");
      Printer *p = g_new0 (Printer, 1);

      p->id = json_object_get_int_member_with_default (o, "id", 0);
      p->name = g_strdup (get_string (o, "name"));
      p->token = g_strdup (get_string (o, "token"));
      p->old_tokens = g_ptr_array_new_with_free_func (g_free);
      for (guint j = 0; old && j < json_array_get_length (old); j++)
        g_ptr_array_add (p->old_tokens, g_strdup (json_array_get_string_element (old, j)));
      p->archived = json_object_get_boolean_member_with_default (o, "archived", FALSE);
      p->deleted = json_object_get_boolean_member_with_default (o, "deleted", FALSE);
      g_ptr_array_add (self->printers, p);
    }

  codes = get_array (root, "codes");
  for (guint i = 0; codes && i < json_array_get_length (codes); i++)
    {
      JsonObject *o = json_array_get_object_element (codes, i);
      Code *c = g_new0 (Code, 1);

      c->code = g_strdup (get_string (o, "code"));
      c->printer_id = json_object_get_int_member_with_default (o, "printer_id", 0);
      c->name = g_strdup (get_string (o, "name"));
      c->created = json_object_get_int_member_with_default (o, "created", 0);
      g_ptr_array_add (self->codes, c);
    }
  return TRUE;
}

Code *
code_add (Sim *self, const char *name, gint64 printer_id)
{
  Code *c = g_new0 (Code, 1);
  gboolean unique;

  do
    {
      g_free (c->code);
      c->code = g_strdup_printf ("%06d", g_random_int_range (0, 1000000));
      unique = TRUE;
      for (guint i = 0; i < self->codes->len; i++)
        if (g_str_equal (((Code *) g_ptr_array_index (self->codes, i))->code, c->code))
          unique = FALSE;
    }
  while (!unique);

  c->name = g_strdup (name);
  c->printer_id = printer_id;
  c->created = g_get_real_time ();
  g_ptr_array_add (self->codes, c);
  return c;
}
