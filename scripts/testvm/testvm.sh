#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot one xvcpu test VM and print what the test command wrote.
#
# usage: testvm.sh [options]
#   --engine bochs|qemu  bochs emulates VT-x (default); qemu (TCG, qemu64)
#                        is the CPU without VMX
#   --cpus N             guest CPUs (default 2 for bochs, 1 for qemu)
#   --payload DIR        copied to /xvcpu in the guest
#   --cmd CMD            what /init runs in /xvcpu (default /xvcpu/check.sh)
#   --timeout S          wall-clock limit of one boot attempt (default 900)
#   --boot-timeout S     no @@XVCPU-BEGIN@@ after S seconds of emulator CPU
#                        time (and of wall time) = boot hang, retried
#                        (default 60 fast kernel, 600 stock kernel, 60 qemu)
#   --retries N          retries after a boot hang (default 2)
#   --out DIR            keep serial.txt, bochs.log, bochsrc, ISO there
#                        (default: a temp dir, removed unless the run failed)
#   --append ARGS        extra kernel command line
#   --stock-kernel       boot Debian's compressed vmlinuz, not the fast-boot
#                        kernel (default when setup.sh could not build it)
#   --kmods "M ..."      stock modules put in the guest (default
#                        "irqbypass kvm kvm-intel")
#   --mem MB             guest memory (default 512)
#   --cdrom ISO          a second CD-ROM (ata0-slave; QEMU: -cdrom), e.g.
#                        the tools CD of mktoolsiso.sh
#   --kernel FILE        boot this bzImage (the debug kernel) instead
#   --moddir DIR         with --kernel: its lib/modules/<release> directory,
#                        where --kmods are taken from
#
# stdout: the serial lines between @@XVCPU-BEGIN@@ and @@XVCPU-END rc=N@@.
# exit:   0 END seen and rc=0; 3 END seen and rc!=0; 2 harness failure
#         (timeout, boot hang after all retries, kernel panic, no END);
#         1 usage or setup error.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${XVCPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xvcpu}

log() { echo "testvm: $*" >&2; }
die() { echo "testvm: error: $*" >&2; exit 1; }
usage() { sed -n '4,34p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 1; }

ENGINE=bochs CPUS= PAYLOAD= CMD=/xvcpu/check.sh TIMEOUT=900 BOOT_TIMEOUT=
MAX_REBOOTS=2
RETRIES=2 OUT= APPEND= STOCK=0 KMODS="irqbypass kvm kvm-intel" MEM=512 CDROM=
OWN_KERNEL= OWN_MODDIR=
while [ $# -gt 0 ]; do
	case $1 in
	--engine) ENGINE=$2; shift 2 ;;
	--cpus) CPUS=$2; shift 2 ;;
	--payload) PAYLOAD=$2; shift 2 ;;
	--cmd) CMD=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--boot-timeout) BOOT_TIMEOUT=$2; shift 2 ;;
	--retries) RETRIES=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--append) APPEND=$2; shift 2 ;;
	--stock-kernel) STOCK=1; shift ;;
	--kmods) KMODS=$2; shift 2 ;;
	--mem) MEM=$2; shift 2 ;;
	--cdrom) CDROM=$2; shift 2 ;;
	--kernel) OWN_KERNEL=$2; shift 2 ;;
	--moddir) OWN_MODDIR=$2; shift 2 ;;
	-h|--help) usage ;;
	*) echo "testvm: unknown option $1" >&2; usage ;;
	esac
done
case $ENGINE in bochs|qemu) ;; *) die "--engine must be bochs or qemu" ;; esac
[ -n "$CPUS" ] || { [ "$ENGINE" = bochs ] && CPUS=2 || CPUS=1; }
[ -f "$CACHE/env.sh" ] || die "no $CACHE/env.sh: run scripts/testvm/setup.sh first"
# shellcheck disable=SC1091
. "$CACHE/env.sh"
[ -f "$VMLINUZ" ] || die "no kernel $VMLINUZ: run scripts/testvm/setup.sh"
[ -z "$CDROM" ] || [ -f "$CDROM" ] || die "no CD image $CDROM"

