// Package benchutil is what every Go twin shares with its C++ program (bench/programs/
// bench_util.hpp): the numeric arguments, an optional execution trace, and the two
// machine-readable lines the driver parses:
//
//	result=<value>
//	elapsed_ns=<nanoseconds of the measured part>
//
// GOTRACE_OUT=path starts runtime/trace before the measured part and stops it after, the way
// FT_TRACE=path traces the whole ft::run of the C++ program.
package benchutil

import (
	"fmt"
	"os"
	"runtime/trace"
	"strconv"
	"time"
)

// Arg returns os.Args[i] as an integer, or def when absent.
func Arg(i int, def int64) int64 {
	if len(os.Args) > i {
		v, err := strconv.ParseInt(os.Args[i], 10, 64)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bad argument %q\n", os.Args[i])
			os.Exit(2)
		}
		return v
	}
	return def
}

var traceFile *os.File

// Start begins tracing when GOTRACE_OUT is set, then starts the stopwatch.
func Start() time.Time {
	if path := os.Getenv("GOTRACE_OUT"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if err := trace.Start(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		traceFile = f
	}
	return time.Now()
}

// Report stops the stopwatch (and the trace), prints the two lines and exits with status 1 on
// a wrong result.
func Report(name string, t0 time.Time, result, expected int64) {
	elapsed := time.Since(t0)
	if traceFile != nil {
		trace.Stop()
		traceFile.Close()
	}
	fmt.Printf("result=%d\nelapsed_ns=%d\n", result, elapsed.Nanoseconds())
	if result != expected {
		fmt.Fprintf(os.Stderr, "%s: WRONG RESULT %d, expected %d\n", name, result, expected)
		os.Exit(1)
	}
}
