#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the test VM (Debian's kernel): the tree `make install` laid out
# (scripts/testvm/install-payload.sh) is copied over /, and Debian's own
# kmod (depmod, modprobe) and udev (systemd-udevd, udevadm), carried in
# the payload with their libraries, do what they do on an installed
# system: depmod finds updates/xvcpu.ko, modprobe loads it, udev applies
# 70-xvcpu.rules, a member of group xvcpu runs the hello guest with the
# installed vcpuctl and a non-member is refused, kvm_intel and xvcpu
# refuse each other, the modprobe.d file's group= option works once
# uncommented, modprobe -r unloads. KTAP on stdout.
I=/xvcpu/install
KVER=$(uname -r)
n=0
echo "KTAP version 1"
echo "1..13"
ok() { # NAME RC
	n=$((n + 1))
	if [ "$2" = 0 ]; then echo "ok $n $1"; else echo "not ok $n $1"; fi
}
# Scratch files of our own (vm_check.sh's are in /tmp).
W=$(mktemp -d)
# Debian's kmod, multi-call by name. Called by path: busybox's shell runs
# its own applets (modprobe, depmod, ...) before looking at PATH.
K=$W/bin
mkdir -p "$K"
for a in depmod modprobe modinfo; do
	ln -s "$I/bin/kmod" "$K/$a"
done
ln -s "$I/bin/udevadm" "$K/udevadm"
ln -s "$I/bin/udevadm" "$K/systemd-udevd"

# The installed tree, as `make install` put it on the disk.
cp -a "$I/root/." /
# The group `make install` creates (groupadd --system; busybox has no
# groupadd): a member and a non-member to try /dev/xvcpu with.
echo "root:x:0:0:root:/root:/bin/sh" >/etc/passwd
echo "member:x:1000:1000::/tmp:/bin/sh" >>/etc/passwd
echo "other:x:1001:1001::/tmp:/bin/sh" >>/etc/passwd
{ echo "root:x:0:"; echo "xvcpu:x:997:member"; echo "member:x:1000:"; echo "other:x:1001:"; } >/etc/group

# What Documentation/install.rst step 1 tells users to look at.
echo "# /proc/cpuinfo: $(grep -m1 '^vmx flags' /proc/cpuinfo)"
echo "# $($K/depmod --version 2>&1 | head -1), $($K/udevadm --version 2>&1) (udev)"
$K/depmod -a 2>$W/err
r=$?
grep -q "^updates/xvcpu.ko:" "/lib/modules/$KVER/modules.dep" || r=1
[ "$($K/modinfo -n xvcpu)" = "/lib/modules/$KVER/updates/xvcpu.ko" ] || r=1
echo "# modinfo -n xvcpu: $($K/modinfo -n xvcpu 2>&1)"
ok depmod_finds_updates_xvcpu $r

# udev as on an installed system: the daemon, then modprobe; the rule
# turns the kernel's root:root 0600 node into root:xvcpu 0660.
$K/systemd-udevd --daemon 2>$W/udevd.log
$K/udevadm settle -t 30 2>>$W/udevd.log
$K/udevadm control --ping 2>>$W/udevd.log
r=$?
[ $r = 0 ] || sed 's/^/# /' $W/udevd.log
ok udevd_running $r

$K/modprobe xvcpu 2>$W/err
r=$?
[ -d /sys/module/xvcpu ] || r=1
[ $r = 0 ] || sed 's/^/# /' $W/err
ok modprobe_loads_xvcpu $r

$K/udevadm settle -t 30
st=$(stat -c '%U:%G %a' /dev/xvcpu 2>&1)
echo "# /dev/xvcpu after udev: $st"
[ "$st" = "root:xvcpu 660" ]
ok udev_rule_group_xvcpu_mode_0660 $?

# A member of the group runs the hello guest with the installed vcpuctl.
su -s /bin/sh member -c "/usr/local/bin/vcpuctl run -q $I/hello" >$W/out 2>&1
r=$?
sed 's/^/# member: /' $W/out | head -5
grep -q "Hello from an xvcpu guest" $W/out || r=1
ok group_member_runs_hello $r

su -s /bin/sh other -c "/usr/local/bin/vcpuctl run -q $I/hello" >$W/out 2>&1
r=$?
sed 's/^/# other: /' $W/out | head -3
[ $r != 0 ] && grep -q "cannot open /dev/xvcpu: Permission denied" $W/out
ok non_member_refused $?

# One VMX owner: while xvcpu is loaded, kvm_intel's load fails.
dmesg -c >/dev/null
$K/modprobe kvm_intel >$W/out 2>&1
r=$?
sed 's/^/# modprobe kvm_intel: /' $W/out
dmesg | grep xvcpu | sed 's/^/# dmesg: /'
[ $r != 0 ] && grep -q "Device or resource busy" $W/out && [ ! -d /sys/module/kvm_intel ]
ok kvm_intel_refused_while_xvcpu_loaded $?

$K/modprobe -r xvcpu 2>$W/err
r=$?
$K/udevadm settle -t 30
[ -d /sys/module/xvcpu ] && r=1
[ -e /dev/xvcpu ] && r=1
ok modprobe_r_unloads $r

# ... and while kvm_intel is loaded, xvcpu's load fails.
$K/modprobe kvm_intel 2>$W/err
r=$?
[ -d /sys/module/kvm_intel ] || r=1
ok kvm_intel_loads_after_unload $r
dmesg -c >/dev/null
$K/modprobe xvcpu >$W/out 2>&1
r=$?
sed 's/^/# modprobe xvcpu: /' $W/out
dmesg | grep xvcpu | sed 's/^/# dmesg: /'
[ $r != 0 ] && grep -q "Device or resource busy" $W/out &&
	dmesg | grep -q "xvcpu: not loading: kvm_intel is loaded" && [ ! -d /sys/module/xvcpu ]
ok xvcpu_refused_while_kvm_intel_loaded $?
$K/modprobe -r kvm_intel && [ ! -d /sys/module/kvm_intel ]
ok kvm_intel_unloads $?

# Without udev, the modprobe.d file's group= option (uncommented, as
# Documentation/install.rst says) gives the node its group.
$K/udevadm control --exit
sed -i 's/^#options xvcpu group=<gid>$/options xvcpu group=997/' /etc/modprobe.d/xvcpu.conf
$K/modprobe xvcpu 2>$W/err
r=$?
st=$(stat -c '%U:%G %a' /dev/xvcpu 2>&1)
echo "# /dev/xvcpu with options xvcpu group=997, no udev: $st"
[ "$st" = "root:xvcpu 660" ] || r=1
[ "$(cat /sys/module/xvcpu/parameters/group 2>&1)" = 997 ] || r=1
ok modprobe_d_group_option $r
$K/modprobe -r xvcpu && [ ! -d /sys/module/xvcpu ]
ok modprobe_r_unloads_again $?
# Leave the VM as found for the tests after this one.
sed -i 's/^options xvcpu group=997$/#options xvcpu group=<gid>/' /etc/modprobe.d/xvcpu.conf