# The fast-boot kernel is the same vmlinux without the XZ decompression;
# QEMU boots it too (~2.5 s instead of ~7 s).
KERNEL=$VMLINUZ KKIND=stock
if [ $STOCK = 0 ]; then
	if [ -n "${FAST_VMLINUZ:-}" ] && [ -f "$FAST_VMLINUZ" ]; then
		KERNEL=$FAST_VMLINUZ KKIND=fast
	else
		log "warning: no fast-boot kernel (run setup.sh); booting the stock one (slow)"
	fi
fi
if [ -n "$OWN_KERNEL" ]; then
	[ -f "$OWN_KERNEL" ] || die "no kernel $OWN_KERNEL"
	[ -z "$OWN_MODDIR" ] || [ -d "$OWN_MODDIR" ] || die "no module directory $OWN_MODDIR"
	KERNEL=$OWN_KERNEL KKIND=own
	# The modules of that kernel, not Debian's.
	if [ -n "$OWN_MODDIR" ]; then
		MODDIR=$OWN_MODDIR KVER=$(basename "$OWN_MODDIR")
	fi
fi
if [ -z "$BOOT_TIMEOUT" ]; then
	case $ENGINE/$KKIND in
	bochs/fast) BOOT_TIMEOUT=60 ;;
	bochs/stock|bochs/own) BOOT_TIMEOUT=600 ;;
	*) BOOT_TIMEOUT=60 ;;
	esac
fi
# A boot after a test rebooted the VM: at least the stock kernel's bound.
REBOOT_TIMEOUT=$BOOT_TIMEOUT
[ "$ENGINE" != bochs ] || [ "$REBOOT_TIMEOUT" -ge 600 ] || REBOOT_TIMEOUT=600

KEEP_OUT=1
if [ -z "$OUT" ]; then
	OUT=$(mktemp -d "${TMPDIR:-/tmp}/xvcpu-testvm.XXXXXX")
	KEEP_OUT=0
fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# Why each option: serial console at full speed (9600 baud is slow in
# Bochs); skip work a test VM does not need (crypto self-tests, rodata
# pass, page zeroing, audit, watchdogs, LSMs, randomisation, mitigations);
# nokaslr since the fast-boot loader places the kernel at its link address.
CMDLINE="console=ttyS0,115200 earlyprintk=serial,ttyS0,115200 cryptomgr.notests"
CMDLINE+=" rodata=off init_on_alloc=0 audit=0 nowatchdog lsm=none"
CMDLINE+=" randomize_kstack_offset=off page_alloc.shuffle=0 mitigations=off"
CMDLINE+=" quiet loglevel=4 nokaslr"
# idle=halt: with MWAIT idle (intel_idle) an idle CPU is woken by a plain
# write to its thread flags instead of an IPI, and Bochs (2.7, SMP) now and
# then misses that write: the other CPU then spins in smp_call_function /
# synchronize_rcu until the sleeper's next timer, minutes later (the "CPU1
# hang", and kvm/xvcpu load or unload taking 4+ minutes).  HLT idle gets IPIs.
[ "$ENGINE" = bochs ] && CMDLINE+=" idle=halt"
# reboot=pci: a reboot (xvcpu_reboot_test) through port 0xcf9 with the
# full-reset bit, which Bochs turns into a hardware reset. Its other
# resets (keyboard controller, ACPI) are software resets, which keep
# IA32_FEATURE_CONTROL locked; the Bochs BIOS then writes that MSR
# unconditionally, takes a #GP and triple-faults. (After the hardware
# reset the BIOS stops at its keyboard self-test instead: "Keyboard
# error:21", Documentation/testvm.rst, "A test that reboots".)
[ "$ENGINE" = bochs ] && CMDLINE+=" reboot=pci"
[ "$ENGINE" = qemu ] && CMDLINE+=" panic=-1"
[ -z "$APPEND" ] || CMDLINE+=" $APPEND"

INITRD=$OUT/initrd.cpio
"$HERE/mkinitramfs.sh" --out "$INITRD" ${PAYLOAD:+--payload "$PAYLOAD"} \
	--cmd "$CMD" --kmods "$KMODS" --kver "$KVER" --moddir "$MODDIR"

