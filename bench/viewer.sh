#!/bin/sh
# One command: fibertrace export/view vs `go tool trace` on the ping-pong trace (bench/README.md).
#   bench/viewer.sh            3 rounds, medians
#   bench/viewer.sh --quick    1 round
#   bench/viewer.sh --help     every option
exec python3 "$(dirname "$0")/viewer.py" "$@"
