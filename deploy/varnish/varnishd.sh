#!/bin/sh
# Start varnishd for Confnotes: the caller's options (where to listen, which VCL, -F, -n, ...)
# followed by the parameters in varnishd.params (storage, threads, log mask), so that production
# (systemd, see varnish.service.d/confnotes.conf), tests/test_front_cache.py and
# benchmarks/http.py start it the same way:
#
#   deploy/varnish/varnishd.sh -a :6081 -f /etc/varnish/default.vcl
#
# VARNISHD (default: varnishd on PATH, else /usr/sbin/varnishd) and VARNISHD_PARAMS (default:
# varnishd.params next to this script) override the binary and the parameter file.
set -eu
params="${VARNISHD_PARAMS:-$(dirname "$0")/varnishd.params}"
binary="${VARNISHD:-$(command -v varnishd || echo /usr/sbin/varnishd)}"
# One option or value per word; no quoting, spaces or wildcards in the file.
set -f
# shellcheck disable=SC2046
exec "$binary" "$@" $(sed -e 's/#.*//' "$params")
