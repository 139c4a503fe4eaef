/*
 * DEFLATE decoding (RFC 1951) with canonical Huffman tables. Codes of up to
 * FAST_BITS bits (nearly all of them) are decoded by one lookup of the next
 * FAST_BITS input bits; longer ones, and codes near the end of the input, bit
 * by bit, comparing with the first code of each length (the count per length
 * defines the whole code). The firmware inflates one image per boot
 * (docs/performance.md#packing); bit by bit alone was 5.4 ms for it natively.
 */
#include <stdbool.h>

#include "base/util.h"
#include "pack/inflate.h"

#define MAX_CODE_BITS 15
#define LITLEN_CODES 288 /* 286 and 287 exist in the fixed code but are invalid */
#define DIST_CODES 30
#define CODELEN_CODES 19
#define FAST_BITS 9

struct huffman {
	uint16_t count[MAX_CODE_BITS + 1]; /* codes of each length; count[0] = unused symbols */
	uint16_t symbol[LITLEN_CODES];     /* symbols in code order */
	uint16_t fast[1 << FAST_BITS];     /* next FAST_BITS input bits -> symbol << 4 | length; 0: slow path */
};

struct inflater {
	const uint8_t *in;
	size_t in_len, pos;
	uint64_t bitbuf; /* bits not yet used, least significant first */
	unsigned bitcnt;
	bool truncated;  /* a read went past the end: every later read gives 0 */
	uint8_t *out;
	size_t cap, n;
};

/* As many whole bytes into bitbuf as fit (the input's end stops it; bits() notices). */
static void refill(struct inflater *s)
{
	while (s->bitcnt <= 56 && s->pos < s->in_len) {
		s->bitbuf |= (uint64_t)s->in[s->pos++] << s->bitcnt;
		s->bitcnt += 8;
	}
}

/* The next need (<= 32) bits; 0 and truncated when the input has fewer. */
static uint32_t bits(struct inflater *s, unsigned need)
{
	if (s->bitcnt < need)
		refill(s);
	if (s->bitcnt < need) {
		s->truncated = true;
		return 0;
	}
	uint32_t v = (uint32_t)(s->bitbuf & ((1ull << need) - 1));
	s->bitbuf >>= need;
	s->bitcnt -= need;
	return v;
}

/* The next symbol of h, or -1 for a code h does not define (an incomplete table). */
static int decode(struct inflater *s, const struct huffman *h)
{
	refill(s);
	uint16_t e = h->fast[s->bitbuf & ((1u << FAST_BITS) - 1)];
	if (e && (e & 15) <= s->bitcnt) {
		s->bitbuf >>= e & 15;
		s->bitcnt -= e & 15;
		return e >> 4;
	}
	int code = 0, first = 0, index = 0;
	for (unsigned len = 1; len <= MAX_CODE_BITS; len++) {
		code |= (int)bits(s, 1);
		int count = h->count[len];
		if (code - first < count)
			return h->symbol[index + code - first];
		index += count;
		first = (first + count) << 1;
		code <<= 1;
	}
	return -1;
}

/* The fast-table entries of each short code: its bits reversed (the stream sends a code's most
 * significant bit first, bitbuf holds the first bit lowest), under every value of the bits after it. */
static void build_fast(struct huffman *h, const uint8_t *lengths, unsigned n)
{
	uint16_t code[MAX_CODE_BITS + 2];
	ep_memset(h->fast, 0, sizeof(h->fast));
	code[1] = 0;
	for (unsigned len = 1; len <= MAX_CODE_BITS; len++)
		code[len + 1] = (uint16_t)((code[len] + h->count[len]) << 1);
	for (unsigned i = 0; i < n; i++) {
		unsigned len = lengths[i];
		if (!len)
			continue;
		unsigned c = code[len]++, rev = 0;
		for (unsigned b = 0; b < len; b++)
			rev |= ((c >> b) & 1) << (len - 1 - b);
		for (unsigned k = rev; len <= FAST_BITS && k < (1u << FAST_BITS); k += 1u << len)
			h->fast[k] = (uint16_t)(i << 4 | len);
	}
}

/* The canonical code of n code lengths; false when it is over-subscribed (more codes than fit). */
static bool build(struct huffman *h, const uint8_t *lengths, unsigned n)
{
	uint16_t next[MAX_CODE_BITS + 1];
	ep_memset(h->count, 0, sizeof(h->count));
	for (unsigned i = 0; i < n; i++)
		h->count[lengths[i]]++;
	int left = 1;
	for (unsigned len = 1; len <= MAX_CODE_BITS; len++) {
		left = (left << 1) - h->count[len];
		if (left < 0)
			return false;
	}
	next[1] = 0;
	for (unsigned len = 1; len < MAX_CODE_BITS; len++)
		next[len + 1] = (uint16_t)(next[len] + h->count[len]);
	for (unsigned i = 0; i < n; i++)
		if (lengths[i])
			h->symbol[next[lengths[i]]++] = (uint16_t)i;
	build_fast(h, lengths, n);
	return true;
}

