/* obico-names.h — where the service lives on the bus; shared by the daemon,
 * the app and the tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#define OBICO_BUS_NAME       "io.obico.Connect1"
#define OBICO_OBJECT_PATH    "/io/obico/Connect1"
#define OBICO_INTERFACE      "io.obico.Connect1"
#define OBICO_POLKIT_CONFIGURE "io.obico.connect.configure"
