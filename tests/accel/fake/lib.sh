# Shared by the fake QEMUs of tests/accel/run.sh: logs the call, finds -accel and the probe's
# debugcon file. Not executable: each fake sources it.
[ -z "${FAKE_LOG:-}" ] || echo "$*" >>"$FAKE_LOG"
accels=() debugcon="" bios=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
	case "${args[i]}" in
	-accel) accels+=("${args[i + 1]}") ;;
	-debugcon) debugcon=${args[i + 1]#file:} ;;
	-bios) bios=${args[i + 1]} ;;
	esac
done
# The probe's progress letters, as the real image writes them to port 0xe9.
progress() { [ -z "$debugcon" ] || printf '%s' "$1" >"$debugcon"; }
# One accelerator, never a list: with `-accel kvm -accel tcg` a broken KVM would look fine.
only_accel() {
	[ "${accels[*]}" = "$1" ] || { echo "fake-qemu: got -accel '${accels[*]}', want only $1" >&2; exit 3; }
}
