#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# contactid.sh N DIR - N Contact ID (SIA DC-05) messages as an alarm panel
# keys them, for the data tests: DIR/cid.txt has one message a line (16
# DTMF digits: account 4, message type 18, event qualifier 1/3/6, event
# code 3, partition 2, zone or user 3, checksum: the digits' sum, 0 counted
# as 10, B..F as 11..15, a multiple of 15, with a checksum of 10 keyed as 0
# and 15 as F = '#', 14 as E = '*'); DIR/cid.raw is their audio (raw s16
# 8 kHz, made by sox): each digit 50 ms of tone then 50 ms of silence, at
# -9 dBFS per tone, 250 ms between messages.
set -eu
n=$1
dir=$2
RAW="-t raw -r 8000 -e signed -b 16 -c 1"
keys="123A456B789C*0#D"
lo=(697 697 697 697 770 770 770 770 852 852 852 852 941 941 941 941)
hi=(1209 1336 1477 1633 1209 1336 1477 1633 1209 1336 1477 1633 1209 1336 1477 1633)
for i in $(seq 0 15); do
	k=${keys:$i:1}
	case $k in '*') f=star ;; '#') f=hash ;; *) f=$k ;; esac
	sox -n $RAW "$dir/d-$f.raw" synth 0.05 sine "${lo[$i]}" sine "${hi[$i]}" \
		remix - gain -3 pad 0 0.05
done
sox -n $RAW "$dir/gap.raw" trim 0 0.25
# checksum digit for the 15 digits of $1
checksum() {
	local s=0 i d v

	for ((i = 0; i < ${#1}; i++)); do
		d=${1:$i:1}
		case $d in 0) v=10 ;; B) v=11 ;; C) v=12 ;; D) v=13 ;; '*') v=14 ;; '#') v=15 ;; *) v=$d ;; esac
		s=$((s + v))
	done
	v=$(((15 - s % 15) % 15))
	[ "$v" -eq 0 ] && v=15
	case $v in 10) echo 0 ;; 11) echo B ;; 12) echo C ;; 13) echo D ;; 14) echo '*' ;; 15) echo '#' ;; *) echo "$v" ;; esac
}
quals=(1 3 6)
events=(130 131 134 137 301 401 441 570 602 110 120 121)
: >"$dir/cid.txt"
files=()
for ((m = 0; m < n; m++)); do
	msg=$(printf '%04d18%s%s%02d%03d' $((1234 + m * 37 % 8000)) "${quals[m % 3]}" \
		"${events[m % 12]}" $((m % 8 + 1)) $((m * 7 % 999 + 1)))
	msg=$msg$(checksum "$msg")
	echo "$msg" >>"$dir/cid.txt"
	for ((i = 0; i < 16; i++)); do
		k=${msg:$i:1}
		case $k in '*') f=star ;; '#') f=hash ;; *) f=$k ;; esac
		files+=("$dir/d-$f.raw")
	done
	files+=("$dir/gap.raw")
done
cat "${files[@]}" >"$dir/cid.raw"