static const uint16_t length_base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
					 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t length_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
					 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[DIST_CODES] = {1,   2,   3,   4,   5,   7,    9,    13,   17,   25,
					       33,  49,  65,  97,  129, 193,  257,  385,  513,  769,
					       1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};

/* Literals and matches until the end-of-block code. */
static enum ep_err codes(struct inflater *s, const struct huffman *lit, const struct huffman *dist)
{
	for (;;) {
		int sym = decode(s, lit);
		if (s->truncated)
			return EP_ERR_INFLATE_TRUNCATED;
		if (sym < 0)
			return EP_ERR_INFLATE_BAD_CODE;
		if (sym < 256) {
			if (s->n == s->cap)
				return EP_ERR_NO_SPACE;
			s->out[s->n++] = (uint8_t)sym;
			continue;
		}
		if (sym == 256)
			return EP_ERR_OK;
		if (sym - 257 >= 29)
			return EP_ERR_INFLATE_BAD_CODE;
		size_t len = length_base[sym - 257] + bits(s, length_extra[sym - 257]);
		int d = decode(s, dist);
		if (d < 0 || d >= DIST_CODES)
			return s->truncated ? EP_ERR_INFLATE_TRUNCATED : EP_ERR_INFLATE_BAD_CODE;
		size_t back = dist_base[d] + bits(s, d < 4 ? 0 : (unsigned)(d - 2) / 2);
		if (s->truncated)
			return EP_ERR_INFLATE_TRUNCATED;
		if (back > s->n)
			return EP_ERR_INFLATE_BAD_DISTANCE;
		if (len > s->cap - s->n)
			return EP_ERR_NO_SPACE;
		for (; len; len--, s->n++) /* byte by byte: a match may overlap its own output */
			s->out[s->n] = s->out[s->n - back];
	}
}

static enum ep_err stored(struct inflater *s)
{
	bits(s, s->bitcnt & 7); /* to the byte boundary */
	uint32_t len = bits(s, 16), nlen = bits(s, 16);
	if (s->truncated)
		return EP_ERR_INFLATE_TRUNCATED;
	if ((len ^ 0xffff) != nlen)
		return EP_ERR_INFLATE_BAD_BLOCK;
	s->pos -= s->bitcnt / 8; /* whole bytes still in bitbuf go back to the input */
	s->bitbuf = 0;
	s->bitcnt = 0;
	if (len > s->in_len - s->pos)
		return EP_ERR_INFLATE_TRUNCATED;
	if (len > s->cap - s->n)
		return EP_ERR_NO_SPACE;
	ep_memcpy(s->out + s->n, s->in + s->pos, len);
	s->pos += len;
	s->n += len;
	return EP_ERR_OK;
}

