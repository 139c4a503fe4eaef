/*
 * The feature table as data. Lookups are linear: the table has ~300 entries
 * and is consulted a handful of times per boot (config names, logging).
 */
#include "base/util.h"
#include "cpu/features.h"

static const struct ep_feature_info table[] = {
#define EP_FEATURE_ROW(id_, word, bit, name_, hidden_) \
	{.id = #id_, .name = name_, .number = (word) * 32 + (bit), .hidden = (hidden_) != 0},
	EP_FEATURE_LIST(EP_FEATURE_ROW)
#undef EP_FEATURE_ROW
};

/* A bad word or bit in the table fails the build, not a boot. */
#define EP_FEATURE_CHECK(id_, word, bit, name_, hidden_)                                          \
	EP_STATIC_ASSERT((word) < EP_NCAPINTS && (bit) < 32, "feature " #id_ " out of range");
EP_FEATURE_LIST(EP_FEATURE_CHECK)
#undef EP_FEATURE_CHECK

size_t ep_feature_count(void)
{
	return EP_ARRAY_SIZE(table);
}

const struct ep_feature_info *ep_feature_at(size_t i)
{
	return i < EP_ARRAY_SIZE(table) ? &table[i] : NULL;
}

const struct ep_feature_info *ep_feature_info(unsigned number)
{
	for (size_t i = 0; i < EP_ARRAY_SIZE(table); i++)
		if (table[i].number == number)
			return &table[i];
	return NULL;
}

const char *ep_feature_name(unsigned number)
{
	const struct ep_feature_info *f = ep_feature_info(number);
	return f ? f->name : NULL;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool equal_nocase(const char *a, size_t alen, const char *b)
{
	size_t i = 0;
	for (; i < alen && b[i]; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return i == alen && b[i] == '\0';
}

int ep_feature_lookup_n(const char *name, size_t len)
{
	static const char prefix[] = "X86_FEATURE_";
	const size_t plen = sizeof(prefix) - 1;
	bool has_prefix = len > plen && equal_nocase(name, plen, prefix);
	for (size_t i = 0; i < EP_ARRAY_SIZE(table); i++)
		if (equal_nocase(name, len, table[i].name))
			return table[i].number;
	for (size_t i = 0; i < EP_ARRAY_SIZE(table); i++) {
		if (equal_nocase(name, len, table[i].id))
			return table[i].number;
		if (has_prefix && equal_nocase(name + plen, len - plen, table[i].id))
			return table[i].number;
	}
	return -1;
}

int ep_feature_lookup(const char *name)
{
	return name ? ep_feature_lookup_n(name, ep_strlen(name)) : -1;
}

bool ep_caps_has(const uint32_t *caps, unsigned ncaps, unsigned feature)
{
	return caps && feature / 32 < ncaps && ((caps[feature / 32] >> (feature % 32)) & 1u);
}
