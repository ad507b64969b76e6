/* ocd-host-history.c — the host's context over the last 24 hours.
 *
 * Each entry is a time and the values that changed then; changes less than
 * a minute after an entry's time fold into it, which keeps the last value
 * and the worst of that minute (the lowest signal, the highest RTT, any
 * under-voltage), so a dip shows even when the signal came back at once.
 * An entry that falls out of the window folds into the next one, so the
 * oldest entry always holds the whole context at the window's start. */
#include "config.h"

#include "ocd-host-history.h"

typedef enum {
  FIELD_SIGNAL,
  FIELD_BITRATE,
  FIELD_RTT,
  FIELD_RETRANSMITS,
  FIELD_UNDER_VOLTAGE,
  FIELD_CLOCK_SYNCHRONIZED,
  FIELD_CLOCK_SKEW,
  N_FIELDS
} Field;

/* worse: -1 lower is worse, +1 higher is worse, 0 only the last counts */
static const struct {
  const char *key;
  char        type;        /* 'u', 'd' or 'b', as in Host */
  int         worse;
  const char *worst_key;   /* published when the minute's worst differs */
} fields[N_FIELDS] = {
  [FIELD_SIGNAL]             = { "wifi_signal", 'u', -1, "wifi_signal_min" },
  [FIELD_BITRATE]            = { "wifi_bitrate", 'u', -1, "wifi_bitrate_min" },
  [FIELD_RTT]                = { "rtt_ms", 'd', +1, "rtt_ms_max" },
  [FIELD_RETRANSMITS]        = { "retransmits", 'd', +1, "retransmits_max" },
  [FIELD_UNDER_VOLTAGE]      = { "under_voltage", 'b', +1, "under_voltage_seen" },
  [FIELD_CLOCK_SYNCHRONIZED] = { "clock_synchronized", 'b', 0, NULL },
  [FIELD_CLOCK_SKEW]         = { "clock_skew", 'd', 0, NULL },
};

#define BIT(field) (1u << (field))

typedef struct {
  gint64  t;                  /* unix µs of its first change */
  float   value[N_FIELDS];    /* the last value, for the fields in set */
  float   worst[N_FIELDS];    /* the worst in the entry's minute */
  guint16 set;                /* fields whose value changed */
  guint16 gone;               /* fields the host no longer tells */
  guint16 roams;              /* moves to another access point */
} Entry;

/* What the host told last. */
typedef struct {
  float   value[N_FIELDS];
  guint16 known;
  guint32 roams;
  gboolean roams_known;
} Told;

struct _OcdHostHistory
{
  GArray *entries;            /* Entry, oldest first */
  Told    told;
};

OcdHostHistory *
ocd_host_history_new (void)
{
  OcdHostHistory *self = g_new0 (OcdHostHistory, 1);

  self->entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  return self;
}

void
ocd_host_history_free (OcdHostHistory *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->entries);
  g_free (self);
}

/* One pass over the context (Host's few keys): the fields' values and the
 * roam count. */
static void
read_context (GVariant *context, Told *told)
{
  GVariantIter iter;
  const char *key;
  GVariant *v;

  g_variant_iter_init (&iter, context);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &v))
    {
      if (g_str_equal (key, "wifi_roams") && g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32))
        {
          told->roams = g_variant_get_uint32 (v);
          told->roams_known = TRUE;
          continue;
        }
      for (Field f = 0; f < N_FIELDS; f++)
        {
          if (!g_str_equal (key, fields[f].key))
            continue;
          if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32))
            told->value[f] = g_variant_get_uint32 (v);
          else if (g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE))
            told->value[f] = g_variant_get_double (v);
          else if (g_variant_is_of_type (v, G_VARIANT_TYPE_BOOLEAN))
            told->value[f] = g_variant_get_boolean (v) ? 1.f : 0.f;
          else
            break;
          told->known |= BIT (f);
          break;
        }
    }
}

static float
worse_of (Field field, float a, float b)
{
  if (fields[field].worse < 0)
    return MIN (a, b);
  if (fields[field].worse > 0)
    return MAX (a, b);
  return b;
}

/* @from, an entry that leaves the window, into @into, the next: what @into
 * does not change itself it now holds from @from (its last values). */
static void
fold_into (const Entry *from, Entry *into)
{
  for (Field f = 0; f < N_FIELDS; f++)
    {
      if ((into->set | into->gone) & BIT (f))
        continue;
      if (from->set & BIT (f))
        {
          into->set |= BIT (f);
          into->value[f] = into->worst[f] = from->value[f];
        }
      else if (from->gone & BIT (f))
        into->gone |= BIT (f);
    }
}

