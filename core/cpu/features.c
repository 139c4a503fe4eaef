/*
 * The feature table as data. Lookups are linear: the table has ~300 entries
 * and is consulted a handful of times per boot (config names, logging).
 */
#include <stddef.h>

#include "base/util.h"
#include "cpu/features.h"

/* Every identifier and every name in one string each, a field per feature (offsetof gives the offsets). */
static const struct id_text {
#define EP_FEATURE_ID_FIELD(id_, word, bit, name_, hidden_) char f_##id_[sizeof(#id_)];
	EP_FEATURE_LIST(EP_FEATURE_ID_FIELD)
#undef EP_FEATURE_ID_FIELD
} id_text = {
#define EP_FEATURE_ID_INIT(id_, word, bit, name_, hidden_) #id_,
	EP_FEATURE_LIST(EP_FEATURE_ID_INIT)
#undef EP_FEATURE_ID_INIT
};

static const struct name_text {
#define EP_FEATURE_NAME_FIELD(id_, word, bit, name_, hidden_) char f_##id_[sizeof(name_)];
	EP_FEATURE_LIST(EP_FEATURE_NAME_FIELD)
#undef EP_FEATURE_NAME_FIELD
} name_text = {
#define EP_FEATURE_NAME_INIT(id_, word, bit, name_, hidden_) name_,
	EP_FEATURE_LIST(EP_FEATURE_NAME_INIT)
#undef EP_FEATURE_NAME_INIT
};

EP_STATIC_ASSERT(sizeof(struct id_text) <= 0xffff && sizeof(struct name_text) <= 0xffff,
		 "feature name offsets must fit 16 bits");

static const struct ep_feature_info table[] = {
#define EP_FEATURE_ROW(id_, word, bit, name_, hidden_)                                                  \
	{.id_at = offsetof(struct id_text, f_##id_), .name_at = offsetof(struct name_text, f_##id_),           \
	 .number = (word) * 32 + (bit), .hidden = (hidden_) != 0},
	EP_FEATURE_LIST(EP_FEATURE_ROW)
#undef EP_FEATURE_ROW
};

const char *ep_feature_id_of(const struct ep_feature_info *f)
{
	return (const char *)&id_text + f->id_at;
}

const char *ep_feature_name_of(const struct ep_feature_info *f)
{
	return (const char *)&name_text + f->name_at;
}

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
	return f ? ep_feature_name_of(f) : NULL;
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
		if (equal_nocase(name, len, ep_feature_name_of(&table[i])))
			return table[i].number;
	for (size_t i = 0; i < EP_ARRAY_SIZE(table); i++) {
		if (equal_nocase(name, len, ep_feature_id_of(&table[i])))
			return table[i].number;
		if (has_prefix && equal_nocase(name + plen, len - plen, ep_feature_id_of(&table[i])))
			return table[i].number;
	}
	return -1;
}

int ep_feature_lookup(const char *name)
{
	return name ? ep_feature_lookup_n(name, ep_strlen(name)) : -1;
}

