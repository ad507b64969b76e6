/* ocd-error.c — named D-Bus errors, so clients see io.obico.Connect1.Error.* */
#include "config.h"

#include <gio/gio.h>

#include "ocd-error.h"

static const GDBusErrorEntry ocd_error_entries[] = {
  { OCD_ERROR_INVALID_ARGUMENT, "io.obico.Connect1.Error.InvalidArgument" },
  { OCD_ERROR_NOT_LINKED, "io.obico.Connect1.Error.NotLinked" },
  { OCD_ERROR_NOT_AUTHORIZED, "io.obico.Connect1.Error.NotAuthorized" },
  { OCD_ERROR_CODE_REJECTED, "io.obico.Connect1.Error.CodeRejected" },
  { OCD_ERROR_SERVER_UNREACHABLE, "io.obico.Connect1.Error.ServerUnreachable" },
  { OCD_ERROR_READ_ONLY_CREDENTIALS, "io.obico.Connect1.Error.ReadOnlyCredentials" },
  { OCD_ERROR_BUSY, "io.obico.Connect1.Error.Busy" },
};

GQuark
ocd_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("ocd-error-quark", &quark,
                                      ocd_error_entries,
                                      G_N_ELEMENTS (ocd_error_entries));
  return (GQuark) quark;
}