static void
prune (OcdHostHistory *self, gint64 now)
{
  gint64 cutoff = now - OCD_HOST_HISTORY_WINDOW_USEC;
  guint n = 0;

  /* The first entry stays while the second one is inside the window: it
   * holds what was true at the window's start. */
  while (n + 1 < self->entries->len && g_array_index (self->entries, Entry, n + 1).t <= cutoff)
    {
      fold_into (&g_array_index (self->entries, Entry, n), &g_array_index (self->entries, Entry, n + 1));
      n++;
    }
  if (n > 0)
    g_array_remove_range (self->entries, 0, n);
}

void
ocd_host_history_record (OcdHostHistory *self,
                         GVariant       *context,
                         gint64          now)
{
  Told told = { 0 };
  guint16 changed = 0, gone = 0;
  guint32 roamed = 0;
  Entry *entry = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (context != NULL && g_variant_is_of_type (context, G_VARIANT_TYPE_VARDICT));

  read_context (context, &told);
  for (Field f = 0; f < N_FIELDS; f++)
    {
      if (told.known & BIT (f))
        {
          if (!(self->told.known & BIT (f)) || told.value[f] != self->told.value[f])
            changed |= BIT (f);
        }
      else if (self->told.known & BIT (f))
        gone |= BIT (f);
    }
  /* wifi_roams counts since the daemon started: what it grew by are roams */
  if (told.roams_known && self->told.roams_known && told.roams > self->told.roams)
    roamed = told.roams - self->told.roams;
  else if (!told.roams_known && self->told.roams_known)
    {
      /* off Wi-Fi: the count is kept for when it is back */
      told.roams_known = TRUE;
      told.roams = self->told.roams;
    }
  self->told = told;
  if (changed == 0 && gone == 0 && roamed == 0)
    return;

  prune (self, now);
  if (self->entries->len > 0)
    {
      Entry *last = &g_array_index (self->entries, Entry, self->entries->len - 1);

      /* also when the clock went back: an entry never precedes the last */
      if (now < last->t + OCD_HOST_HISTORY_FOLD_USEC)
        entry = last;
    }
  if (entry == NULL)
    {
      Entry fresh = { .t = now };

      g_array_append_val (self->entries, fresh);
      entry = &g_array_index (self->entries, Entry, self->entries->len - 1);
    }

  for (Field f = 0; f < N_FIELDS; f++)
    {
      if (changed & BIT (f))
        {
          entry->worst[f] = (entry->set & BIT (f)) ? worse_of (f, entry->worst[f], told.value[f])
                                                   : told.value[f];
          entry->value[f] = told.value[f];
          entry->set |= BIT (f);
          entry->gone &= ~BIT (f);
        }
      else if (gone & BIT (f))
        {
          entry->set &= ~BIT (f);
          entry->gone |= BIT (f);
        }
    }
  entry->roams = MIN ((guint32) G_MAXUINT16, entry->roams + roamed);
}

static GVariant *
field_value (Field field, float value)
{
  switch (fields[field].type)
    {
    case 'u': return g_variant_new_uint32 ((guint32) value);
    case 'b': return g_variant_new_boolean (value != 0.f);
    default:  return g_variant_new_double (value);
    }
}

GVariant *
ocd_host_history_to_variant (OcdHostHistory *self,
                             gint64          now)
{
  gint64 cutoff = now - OCD_HOST_HISTORY_WINDOW_USEC;
  GVariantBuilder builder;

  g_return_val_if_fail (self != NULL, NULL);

  prune (self, now);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < self->entries->len; i++)
    {
      const Entry *entry = &g_array_index (self->entries, Entry, i);
      /* the first entry from before the window: what held at its start */
      gboolean before = entry->t < cutoff;

      g_variant_builder_open (&builder, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&builder, "{sv}", "t", g_variant_new_int64 (before ? cutoff : entry->t));
      for (Field f = 0; f < N_FIELDS; f++)
        {
          if (!(entry->set & BIT (f)))
            continue;
          g_variant_builder_add (&builder, "{sv}", fields[f].key, field_value (f, entry->value[f]));
          if (!before && fields[f].worst_key != NULL && entry->worst[f] != entry->value[f])
            g_variant_builder_add (&builder, "{sv}", fields[f].worst_key, field_value (f, entry->worst[f]));
        }
      if (entry->gone != 0)
        {
          GVariantBuilder gone;

          g_variant_builder_init (&gone, G_VARIANT_TYPE_STRING_ARRAY);
          for (Field f = 0; f < N_FIELDS; f++)
            if (entry->gone & BIT (f))
              g_variant_builder_add (&gone, "s", fields[f].key);
          g_variant_builder_add (&builder, "{sv}", "gone", g_variant_builder_end (&gone));
        }
      if (!before && entry->roams > 0)
        g_variant_builder_add (&builder, "{sv}", "roams", g_variant_new_uint32 (entry->roams));
      g_variant_builder_close (&builder);
    }
  return g_variant_builder_end (&builder);
}

guint
ocd_host_history_get_length (OcdHostHistory *self)
{
  return self->entries->len;
}

gsize
ocd_host_history_get_size (OcdHostHistory *self)
{
  return sizeof *self + self->entries->len * sizeof (Entry);
}
