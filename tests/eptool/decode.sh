#!/usr/bin/env bash
# `eptool decode` on hand-made bytes with hand-computed expectations, plus ELF and usage checks.
#   tests/eptool/decode.sh path/to/eptool
set -u
eptool=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { # name, expected, actual
	if [ "$2" == "$3" ]; then pass=$((pass + 1)); else
		fail=$((fail + 1)); printf 'FAIL %s\n--- want\n%s\n--- got\n%s\n' "$1" "$2" "$3"; fi
}

# call rel32 | mov rax,[rip+0x10] | ud2 | nopw 6 | push es (not in 64-bit) | jmp $
printf '\xe8\x00\x00\x00\x00\x48\x8b\x05\x10\x00\x00\x00\x0f\x0b\x66\x0f\x1f\x44\x00\x00\x06\xeb\xfe' >"$tmp/code.bin"
check "raw file" "0x0 5 branch=rel32 target=0x5
0x5 7 riprel disp_at=3 target=0x1c
0xc 2
0xe 6
0x14 1 invalid error=INSN_NOT_IN_64BIT
0x15 2 branch=rel8 target=0x15" "$("$eptool" decode "$tmp/code.bin")"
check "offset/length" "0x5 7 riprel disp_at=3 target=0x1c" \
	"$("$eptool" decode "$tmp/code.bin" --offset 5 --length 7)"
check "range cut mid-instruction" "0x5 1 invalid error=INSN_TRUNCATED
0x6 1 invalid error=INSN_TRUNCATED" "$("$eptool" decode "$tmp/code.bin" --offset 5 --length 2)"

elf=/usr/lib/x86_64-linux-gnu/libc.so.6
text=$("$eptool" decode "$elf" --section .text)
check "ELF .text decodes" "0" "$?"
check "ELF .text header" "# section .text" "$(head -1 <<<"$text" | cut -d' ' -f1-3)"
check "ELF .text has branches" "yes" "$(grep -q 'branch=rel32' <<<"$text" && echo yes)"
"$eptool" decode "$elf" --section .nosuch >/dev/null 2>&1
check "unknown section fails" "1" "$?"
"$eptool" decode "$tmp/code.bin" --offset 5 >/dev/null 2>&1
check "offset without length is a usage error" "2" "$?"

echo "eptool-decode: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
