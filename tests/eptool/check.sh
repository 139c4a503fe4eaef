#!/usr/bin/env bash
# eptool inspect/apply on the engine fixtures, as a user runs them:
#   apply writes a same-size copy whose differing bytes are all inside logged
#   sites, logs one line per site plus summaries, and refuses the overflow
#   fixture without writing anything. Usage: tests/eptool/check.sh EPTOOL PAYLOAD_DIR
set -u
eptool=$1 dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL: $1"; fail=$((fail + 1)); fi; }

for v in eng_alt eng_alt-pie eng_alt-clang; do
	in=$dir/$v.elf out=$tmp/$v.out
	"$eptool" apply "$in" -o "$out" --features avx2,avx512f >"$tmp/log" 2>&1
	rc=$?
	check "$v: apply exits 0" '[ $rc = 0 ]'
	check "$v: output written, same size" '[ -f "$out" ] && [ "$(stat -c %s "$in")" = "$(stat -c %s "$out")" ]'
	check "$v: output differs from input" '! cmp -s "$in" "$out"'
	check "$v: 15 alt site lines" '[ "$(grep -c "^I alt site=" "$tmp/log")" = 15 ]'
	check "$v: 5 static call lines" '[ "$(grep -c "^I scall site=" "$tmp/log")" = 5 ]'
	check "$v: summary ok" 'grep -q "^I patch-summary result=ok writes=" "$tmp/log"'
	# every changed byte lies inside a site the log names (changed=1)
	check "$v: changes only inside logged sites" '
		cmp -l "$in" "$out" | awk "{print \$1-1}" >"$tmp/offs"
		python3 - "$in" "$tmp/log" "$tmp/offs" <<PY
import struct, sys, re
data = open(sys.argv[1], "rb").read()
phoff, phnum = struct.unpack_from("<Q", data, 32)[0], struct.unpack_from("<H", data, 56)[0]
segs = [struct.unpack_from("<IIQQQQQQ", data, phoff + 56 * i) for i in range(phnum)]
def off_of(a):
    for t, f, o, va, pa, fs, ms, al in segs:
        if t == 1 and va <= a < va + fs:
            return o + a - va
ranges = []
for line in open(sys.argv[2]):
    m = re.match(r"I (alt|scall) site=(0x[0-9a-f]+).* len=(\d+).* changed=1", line)
    if m:
        o = off_of(int(m.group(2), 16)); ranges.append((o, o + int(m.group(3))))
offs = [int(x) for x in open(sys.argv[3])]
sys.exit(0 if offs and all(any(a <= x < b for a, b in ranges) for x in offs) else 1)
PY'
	# applying to the same input twice gives the same bytes
	"$eptool" apply "$in" -o "$out.2" --features avx2,avx512f >/dev/null 2>&1
	check "$v: deterministic" 'cmp -s "$out" "$out.2"'
	"$eptool" inspect "$in" >"$tmp/inspect" 2>&1
	check "$v: inspect lists 15 sites and 5 static calls" \
		'grep -q "^alt-summary entries=20 sites=15" "$tmp/inspect" && grep -q "^scall-summary sites=5" "$tmp/inspect"'
done

"$eptool" apply "$dir/eng_overflow.elf" -o "$tmp/overflow.out" >"$tmp/log" 2>&1
rc=$?
check "overflow: exit 1" '[ $rc = 1 ]'
check "overflow: no output" '[ ! -e "$tmp/overflow.out" ]'
check "overflow: named error" 'grep -q "^E patch err=ALT_RELOC_OVERFLOW .*index=1 .*sym=site_overflow" "$tmp/log"'

"$eptool" apply "$dir/eng_alt.elf" -o "$tmp/x" --features no_such_feature >/dev/null 2>&1
check "unknown feature refused" '[ $? = 2 ] && [ ! -e "$tmp/x" ]'
"$eptool" apply "$dir/eng_alt.elf" -o "$tmp/caps.out" --caps 0,0,0,0,0,0,0,0,0,0x20 >/dev/null 2>&1
"$eptool" apply "$dir/eng_alt.elf" -o "$tmp/feat.out" --features avx2 >/dev/null 2>&1
check "--caps word 9 bit 5 equals --features avx2" 'cmp -s "$tmp/caps.out" "$tmp/feat.out"'

