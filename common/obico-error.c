/* obico-error.c — named D-Bus errors, so clients see io.obico.Connect1.Error.* */
#include "config.h"

#include <gio/gio.h>

#include "obico-error.h"

static const GDBusErrorEntry obico_error_entries[] = {
  { OBICO_ERROR_INVALID_ARGUMENT, "io.obico.Connect1.Error.InvalidArgument" },
  { OBICO_ERROR_NOT_LINKED, "io.obico.Connect1.Error.NotLinked" },
  { OBICO_ERROR_NOT_AUTHORIZED, "io.obico.Connect1.Error.NotAuthorized" },
  { OBICO_ERROR_CODE_REJECTED, "io.obico.Connect1.Error.CodeRejected" },
  { OBICO_ERROR_SERVER_UNREACHABLE, "io.obico.Connect1.Error.ServerUnreachable" },
  { OBICO_ERROR_READ_ONLY_CREDENTIALS, "io.obico.Connect1.Error.ReadOnlyCredentials" },
  { OBICO_ERROR_BUSY, "io.obico.Connect1.Error.Busy" },
  { OBICO_ERROR_STORAGE_FAILED, "io.obico.Connect1.Error.StorageFailed" },
  { OBICO_ERROR_HOST_SERVICE_FAILED, "io.obico.Connect1.Error.HostServiceFailed" },
  { OBICO_ERROR_NOT_SUPPORTED, "io.obico.Connect1.Error.NotSupported" },
  { OBICO_ERROR_FAILED, "io.obico.Connect1.Error.Failed" },
};

GQuark
obico_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("obico-error-quark", &quark,
                                      obico_error_entries,
                                      G_N_ELEMENTS (obico_error_entries));
  return (GQuark) quark;
}
