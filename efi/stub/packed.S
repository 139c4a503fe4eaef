/* The packed application: earlypatch.efi as one gzip member (mk/efi.mk, EP_PACKED_GZ), after a
 * header that host tools find it by (eptool unpack, core/pack/packed.h): the 16-byte magic and
 * the member's length. Read-only data the stub reaches RIP-relative: no relocation. */
	.section .rodata.packed, "a"
	.balign 16
	.ascii "earlypatch-pack1"
	.quad ep_packed_end - ep_packed
	.globl ep_packed, ep_packed_end
	.hidden ep_packed, ep_packed_end
ep_packed:
	.incbin EP_PACKED_GZ
ep_packed_end:
	.section .note.GNU-stack, "", @progbits
