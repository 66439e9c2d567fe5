#!/usr/bin/env bash
# Writes hostpulse(1) to stdout from the executable's own --help texts, so the man page
# says exactly what the program does (no second copy of the flags to keep in step).
#   manpage.sh <executable> <version> <date>
set -euo pipefail
exe="$1" version="$2" date="$3"
# roff: a leading . or ' starts a request and \ escapes: neutralise both in the help text.
verbatim() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }
cat <<ROFF
.TH HOSTPULSE 1 "$(date -u -d "$date" +%Y-%m-%d)" "hostpulse $version" "User Commands"
.SH NAME
hostpulse \- host metrics agent for Prometheus
.SH SYNOPSIS
.B hostpulse
.I command
.RI [ options ]
.SH DESCRIPTION
hostpulse samples per-process and host resource usage from /proc and delivers it to a
Prometheus Pushgateway, by remote write, to Graphite or statsd, or serves it for scraping.
The service reads its settings from
.IR /etc/hostpulse/hostpulse.env ;
every flag of
.B hostpulse run
is also an environment variable HOSTPULSE_<FLAG>.
.SH COMMANDS
.nf
ROFF
"$exe" --help | verbatim
cat <<'ROFF'
.fi
.SH OPTIONS OF RUN
.nf
ROFF
"$exe" run --help | verbatim
cat <<'ROFF'
.fi
.SH FILES
.TP
.I /etc/hostpulse/hostpulse.env
settings of the hostpulse service
.TP
.I /usr/lib/systemd/system/hostpulse.service
the systemd unit
.SH SEE ALSO
.BR systemctl (1),
.BR systemd.exec (5)
ROFF
