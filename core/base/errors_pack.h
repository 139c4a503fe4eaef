/* Errors of the packed firmware image (core/pack: inflate, gzip, PE layout); see errors.h. X(name, message) entries. */
#ifndef EP_ERRORS_PACK_H
#define EP_ERRORS_PACK_H
#define EP_ERROR_LIST_PACK(X)                                                              \
	X(INFLATE_TRUNCATED, "DEFLATE data ends before its last block does")                   \
	X(INFLATE_BAD_BLOCK, "malformed DEFLATE block (type 3, stored length check, or code lengths)") \
	X(INFLATE_BAD_CODE, "DEFLATE data uses a code its Huffman table does not define")       \
	X(INFLATE_BAD_DISTANCE, "DEFLATE match reaches back before the start of the output")   \
	X(GZIP_BAD, "not one whole gzip member (magic, method, reserved flags, header fields or trailing bytes)") \
	X(GZIP_CRC, "gzip CRC-32 or size does not match the decoded data")                     \
	X(PE_BAD_HEADER, "not a PE32+ x86-64 EFI application (DOS, PE or optional header)")     \
	X(PE_BAD_SECTION, "a PE section lies outside the file or the image")                   \
	X(PE_BAD_RELOC, "malformed PE base relocation (block size, type, or target outside the image)")
#endif
