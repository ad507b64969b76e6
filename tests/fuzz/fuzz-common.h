/* fuzz-common.h — what every libFuzzer harness of obico-connectd shares. */
#pragma once

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

/* GLib's warnings are not crashes, but a CRITICAL (a failed precondition in
 * our code's use of GLib) is a bug: make it abort so libFuzzer keeps it. */
static inline void
fuzz_quiet_logs (void)
{
  g_setenv ("G_DEBUG", "fatal-criticals", TRUE);
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_FATAL_MASK);
  g_log_set_writer_func (g_log_writer_default, NULL, NULL);
  g_setenv ("G_MESSAGES_DEBUG", "", TRUE);
}