static enum ep_err fixed(struct inflater *s)
{
	struct huffman lit, dist;
	uint8_t lengths[LITLEN_CODES];
	for (unsigned i = 0; i < LITLEN_CODES; i++)
		lengths[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
	build(&lit, lengths, LITLEN_CODES);
	ep_memset(lengths, 5, DIST_CODES);
	build(&dist, lengths, DIST_CODES);
	return codes(s, &lit, &dist);
}

/* The code lengths of a dynamic block, themselves Huffman coded with run-length codes 16-18. */
static enum ep_err dynamic(struct inflater *s)
{
	static const uint8_t order[CODELEN_CODES] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
	struct huffman lencode, lit, dist;
	uint8_t lengths[286 + DIST_CODES];
	unsigned nlit = bits(s, 5) + 257, ndist = bits(s, 5) + 1, ncode = bits(s, 4) + 4;
	if (s->truncated)
		return EP_ERR_INFLATE_TRUNCATED;
	if (nlit > 286 || ndist > DIST_CODES)
		return EP_ERR_INFLATE_BAD_BLOCK;
	ep_memset(lengths, 0, CODELEN_CODES);
	for (unsigned i = 0; i < ncode; i++)
		lengths[order[i]] = (uint8_t)bits(s, 3);
	if (!build(&lencode, lengths, CODELEN_CODES))
		return EP_ERR_INFLATE_BAD_BLOCK;
	for (unsigned i = 0; i < nlit + ndist;) {
		int sym = decode(s, &lencode);
		if (s->truncated)
			return EP_ERR_INFLATE_TRUNCATED;
		if (sym < 0)
			return EP_ERR_INFLATE_BAD_CODE;
		if (sym < 16) {
			lengths[i++] = (uint8_t)sym;
			continue;
		}
		if (sym == 16 && i == 0)
			return EP_ERR_INFLATE_BAD_BLOCK; /* repeats the previous length: there is none */
		uint8_t len = sym == 16 ? lengths[i - 1] : 0;
		unsigned rep = sym == 16 ? 3 + bits(s, 2) : sym == 17 ? 3 + bits(s, 3) : 11 + bits(s, 7);
		if (rep > nlit + ndist - i)
			return EP_ERR_INFLATE_BAD_BLOCK;
		while (rep--)
			lengths[i++] = len;
	}
	if (s->truncated)
		return EP_ERR_INFLATE_TRUNCATED;
	if (!lengths[256] || !build(&lit, lengths, nlit) || !build(&dist, lengths + nlit, ndist))
		return EP_ERR_INFLATE_BAD_BLOCK; /* no end-of-block code, or an over-subscribed table */
	return codes(s, &lit, &dist);
}

enum ep_err ep_inflate(const uint8_t *in, size_t in_len, size_t *used, uint8_t *out, size_t cap, size_t *out_len)
{
	struct inflater s = {.in = in, .in_len = in_len, .out = out, .cap = cap};
	enum ep_err err = EP_ERR_OK;
	bool last;
	do {
		last = bits(&s, 1);
		unsigned type = bits(&s, 2);
		if (s.truncated)
			err = EP_ERR_INFLATE_TRUNCATED;
		else if (type == 0)
			err = stored(&s);
		else if (type == 1)
			err = fixed(&s);
		else if (type == 2)
			err = dynamic(&s);
		else
			err = EP_ERR_INFLATE_BAD_BLOCK;
	} while (!err && !last);
	*used = s.pos - s.bitcnt / 8;
	*out_len = s.n;
	return err;
}

/* CRC-32 a byte at a time, with the table built on the stack for each call (2,048 steps): a
 * 1 KB constant would cost the stub's file as much, and four bits at a time was 40 % of an
 * inflate. */
uint32_t ep_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	uint32_t table[256];
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
	crc = ~crc;
	for (size_t i = 0; i < n; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

#define GZIP_HEADER 10
#define GZIP_TRAILER 8
#define GZIP_FHCRC 0x02
#define GZIP_FEXTRA 0x04
#define GZIP_FNAME 0x08
#define GZIP_FCOMMENT 0x10
#define GZIP_RESERVED 0xe0

static bool gzip_magic(const uint8_t *in, size_t in_len)
{
	return in_len >= GZIP_HEADER + 2 + GZIP_TRAILER && in[0] == 0x1f && in[1] == 0x8b && in[2] == 8 &&
	       !(in[3] & GZIP_RESERVED);
}

enum ep_err ep_gzip_size(const uint8_t *in, size_t in_len, uint32_t *size)
{
	if (!gzip_magic(in, in_len))
		return EP_ERR_GZIP_BAD;
	*size = ep_le32(in + in_len - 4);
	return EP_ERR_OK;
}

/* Offset of the DEFLATE data after the header's optional fields, or 0 when they overrun. */
static size_t gzip_data_at(const uint8_t *in, size_t in_len)
{
	uint8_t flags = in[3];
	size_t at = GZIP_HEADER;
	if (flags & GZIP_FEXTRA) {
		if (in_len - at < 2)
			return 0;
		at += 2 + (in[at] | (size_t)in[at + 1] << 8);
	}
	for (uint8_t f = GZIP_FNAME; f <= GZIP_FCOMMENT; f <<= 1) { /* NUL-terminated name, then comment */
		if (!(flags & f))
			continue;
		while (at < in_len && in[at])
			at++;
		at++;
	}
	if (flags & GZIP_FHCRC)
		at += 2;
	return at <= in_len && in_len - at >= GZIP_TRAILER ? at : 0;
}

enum ep_err ep_gunzip(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t at = gzip_magic(in, in_len) ? gzip_data_at(in, in_len) : 0, used, n;
	*out_len = 0;
	if (!at)
		return EP_ERR_GZIP_BAD;
	enum ep_err err = ep_inflate(in + at, in_len - at - GZIP_TRAILER, &used, out, cap, &n);
	*out_len = n;
	if (err)
		return err;
	if (at + used + GZIP_TRAILER != in_len)
		return EP_ERR_GZIP_BAD; /* bytes after the member */
	const uint8_t *trailer = in + at + used;
	return ep_le32(trailer) == ep_crc32(0, out, n) && ep_le32(trailer + 4) == (uint32_t)n ? EP_ERR_OK : EP_ERR_GZIP_CRC;
}