dump=tests/data/cpuid/kvm-intel.dump
if [ -f "$dump" ]; then
	"$eptool" apply "$dir/eng_alt.elf" -o "$tmp/dump.out" --cpuid-dump "$dump" >"$tmp/log" 2>&1
	check "--cpuid-dump: facts logged before the sites" \
		'[ "$(grep -n -m1 "^I cpu vendor=intel" "$tmp/log" | cut -d: -f1)" -lt "$(grep -n -m1 "^I alt " "$tmp/log" | cut -d: -f1)" ]'
	check "--cpuid-dump: patched (AVX2 machine)" 'grep -q "^I alt site=.* sym=f_simple .*action=patch" "$tmp/log"'
fi

# Stage 1 as the firmware runs it: the selftest payload's two hypercall sites get the mechanism.
st=$dir/selftest.elf
site_bytes() { # FILE SYMBOL N -> hex of N bytes at the symbol, via the ELF's symbol table and segments
	python3 - "$1" "$2" "$3" <<'PY2'
import struct, sys
data = open(sys.argv[1], "rb").read()
shoff, shnum = struct.unpack_from("<Q", data, 40)[0], struct.unpack_from("<H", data, 60)[0]
shdrs = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + 64 * i) for i in range(shnum)]
symtab = next(s for s in shdrs if s[1] == 2); strtab = shdrs[symtab[6]]
phoff, phnum = struct.unpack_from("<Q", data, 32)[0], struct.unpack_from("<H", data, 56)[0]
segs = [struct.unpack_from("<IIQQQQQQ", data, phoff + 56 * i) for i in range(phnum)]
for i in range(symtab[5] // 24):
    name, info, other, shndx, value, size = struct.unpack_from("<IBBHQQ", data, symtab[4] + 24 * i)
    if data[strtab[4] + name:].split(b"\0", 1)[0].decode() == sys.argv[2]:
        for t, f, o, va, pa, fs, ms, al in segs:
            if t == 1 and va <= value < va + fs:
                print(data[o + value - va:o + value - va + int(sys.argv[3])].hex()); sys.exit(0)
sys.exit(1)
PY2
}
if [ -f "$st" ]; then
	"$eptool" apply "$st" -o "$tmp/hc.out" --features sse2 --hypercall vmcall >"$tmp/log" 2>&1
	check "--hypercall vmcall: two sites logged" '[ "$(grep -c "^I hcsite site=.*mechanism=vmcall len=8" "$tmp/log")" = 2 ]'
	check "--hypercall vmcall: site bytes 0f01c1 + nopl" '[ "$(site_bytes "$tmp/hc.out" st_site_hypercall 8)" = 0f01c10f1f440000 ]'
	check "input keeps its ud2 placeholder" '[ "$(site_bytes "$st" st_site_hypercall 2)" = 0f0b ]'
	"$eptool" apply "$st" -o "$tmp/hc2.out" --cpuid-dump tests/data/cpuid/tdx.dump >"$tmp/log" 2>&1
	check "--cpuid-dump tdx: the firmware's decision and tdcall sites" \
		'grep -q "^I hypercall mechanism=tdcall reason=tdx-guest" "$tmp/log" && [ "$(site_bytes "$tmp/hc2.out" st_site_hypercall2 4)" = 660f01cc ]'
	{ cat tests/data/cpuid/tdx.dump; echo "I config file=x payload=x alternatives=0 handoff=exit-boot-services"; } >"$tmp/altoff.log"
	"$eptool" apply "$st" -o "$tmp/hc4.out" --cpuid-dump "$tmp/altoff.log" >"$tmp/log" 2>&1
	check "--cpuid-dump of a boot with alternatives off: stage 2 left to the payload, as the firmware does" \
		'grep -q "^I stage-summary msg=\"alternatives off: left to the payload\"" "$tmp/log" && ! grep -q "^I stage-summary stage=alternatives" "$tmp/log" && [ "$(site_bytes "$tmp/hc4.out" st_site_hypercall2 4)" = 660f01cc ]'
	"$eptool" inspect "$st" >"$tmp/inspect" 2>&1
	check "inspect lists the two hypercall sites and their placeholders" \
		'grep -q "^hcsite-summary sites=2" "$tmp/inspect" && [ "$(grep -c "ud2" "$tmp/inspect")" -ge 2 ]'
	"$eptool" apply "$st" -o "$tmp/hc3.out" --hypercall hypercall-pages >/dev/null 2>&1
	check "unknown --hypercall refused, nothing written" '[ $? = 2 ] && [ ! -e "$tmp/hc3.out" ]'
fi

echo "eptool-check: $pass passed, $fail failed"
[ $fail = 0 ]
