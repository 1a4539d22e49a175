// Echo round trips over loopback TCP with Go's net: conns connections at once, each rounds
// round trips of a 64-byte request and its echo; server and clients in one process, one
// goroutine per connection on each side. Twin of bench/programs/echo.cpp.
//
//	echo [conns=64] [rounds=2000]
package main

import (
	"bytes"
	"io"
	"net"
	"os"

	"fibertrace/bench/benchutil"
)

func main() {
	conns := benchutil.Arg(1, 64)
	rounds := benchutil.Arg(2, 2000)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.Exit(1)
	}
	go func() {
		for i := int64(0); i < conns; i++ {
			c, err := l.Accept()
			if err != nil {
				os.Exit(1)
			}
			go func(c net.Conn) {
				buf := make([]byte, 64)
				for {
					n, err := c.Read(buf)
					if err != nil {
						return
					}
					if _, err := c.Write(buf[:n]); err != nil {
						return
					}
				}
			}(c)
		}
	}()
	t0 := benchutil.Start()
	done := make(chan int64, conns)
	for i := int64(0); i < conns; i++ {
		go func() {
			c, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				os.Exit(1)
			}
			out := bytes.Repeat([]byte{'x'}, 64)
			in := make([]byte, 64)
			var ok int64
			for r := int64(0); r < rounds; r++ {
				if _, err := c.Write(out); err != nil {
					os.Exit(1)
				}
				if _, err := io.ReadFull(c, in); err != nil {
					os.Exit(1)
				}
				if bytes.Equal(in, out) {
					ok++
				}
			}
			done <- ok
		}()
	}
	var total int64
	for i := int64(0); i < conns; i++ {
		total += <-done
	}
	benchutil.Report("echo", t0, total, conns*rounds)
}
