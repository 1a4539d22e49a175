// Buffered producer/consumer: producers send items values in all into one buffered channel;
// consumers drain it until closed and send partial sums to main.
// Twin of bench/programs/prodcons.cpp.
//
//	prodcons [items=4000000] [producers=4] [consumers=4] [cap=128]
package main

import (
	"sync"

	"fibertrace/bench/benchutil"
)

func main() {
	items := benchutil.Arg(1, 4000000)
	np := benchutil.Arg(2, 4)
	nc := benchutil.Arg(3, 4)
	capacity := benchutil.Arg(4, 128)
	t0 := benchutil.Start()
	per := items / np
	ch := make(chan int64, capacity)
	sums := make(chan int64, nc)
	var wg sync.WaitGroup
	wg.Add(int(np))
	for p := int64(0); p < np; p++ {
		go func(p int64) {
			for i, end := p*per, p*per+per; i < end; i++ {
				ch <- i
			}
			wg.Done()
		}(p)
	}
	for c := int64(0); c < nc; c++ {
		go func() {
			var s int64
			for v := range ch {
				s += v
			}
			sums <- s
		}()
	}
	wg.Wait()
	close(ch)
	var total int64
	for c := int64(0); c < nc; c++ {
		total += <-sums
	}
	n := per * np
	benchutil.Report("prodcons", t0, total, n*(n-1)/2)
}
