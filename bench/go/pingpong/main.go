// Unbuffered ping-pong: main and one goroutine bounce a counter over two unbuffered channels,
// n round trips. Twin of bench/programs/pingpong.cpp.
//
//	pingpong [n=1000000]
package main

import "fibertrace/bench/benchutil"

func ponger(ping, pong chan int64, n int64) {
	for i := int64(0); i < n; i++ {
		pong <- (<-ping + 1)
	}
}

func main() {
	n := benchutil.Arg(1, 1000000)
	t0 := benchutil.Start()
	ping, pong := make(chan int64), make(chan int64)
	go ponger(ping, pong, n)
	var v int64
	for i := int64(0); i < n; i++ {
		ping <- v
		v = <-pong
	}
	benchutil.Report("pingpong", t0, v, n)
}
