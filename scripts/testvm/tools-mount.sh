#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the test VM: mount the tools CD (mktoolsiso.sh, testvm.sh --cdrom)
# on /tools and link its root/ into / at the same paths, so perf,
# bpftrace and trace-cmd run as installed (their loader and libraries
# where the ELF files look for them). Idempotent; exit 1 with a reason
# on stderr if there is no tools CD.
set -e
[ -f /tools/xvcpu-tools ] && exit 0
for m in scsi_common scsi_mod libata ata_piix cdrom sr_mod isofs; do
	modprobe "$m" 2>/dev/null || true
done
mkdir -p /tools
# The device nodes appear once the SCSI scan has run.
i=0
while [ $i -lt 50 ]; do
	for d in /dev/sr*; do
		[ -b "$d" ] || continue
		if mount -t iso9660 -o ro "$d" /tools 2>/dev/null; then
			[ -f /tools/xvcpu-tools ] && break 2
			umount /tools
		fi
	done
	i=$((i + 1))
	sleep 0.2
done
[ -f /tools/xvcpu-tools ] || { echo "tools-mount: no tools CD (/dev/sr*)" >&2; exit 1; }
cd /tools/root
find . ! -type d | while read -r f; do
	f=${f#./}
	mkdir -p "/$(dirname "$f")"
	[ -e "/$f" ] || ln -s "/tools/root/$f" "/$f"
done
