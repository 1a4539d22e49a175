// Daisy chain (the chapter's daisy.go): n pass goroutines linked by unbuffered channels.
// Twin of bench/programs/daisy.cpp.
//
//	daisy [n=100000]
package main

import "fibertrace/bench/benchutil"

func pass(left, right chan int64) {
	v := 1 + <-right
	left <- v
}

func sendFirst(ch chan int64) { ch <- 0 }

func main() {
	n := benchutil.Arg(1, 100000)
	t0 := benchutil.Start()
	leftmost := make(chan int64)
	right := leftmost
	left := leftmost
	for i := int64(0); i < n; i++ {
		right = make(chan int64)
		go pass(left, right)
		left = right
	}
	go sendFirst(right)
	got := <-leftmost
	benchutil.Report("daisy", t0, got, n)
}
