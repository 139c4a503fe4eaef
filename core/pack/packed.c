/* Finding the packed application in earlypatch.efi (core/pack/packed.h). */
#include <stdbool.h>

#include "base/util.h"
#include "pack/packed.h"

bool ep_packed_find(const uint8_t *file, size_t len, size_t *at, size_t *size)
{
	bool found = false;
	for (size_t i = 0; len >= EP_PACKED_HEADER && i <= len - EP_PACKED_HEADER; i++) {
		if (file[i] != 'e' || ep_memcmp(file + i, EP_PACKED_MAGIC, 16))
			continue;
		uint64_t n = ep_le64(file + i + 16);
		if (found || n > len - i - EP_PACKED_HEADER)
			return false; /* a second magic, or a length past the end */
		found = true;
		*at = i + EP_PACKED_HEADER;
		*size = (size_t)n;
	}
	return found;
}