prepare_bochs() {
	local iso=$OUT/iso
	rm -rf "$iso"; mkdir -p "$iso/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$iso/isolinux/"
	cp "$KERNEL" "$iso/vmlinuz"
	cp "$INITRD" "$iso/initrd.img"
	cat > "$iso/isolinux/isolinux.cfg" <<-EOF
	DEFAULT linux
	PROMPT 0
	TIMEOUT 0
	LABEL linux
	  KERNEL /vmlinuz
	  APPEND initrd=/initrd.img $CMDLINE
	EOF
	xorriso -as mkisofs -quiet -o "$OUT/boot.iso" -R -b isolinux/isolinux.bin \
		-c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table \
		"$iso" 2>"$OUT/xorriso.log" || { cat "$OUT/xorriso.log" >&2; die "xorriso failed"; }
	rm -rf "$iso"
	# error: action=ignore since Bochs logs every unknown MSR at error level;
	# Dummy sound drivers: Debian's Bochs aborts ("buffer overflow
	# detected") initialising ALSA on a machine without a sound card.
	# options=fastboot skips the BIOS boot-menu delay (~3 s of guest time,
	# 150M instructions); ata1 is off so the BIOS does not probe it.
	# reset_on_triple_fault=0 turns a guest triple fault into a Bochs panic,
	# which ends the run instead of rebooting forever.
	cat > "$OUT/bochsrc" <<-EOF
	cpu: model=corei7_skylake_x, count=$CPUS, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=1${XVCPU_BOCHS_CPU_OPTS:+, $XVCPU_BOCHS_CPU_OPTS}
	memory: guest=$MEM, host=$MEM
	romimage: file=/usr/share/bochs/BIOS-bochs-latest, options=fastboot
	vgaromimage: file=/usr/share/vgabios/vgabios.bin
	ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
	ata1: enabled=0
	ata0-master: type=cdrom, path="$OUT/boot.iso", status=inserted
	${CDROM:+ata0-slave: type=cdrom, path=\"$CDROM\", status=inserted}
	boot: cdrom
	clock: sync=none, time0=local
	com1: enabled=1, mode=file, dev="$OUT/serial.txt"
	display_library: rfb, options="timeout=0"
	speaker: enabled=0
	sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
	mouse: enabled=0
	log: "$OUT/bochs.log"
	panic: action=fatal
	error: action=ignore
	info: action=ignore
	debug: action=ignore
	EOF
	printf 'c\nquit\n' > "$OUT/bochs.cmds"
}

VM_PID=
kill_vm() {
	if [ -n "$VM_PID" ]; then
		kill -TERM -- "-$VM_PID" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$VM_PID" 2>/dev/null || break
			sleep 0.2
		done
		kill -KILL -- "-$VM_PID" 2>/dev/null || true
		wait "$VM_PID" 2>/dev/null || true
		VM_PID=
	fi
}
cleanup() {
	kill_vm
	if [ $KEEP_OUT = 0 ] && [ -n "${OUT:-}" ]; then
		case ${RESULT:-2} in
		0|3) rm -rf "$OUT" ;;
		*)	# Keep the logs, not the big images (regenerated on every run).
			rm -f "$OUT/boot.iso" "$OUT/initrd.cpio"
			log "run files kept in $OUT" ;;
		esac
	fi
}
trap cleanup EXIT
trap 'RESULT=2; log "interrupted"; exit 2' INT TERM HUP

start_vm() {
	rm -f "$OUT/serial.txt" "$OUT/bochs.log"
	: > "$OUT/serial.txt"
	# setsid: the VM gets its own process group, so kill_vm reaches all of it.
	if [ "$ENGINE" = bochs ]; then
		(cd "$OUT" && exec setsid timeout -k 10 "$TIMEOUT" \
			bochs -q -f "$OUT/bochsrc" -rc "$OUT/bochs.cmds" \
			</dev/null >"$OUT/bochs.out" 2>&1) &
	else
		(cd "$OUT" && exec setsid timeout -k 10 "$TIMEOUT" \
			qemu-system-x86_64 -accel tcg -cpu qemu64 -smp "$CPUS" -m "$MEM" \
			-display none -monitor none -serial "file:$OUT/serial.txt" \
			-no-reboot -kernel "$KERNEL" -initrd "$INITRD" -append "$CMDLINE" \
			${CDROM:+-cdrom "$CDROM"} \
			</dev/null >"$OUT/qemu.out" 2>&1) &
	fi
	VM_PID=$!
}

