/*
 * Linux's per-version capability words (lfeatures.h): the generated tables
 * (lfeatures_<series>.c, lfeature_ids.c) and what is asked of them. Lookups
 * are linear over the ~440 IDs: they serve config names, logs and one
 * /proc/cpuinfo file, never a hot path.
 */
#include "base/util.h"
#include "linux/lfeatures.h"

static const struct ep_lf_table *const tables[] = {&ep_lf_table_601, &ep_lf_table_612};

EP_STATIC_ASSERT(EP_LF_COUNT < EP_LF_ABSENT, "enum ep_lf must leave EP_LF_ABSENT free");

const struct ep_lf_table *ep_lf_table_for(unsigned series)
{
	for (size_t i = 0; i < EP_ARRAY_SIZE(tables); i++)
		if (tables[i]->series == series)
			return tables[i];
	return NULL;
}

size_t ep_lf_table_count(void)
{
	return EP_ARRAY_SIZE(tables);
}

const struct ep_lf_table *ep_lf_table_at(size_t i)
{
	return i < EP_ARRAY_SIZE(tables) ? tables[i] : NULL;
}

unsigned ep_lf_nwords(const struct ep_lf_table *t)
{
	return t ? t->ncapints + t->nbugints : 0;
}

static bool valid(int f)
{
	return f >= 0 && f < EP_LF_COUNT;
}

unsigned ep_lf_number(const struct ep_lf_table *t, int f)
{
	if (!t || !valid(f) || t->number[f] >= ep_lf_nwords(t) * 32)
		return EP_LF_ABSENT;
	return t->number[f];
}

/* The generator refuses a feature ID starting with BUG_, so the prefix tells. */
static bool bug_id(const char *id)
{
	return id[0] == 'B' && id[1] == 'U' && id[2] == 'G' && id[3] == '_';
}

bool ep_lf_is_bug(int f)
{
	return valid(f) && bug_id((ep_lf_id_text + ep_lf_id_at[f]));
}

const char *ep_lf_name(const struct ep_lf_table *t, int f)
{
	return t && valid(f) ? t->name_text + t->name_at[f] : NULL;
}

