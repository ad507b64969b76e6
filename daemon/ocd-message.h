/* ocd-message.h — WebSocket messages of the agent role, in and out (pure) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  OCD_MESSAGE_INVALID,       /* not a JSON object */
  OCD_MESSAGE_REMOTE_STATUS,
  OCD_MESSAGE_COMMANDS,
  OCD_MESSAGE_PASSTHRU,
  OCD_MESSAGE_OTHER,         /* janus, tunnels, unknown keys: ignored */
} OcdMessageKind;

typedef struct {
  OcdMessageKind kind;
  char          *passthru_ref;   /* JSON text of the ref, for the answer */
  char          *summary;        /* for the log: commands, remote status */
} OcdMessage;

/* TRUE when JSON text nests deeper than json-glib can parse safely. */
gboolean ocd_json_too_deep         (const char *data, gsize length);

void  ocd_message_clear            (OcdMessage *message);
void  ocd_message_parse            (const char *data, gsize length, OcdMessage *message);
char *ocd_message_status           (double timestamp, gboolean with_settings);
char *ocd_message_passthru_error   (const char *ref_json, const char *error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OcdMessage, ocd_message_clear)

G_END_DECLS