# CPU time (ms) used by the VM's process group: a boot deadline in emulator
# CPU time does not fire early when other work on the machine slows Bochs.
vm_cpu_ms() {
	local p ticks=0 t
	for p in $(pgrep -g "$VM_PID" 2>/dev/null); do
		t=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null) || continue
		ticks=$((ticks + ${t:-0}))
	done
	echo $((ticks * 1000 / CLK_TCK))
}
CLK_TCK=$(getconf CLK_TCK)
ms_now() { echo $(( $(date +%s%N) / 1000000 )); }
secs() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }
serial_text() { tr -d '\r' < "$OUT/serial.txt"; }

# Watch one boot.  Sets STATUS to end|hang|panic|timeout|exited and
# BOOT_S / RUN_S to the measured times.
watch_vm() {
	local t0 el cpu last_cpu=0 t_begin=0 t_first= t_kernel= begun=0
	local t_reboot=0 cpu_reboot=0 nb nr nm n_reboots=0 n_boots=1
	t0=$(ms_now)
	BOOT_S= RUN_S= REBOOT_S=
	while :; do
		sleep 0.5
		el=$(( $(ms_now) - t0 ))
		# Sampled every poll: the VM may be gone by the time BEGIN is seen.
		cpu=$(vm_cpu_ms)
		[ "$cpu" = 0 ] || last_cpu=$cpu
		if [ -z "$t_first" ] && [ -s "$OUT/serial.txt" ]; then
			t_first=$el
		fi
		if [ -z "$t_kernel" ] && grep -q 'Linux version' "$OUT/serial.txt"; then
			t_kernel=$el
		fi
		if [ $begun = 0 ] && grep -q '@@XVCPU-BEGIN@@' "$OUT/serial.txt"; then
			begun=1 t_begin=$el BOOT_S=$(secs "$el")
			log "$ENGINE booted in $BOOT_S s ($(secs "$last_cpu") s CPU; $KKIND kernel, $CPUS cpus;" \
			    "first serial output at $(secs "${t_first:-0}") s, Linux banner at $(secs "${t_kernel:-0}") s)"
		fi
		# A test may reboot the VM (xvcpu_reboot_test), up to
		# MAX_REBOOTS times: each @@XVCPU-REBOOT@@ must be followed by
		# a boot that /init recognised by the test's CMOS mark ("xvcpu:
		# rebooted by a test"); a hang there is retried from the start.
		if [ $begun = 1 ]; then
			# (grep -c exits 1 on no match: set -e)
			nm=$(grep -c '@@XVCPU-REBOOT@@' "$OUT/serial.txt" || true)
			nb=$(grep -c '@@XVCPU-BEGIN@@' "$OUT/serial.txt" || true)
			nr=$(grep -c '^xvcpu: rebooted by a test' "$OUT/serial.txt" || true)
			if [ "$nm" -gt "$n_reboots" ]; then
				n_reboots=$nm t_reboot=$el cpu_reboot=$last_cpu
				log "the VM reboots (a test asked for it, reboot $nm) after $(secs "$el") s"
			fi
			if [ "$nb" -gt "$n_boots" ]; then
				n_boots=$nb
				if [ "$nb" -gt 1 ]; then
					REBOOT_S+="${REBOOT_S:+, }$(secs $((el - t_reboot)))"
					log "boot $nb reached /init $(secs $((el - t_reboot))) s after the reboot"
				fi
			fi
			if [ "$nb" -gt $((MAX_REBOOTS + 1)) ] || [ "$nm" -gt "$MAX_REBOOTS" ]; then
				STATUS=reboots; kill_vm; return
			fi
			if [ "$nb" -gt $((nr + 1)) ] || [ "$nb" -gt $((nm + 1)) ]; then
				STATUS=unmarked; kill_vm; return
			fi
			# The next boot may be the stock kernel (a kexec, which
			# cannot start the fast-boot image): its XZ decompression
			# takes longer, so the stock kernel's bound.
			if [ "$nm" -ge "$nb" ] && [ $((el - t_reboot)) -gt $((REBOOT_TIMEOUT * 1000)) ] &&
			   [ $((last_cpu - cpu_reboot)) -gt $((REBOOT_TIMEOUT * 1000)) ]; then
				STATUS=hang; kill_vm; return
			fi
		fi
		if grep -q '@@XVCPU-END rc=[0-9]*@@' "$OUT/serial.txt"; then
			RUN_S=$(secs $((el - ${t_begin:-0})))
			STATUS=end
			# poweroff -f follows at once; give it a moment, then force.
			for _ in $(seq 1 20); do kill -0 "$VM_PID" 2>/dev/null || break; sleep 0.25; done
			kill_vm
			return
		fi
		if grep -q -- '---\[ end Kernel panic' "$OUT/serial.txt"; then
			STATUS=panic; kill_vm; return
		fi
		if ! kill -0 "$VM_PID" 2>/dev/null; then
			local rc=0
			wait "$VM_PID" 2>/dev/null || rc=$?
			VM_PID=
			STATUS=exited
			if [ $rc = 124 ] || [ $rc = 137 ]; then STATUS=timeout; fi
			# The END marker may have landed just before the exit.
			if grep -q '@@XVCPU-END rc=[0-9]*@@' "$OUT/serial.txt"; then STATUS=end; fi
			return 0
		fi
		if [ $begun = 0 ] && [ $el -gt $((BOOT_TIMEOUT * 1000)) ] &&
		   [ "$last_cpu" -gt $((BOOT_TIMEOUT * 1000)) ]; then
			STATUS=hang; kill_vm; return
		fi
		if [ $el -gt $(((TIMEOUT + 15) * 1000)) ]; then
			STATUS=timeout; kill_vm; return
		fi
	done
}

