// Goroutine creation: main starts n trivial goroutines (each adds its index to an atomic sum
// and calls wg.Done) and waits for all of them. Twin of bench/programs/spawn.cpp.
//
//	spawn [n=1000000]
package main

import (
	"sync"
	"sync/atomic"

	"fibertrace/bench/benchutil"
)

func main() {
	n := benchutil.Arg(1, 1000000)
	t0 := benchutil.Start()
	var sum int64
	var wg sync.WaitGroup
	wg.Add(int(n))
	for i := int64(0); i < n; i++ {
		go func(i int64) {
			atomic.AddInt64(&sum, i)
			wg.Done()
		}(i)
	}
	wg.Wait()
	benchutil.Report("spawn", t0, atomic.LoadInt64(&sum), n*(n-1)/2)
}