const char *ep_lf_id(int f)
{
	return valid(f) ? (ep_lf_id_text + ep_lf_id_at[f]) : NULL;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Counted a against NUL-terminated b, ignoring ASCII case. */
static bool equal_nocase(const char *a, size_t alen, const char *b)
{
	size_t i = 0;
	for (; i < alen && b[i]; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return i == alen && b[i] == '\0';
}

/* Strips prefix p (any case) from a name longer than it. */
static bool strip(const char **name, size_t *len, const char *p)
{
	size_t plen = ep_strlen(p);
	if (*len <= plen || !equal_nocase(*name, plen, p))
		return false;
	*name += plen, *len -= plen;
	return true;
}

/* A bit of t in the namespace bug whose cpuinfo name is name. */
static int by_name(const struct ep_lf_table *t, const char *name, size_t len, bool bug)
{
	for (int f = 0; f < EP_LF_COUNT; f++)
		if ((t->name_text + t->name_at[f])[0] && ep_lf_number(t, f) != EP_LF_ABSENT && ep_lf_is_bug(f) == bug &&
		    equal_nocase(name, len, (t->name_text + t->name_at[f])))
			return f;
	return -1;
}

/* A bit of t in the namespace bug whose ID (for a bug: without BUG_) is name. */
static int by_id(const struct ep_lf_table *t, const char *name, size_t len, bool bug)
{
	for (int f = 0; f < EP_LF_COUNT; f++)
		if (ep_lf_is_bug(f) == bug && ep_lf_number(t, f) != EP_LF_ABSENT &&
		    equal_nocase(name, len, (ep_lf_id_text + ep_lf_id_at[f]) + (bug ? 4 : 0)))
			return f;
	return -1;
}

int ep_lf_lookup_flag(const struct ep_lf_table *t, const char *name, size_t len)
{
	if (!t || !name || !len)
		return -1;
	int f = by_name(t, name, len, false);
	if (f < 0)
		f = by_id(t, name, len, false);
	if (f < 0 && strip(&name, &len, "X86_FEATURE_"))
		f = by_id(t, name, len, false);
	return f;
}

int ep_lf_lookup_bug(const struct ep_lf_table *t, const char *name, size_t len)
{
	if (!t || !name || !len)
		return -1;
	int f = by_name(t, name, len, true);
	if (f < 0)
		f = by_id(t, name, len, true);
	if (f < 0 && (strip(&name, &len, "X86_BUG_") || strip(&name, &len, "BUG_")))
		f = by_id(t, name, len, true);
	return f;
}

int ep_lf_lookup(const struct ep_lf_table *t, const char *name, size_t len)
{
	if (!t || !name || !len)
		return -1;
	const char *rest = name;
	size_t rlen = len;
	if (strip(&rest, &rlen, "X86_FEATURE_"))
		return ep_lf_lookup_flag(t, name, len);
	if (strip(&rest, &rlen, "X86_BUG_") || strip(&rest, &rlen, "BUG_"))
		return ep_lf_lookup_bug(t, name, len);
	/* Names before IDs over both lines: "srso" is the bug's name and only a hidden flag's ID. */
	int f = by_name(t, name, len, false);
	if (f < 0)
		f = by_name(t, name, len, true);
	if (f < 0)
		f = ep_lf_lookup_flag(t, name, len);
	return f >= 0 ? f : ep_lf_lookup_bug(t, name, len);
}

int ep_lf_at(const struct ep_lf_table *t, unsigned number)
{
	if (!t || number >= ep_lf_nwords(t) * 32)
		return -1;
	for (int f = 0; f < EP_LF_COUNT; f++)
		if (t->number[f] == number)
			return f;
	return -1;
}

const char *ep_lf_display(const struct ep_lf_table *t, unsigned number)
{
	int f = ep_lf_at(t, number);
	if (f < 0)
		return NULL;
	return (t->name_text + t->name_at[f])[0] ? (t->name_text + t->name_at[f]) : (ep_lf_id_lower_text + ep_lf_id_lower_at[f]);
}

bool ep_lf_test(const struct ep_lf_table *t, const uint32_t *words, enum ep_lf f)
{
	unsigned n = ep_lf_number(t, (int)f);
	return words && n != EP_LF_ABSENT && (words[n / 32] >> (n % 32) & 1u);
}

void ep_lf_set(const struct ep_lf_table *t, uint32_t *words, enum ep_lf f, bool on)
{
	unsigned n = ep_lf_number(t, (int)f);
	if (!words || n == EP_LF_ABSENT)
		return;
	if (on)
		words[n / 32] |= 1u << (n % 32);
	else
		words[n / 32] &= ~(1u << (n % 32));
}

void ep_lf_visible_mask(const struct ep_lf_table *t, uint32_t *mask)
{
	if (!t || !mask)
		return;
	ep_memset(mask, 0, ep_lf_nwords(t) * sizeof(*mask));
	for (int f = 0; f < EP_LF_COUNT; f++)
		if ((t->name_text + t->name_at[f])[0])
			ep_lf_set(t, mask, (enum ep_lf)f, true);
}

/* ---- /proc/cpuinfo ---- */

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

struct cpuinfo_line {
	const char *key, *value; /* key trimmed; value from after ':' */
	size_t klen, vlen;
	bool empty;              /* nothing but blanks */
};

/* The line at *pos (ending at '\n' or len); advances *pos past it. */
static void next_line(const char *text, size_t len, size_t *pos, struct cpuinfo_line *l)
{
	size_t start = *pos, end = start;
	while (end < len && text[end] != '\n')
		end++;
	*pos = end < len ? end + 1 : end;

	size_t colon = start;
	while (colon < end && text[colon] != ':')
		colon++;
	size_t k0 = start, k1 = colon;
	while (k0 < k1 && blank(text[k0]))
		k0++;
	while (k1 > k0 && blank(text[k1 - 1]))
		k1--;
	l->key = text + k0, l->klen = k1 - k0;
	l->value = colon < end ? text + colon + 1 : text + end;
	l->vlen = colon < end ? end - colon - 1 : 0;
	l->empty = colon == end && k1 == k0;
}

static void note_unknown(struct ep_lf_cpuinfo_report *rep, const char *s, size_t n, bool bug)
{
	if (rep->nkept < EP_LF_CPUINFO_KEEP)
		rep->unknown[rep->nkept++] = (struct ep_lf_cpuinfo_name){s, n, bug};
	rep->nunknown++;
}

static void parse_names(const struct ep_lf_table *t, const char *s, size_t n, bool bug, uint32_t *words,
			struct ep_lf_cpuinfo_report *rep)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && blank(s[i]))
			i++;
		size_t j = i;
		while (j < n && !blank(s[j]))
			j++;
		if (j == i)
			break;
		int f = by_name(t, s + i, j - i, bug);
		if (f < 0) {
			note_unknown(rep, s + i, j - i, bug);
		} else {
			ep_lf_set(t, words, (enum ep_lf)f, true);
			if (bug)
				rep->nbugs++;
			else
				rep->nflags++;
		}
		i = j;
	}
}

enum ep_err ep_lf_cpuinfo_parse(const struct ep_lf_table *t, const char *text, size_t len, uint32_t *words,
				struct ep_lf_cpuinfo_report *rep)
{
	if (!t || !words || !rep || (!text && len))
		return EP_ERR_BAD_ARGUMENT;
	ep_memset(rep, 0, sizeof(*rep));
	ep_memset(words, 0, ep_lf_nwords(t) * sizeof(*words));

	/* The block starts at the first "processor" line, or at the top when there is none. */
	size_t pos = 0, start = 0;
	struct cpuinfo_line l;
	while (pos < len) {
		size_t at = pos;
		next_line(text, len, &pos, &l);
		if (ep_strneq(l.key, l.klen, "processor")) {
			start = at;
			rep->have_processor = true;
			break;
		}
	}

	bool begun = false;
	for (pos = start; pos < len;) {
		next_line(text, len, &pos, &l);
		if (l.empty) {
			if (begun)
				break; /* the block's end */
			continue;  /* blank lines before it */
		}
		if (begun && ep_strneq(l.key, l.klen, "processor"))
			break; /* the next processor without a blank line between */
		begun = true;
		if (!rep->have_flags && ep_strneq(l.key, l.klen, "flags")) {
			rep->have_flags = true;
			parse_names(t, l.value, l.vlen, false, words, rep);
		} else if (!rep->have_bugs && ep_strneq(l.key, l.klen, "bugs")) {
			rep->have_bugs = true;
			parse_names(t, l.value, l.vlen, true, words, rep);
		}
	}
	if (!rep->have_flags)
		return EP_ERR_LINUX_CPUINFO_NO_FLAGS;
	if (!rep->have_bugs)
		return EP_ERR_LINUX_CPUINFO_NO_BUGS;
	return EP_ERR_OK;
}