show_tails() {
	echo "testvm: ---- last serial lines ($OUT/serial.txt) ----" >&2
	serial_text | tail -n 40 >&2 || true
	if [ "$ENGINE" = bochs ]; then
		if [ -f "$OUT/bochs.log" ]; then
			echo "testvm: ---- bochs.log tail ----" >&2
			tail -n 20 "$OUT/bochs.log" >&2 || true
		fi
		echo "testvm: ---- bochs output tail ----" >&2
		grep -v -E 'lt_dl|\[PLUGIN\]|^ALSA' "$OUT/bochs.out" 2>/dev/null | tail -n 8 >&2 || true
	elif [ -f "$OUT/qemu.out" ]; then
		tail -n 20 "$OUT/qemu.out" >&2 || true
	fi
	echo "testvm: ----" >&2
}

# Lines strictly between the markers (to the end of the log if END is
# missing). After a test rebooted the VM: what the console printed from
# the test's @@XVCPU-REBOOT@@ to the next boot's BEGIN (the reboot path,
# at every log level, and the next boot's kernel) as "# " lines, then
# the next boot's lines.
print_output() {
	serial_text | awk '
		/@@XVCPU-END rc=[0-9]*@@/ { if (on) { sub(/@@XVCPU-END rc=[0-9]*@@.*/, ""); if (length($0)) print; exit } }
		/@@XVCPU-BEGIN@@/ && on { print "# testvm: ---- boot " ++boot " (a test rebooted the VM) ----"; win = 0; next }
		on && /@@XVCPU-REBOOT@@/ { win = 1; print "# testvm: ---- reboot " boot ": the console until the next boot ----" }
		on && win { print "#   " $0; next }
		on { print }
		/@@XVCPU-BEGIN@@/ { on = 1; boot = 1 }'
}

