#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vcpuctl(1) from Documentation/vcpuctl.rst: one text for the web page and
# the man page. The reST title is replaced by a man page header (name,
# one-line summary, section); Sphinx's :doc: references, which plain
# docutils does not know, become the file names they point to.
#
# usage: scripts/mkman.sh VERSION Documentation/vcpuctl.rst OUT.1
set -euo pipefail
[ $# = 3 ] || { sed -n '8p' "$0" | sed 's/^# //' >&2; exit 1; }
ver=$1 in=$2 out=$3
command -v rst2man >/dev/null ||
	{ echo "mkman: no rst2man: install python3-docutils (make setup)" >&2; exit 1; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{
	cat <<-HDR
	=======
	vcpuctl
	=======

	-------------------------------------------------------
	run guests on xvcpu, a VT-x vCPU backend for user space
	-------------------------------------------------------

	:Manual section: 1
	:Manual group: xvcpu
	:Version: $ver

	HDR
	# The body: everything after the document title (over- and
	# underlined), with :doc:\`name\` -> Documentation/name.rst.
	awk 'title < 2 { if ($0 ~ /^=+$/) title++; next } { print }' "$in" |
		sed 's/:doc:`\([^`]*\)`/Documentation\/\1.rst/g'
} >"$tmp"
mkdir -p "$(dirname "$out")"
# A reST error is a failure, not a page with a hole in it.
rst2man --halt=warning "$tmp" "$out.tmp"
mv "$out.tmp" "$out"
