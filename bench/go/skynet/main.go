// Skynet: a 10-ary tree of goroutines summing 0..size-1 through unbuffered channels.
// Twin of bench/programs/skynet.cpp.
//
//	skynet [size=1000000] [div=10]
package main

import "fibertrace/bench/benchutil"

func skynet(c chan int64, num, size, div int64) {
	if size == 1 {
		c <- num
		return
	}
	rc := make(chan int64)
	var sum int64
	for i := int64(0); i < div; i++ {
		sub := num + i*(size/div)
		go skynet(rc, sub, size/div, div)
	}
	for i := int64(0); i < div; i++ {
		sum += <-rc
	}
	c <- sum
}

func main() {
	size := benchutil.Arg(1, 1000000)
	div := benchutil.Arg(2, 10)
	t0 := benchutil.Start()
	c := make(chan int64)
	go skynet(c, 0, size, div)
	got := <-c
	benchutil.Report("skynet", t0, got, size*(size-1)/2)
}