# After each reboot a test asked for: one KTAP line for the console from
# its @@XVCPU-REBOOT@@ to the next boot's /init (the reboot path with
# guests running, the next boot's kernel): no warning, bug or oops.
# Numbered after the last result line. Sets REBOOT_BAD.
REBOOT_BAD=0
reboot_window_results() {
	local n i=0 bad nm
	nm=$(grep -c '@@XVCPU-REBOOT@@' "$OUT/serial.txt" || true)
	n=$(print_output | sed -n 's/^\(not \)\{0,1\}ok \([0-9]*\) .*/\2/p' | tail -n1)
	n=${n:-0}
	while [ $i -lt "$nm" ]; do
		i=$((i + 1)) n=$((n + 1))
		# A test's own sysrq c (xvcpu_reboot_test's crash kexec):
		# the panic's backtrace, to the end of its stack dump, is
		# what it asked for; the rest of the window counts.
		bad=$(serial_text | awk -v k=$i '
			/@@XVCPU-REBOOT@@/ { if (++m == k) { w = 1; next } }
			w && /@@XVCPU-BEGIN@@/ { exit }
			w && /sysrq: Trigger a crash/ { asked = 1; next }
			w && asked { if (/<\/TASK>/) asked = 0; next }
			w' |
			grep -E "WARNING:|BUG:|Oops|general protection|Call Trace|Kernel panic|UBSAN|KASAN|xvcpu: .*(VM-instruction error|VMREAD|VMWRITE|unhandled)" || true)
		if [ -n "$bad" ]; then
			echo "not ok $n reboot_${i}_console_clean"
			echo "$bad" | head -n 20 | sed 's/^/# /'
			REBOOT_BAD=1
		else
			echo "ok $n reboot_${i}_console_clean"
		fi
	done
}

[ "$ENGINE" = bochs ] && prepare_bochs
RESULT=2
attempt=0
while :; do
	start_vm
	watch_vm
	case $STATUS in
	hang)
		if [ $attempt -lt "$RETRIES" ]; then
			attempt=$((attempt + 1))
			log "boot hang: no @@XVCPU-BEGIN@@ after ${BOOT_TIMEOUT} s of VM CPU time" \
			    "(last serial line: $(serial_text | grep . | tail -n1 | cut -c1-100));" \
			    "retry $attempt of $RETRIES"
			cp "$OUT/serial.txt" "$OUT/serial.hang$attempt.txt"
			continue
		fi
		log "error: boot hang on all $((RETRIES + 1)) attempts"
		show_tails; exit 2 ;;
	end)
		rc=$(serial_text | sed -n 's/.*@@XVCPU-END rc=\([0-9]*\)@@.*/\1/p' | tail -n1)
		print_output
		reboot_window_results
		log "command finished in $RUN_S s with rc=$rc${REBOOT_S:+ (a test rebooted the VM: the next boot at /init after $REBOOT_S s)}"
		if [ "$rc" = 0 ] && [ $REBOOT_BAD = 0 ]; then RESULT=0; else RESULT=3; fi
		exit $RESULT ;;
	reboots)
		print_output
		log "error: the VM rebooted more than $MAX_REBOOTS times (the most a test may ask for)"
		show_tails; exit 2 ;;
	unmarked)
		print_output
		log "error: the VM rebooted without a test's CMOS mark (an unexpected reset)"
		show_tails; exit 2 ;;
	panic)
		print_output
		log "error: guest kernel panic"
		show_tails; exit 2 ;;
	timeout)
		print_output
		log "error: wall-clock timeout (${TIMEOUT} s) without @@XVCPU-END@@"
		show_tails; exit 2 ;;
	*)
		# Bochs' VNC display found no free port in 5900-5949 and
		# ended before the machine started (seen once, in a make
		# check with two Bochs VMs): that VM never ran, so it is
		# started again, as a boot hang is.
		if [ "$ENGINE" = bochs ] && [ $attempt -lt "$RETRIES" ] &&
		   [ ! -s "$OUT/serial.txt" ] &&
		   grep -q 'RFB could not bind' "$OUT/bochs.log" 2>/dev/null; then
			attempt=$((attempt + 1))
			log "bochs found no free VNC port (RFB could not bind); retry $attempt of $RETRIES"
			sleep 5
			continue
		fi
		print_output
		log "error: $ENGINE exited without @@XVCPU-END@@"
		show_tails; exit 2 ;;
	esac
done
