#!/bin/sh
# PID 1 of the DAHDI VM (tests/dahdi-vm/run puts it on the test disk as init.sh). Loads the real
# DAHDI modules, configures the spans with Trunkline's `trunkctl dahdi cfg`, checks the result
# with the real dahdi_scan and /proc/dahdi, runs the backend's channel-level suite and the PRI
# and R2 calls, and powers off. Every check prints one "PASS name" / "FAIL name: why" line;
# the last line is "DAHDI-VM-DONE rc=N".
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C RUST_BACKTRACE=1
T=/mnt/test
mount -t proc proc /proc 2>/dev/null
mount -t sysfs sysfs /sys 2>/dev/null
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/shm
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
hostname dahdi-vm
up() { cut -d' ' -f1 /proc/uptime; }
section() { echo; echo "##### [$(up)s] $*"; }
FAILS=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; FAILS=$((FAILS + 1)); }
# check NAME DESCRIPTION-OF-FAILURE COMMAND...
check() { n=$1; why=$2; shift 2; if "$@" > /tmp/check.out 2>&1; then pass "$n"; else fail "$n" "$why"; sed 's/^/  /' /tmp/check.out | head -20; fi; }
finish() {
	section "RESULT: $FAILS failed check(s), rc $1"
	echo "DAHDI-VM-DONE rc=$1 uptime=$(up)"
	sync
	echo o > /proc/sysrq-trigger
	sleep 10 2>/dev/null
}
stage_fail() { echo "STAGE-FAIL $*"; fail "stage" "$*"; finish 1; }

section "init reached: $(uname -r), $(nproc) cpus, dahdi $(modinfo -F version dahdi)"
modprobe dahdi auto_assign_spans=1 || stage_fail "modprobe dahdi"
modprobe dahdi_dynamic || stage_fail "modprobe dahdi_dynamic"
modprobe dahdi_dynamic_loc || stage_fail "modprobe dahdi_dynamic_loc"

section "trunkctl dahdi cfg -c system.conf (Trunkline applies system.conf, not dahdi_cfg)"
cat $T/system.conf
$T/trunkctl dahdi cfg -c $T/system.conf > /tmp/cfg.out 2>&1
rc=$?
cat /tmp/cfg.out
[ $rc = 0 ] && pass cfg_applied || fail cfg_applied "trunkctl dahdi cfg exit $rc"

section "dahdi_scan and /proc/dahdi after trunkctl dahdi cfg"
dahdi_scan > /tmp/scan.real 2>&1
cat /tmp/scan.real
check scan_six_spans "dahdi_scan does not list 6 spans" test "$(grep -c '^\[' /tmp/scan.real)" = 6
check scan_names "span names" sh -c 'for k in 1 2 3; do for i in 0 1; do grep -q "^name=DYN/loc/$k:$i\$" /tmp/scan.real || { echo "no DYN/loc/$k:$i"; exit 1; }; done; done'
check scan_totchans "totchans" test "$(grep -c '^totchans=31$' /tmp/scan.real)" = 6
check scan_alarms_ok "alarms" test "$(grep -c '^alarms=OK$' /tmp/scan.real)" = 6
check scan_basechans "basechan 1,32,63,94,125,156" test "$(grep '^basechan=' /tmp/scan.real | tr '\n' ' ')" = "basechan=1 basechan=32 basechan=63 basechan=94 basechan=125 basechan=156 "
for f in /proc/dahdi/*; do echo "--- $f"; cat "$f"; done
# procsig SPAN CHAN WORD: the channel's line in /proc/dahdi/SPAN names its signalling WORD
procsig() {
	awk -v c="$2" '$1 == c' /proc/dahdi/$1 | grep -q -- "$3" && return 0
	echo "span $1 channel $2, want $3:"; awk -v c="$2" '$1 == c' /proc/dahdi/$1; return 1
}
sigs_ok() {
	r=0
	for x in "1 1 Clear" "1 16 HDLCFCS" "1 31 Clear" "2 47 HDLCFCS" "2 62 Clear" "3 63 CAS" "3 77 CAS" \
		"4 124 CAS" "5 125 E&M" "5 126 HDLCRAW" "5 127 Clear" "6 156 E&M" "6 157 HDLCFCS" "6 186 Clear"; do
		# shellcheck disable=SC2086
		procsig $x || r=1
	done
	return $r
}
check proc_signalling "channel signalling in /proc/dahdi" sigs_ok
check proc_unconfigured_ts16 "channel 78 (span 3 TS16) must stay unconfigured" sh -c "! awk '\$1 == 78' /proc/dahdi/3 | grep -q -E 'CAS|Clear|HDLC'"
$T/trunkctl scan --board dahdi > /tmp/scan.ours 2>&1
check trunkctl_scan_equals_dahdi_scan "trunkctl scan --board dahdi differs from dahdi_scan" diff -u /tmp/scan.real /tmp/scan.ours

section "the same file through Debian's dahdi_cfg: /proc/dahdi must be the same"
for f in /proc/dahdi/*; do echo "--- $f"; cat "$f"; done > /tmp/proc.ours
dahdi_cfg -c $T/system.conf > /tmp/dahdi_cfg.out 2>&1 || { cat /tmp/dahdi_cfg.out; }
for f in /proc/dahdi/*; do echo "--- $f"; cat "$f"; done > /tmp/proc.real
check proc_equals_dahdi_cfg "/proc/dahdi after trunkctl differs from after dahdi_cfg" diff -u /tmp/proc.real /tmp/proc.ours
$T/trunkctl dahdi cfg -c $T/system.conf > /tmp/cfg2.out 2>&1 || { cat /tmp/cfg2.out; fail cfg_reapplied "second trunkctl dahdi cfg failed"; }
[ -x $T/zonecheck.sh ] && . $T/zonecheck.sh

section "the DAHDI backend's channel-level suite on the real kernel"
$T/dahdi_vm_suite
rc=$?
[ $rc = 0 ] || { echo "(dahdi_vm_suite exit $rc)"; FAILS=$((FAILS + 1)); }

section "PRI and MFC/R2 calls between Trunkline stacks over the looped spans"
$T/dahdi_vm_calls
rc=$?
[ $rc = 0 ] || { echo "(dahdi_vm_calls exit $rc)"; FAILS=$((FAILS + 1)); }

section "kernel log"
dmesg | grep -i -E 'dahdi|tdmo|dynamic|oops|bug' | tail -30
[ $FAILS = 0 ] && finish 0 || finish 1
