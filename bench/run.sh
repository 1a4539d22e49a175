#!/bin/sh
# One command: builds the C++ benchmarks and their Go twins, runs them, prints the tables.
#   bench/run.sh            5 runs per cell (medians), Go traces parsed for events
#   bench/run.sh --quick    1 run per cell, CI smoke
#   bench/run.sh --help     every option
exec python3 "$(dirname "$0")/run.py" "$@"
