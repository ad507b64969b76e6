/* ocd-role.c — the daemon's own credentials make it the printer's agent,
 * unless an official agent uses the same token: a session with it would
 * knock that agent off (4321), so the daemon only watches then, as it does
 * whenever an official agent holds the link. */
#include "config.h"

#include "ocd-role.h"

void
ocd_role_choose (const OcdRoleInputs *in,
                 OcdRole             *out)
{
  const char *token = in->stored->token;

  out->shared = FALSE;
  for (guint i = 0; token != NULL && in->agents != NULL && i < in->agents->len; i++)
    out->shared = out->shared ||
                  g_strcmp0 (((const OcdAgent *) g_ptr_array_index (in->agents, i))->token, token) == 0;

  out->agent = NULL;
  if (token != NULL && !out->shared)
    {
      out->role = OBICO_ROLE_AGENT;
      out->server_url = in->stored->server_url != NULL ? in->stored->server_url
                                                       : in->default_server_url;
      out->credential_source = "daemon";
      out->printer_id = in->stored->printer_id;
      out->printer_name = in->stored->printer_name != NULL ? in->stored->printer_name : "";
    }
  else if (in->watched != NULL)
    {
      out->role = OBICO_ROLE_WATCH;
      out->agent = in->watched;
      out->server_url = in->watched->server_url;
      out->credential_source = in->watched->path;
      out->printer_id = -1;
      out->printer_name = "";
    }
  else
    {
      out->role = OBICO_ROLE_UNLINKED;
      out->server_url = in->stored->server_url != NULL ? in->stored->server_url
                                                       : in->default_server_url;
      out->credential_source = "";
      out->printer_id = -1;
      out->printer_name = "";
    }
}
