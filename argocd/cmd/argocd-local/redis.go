package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/alicebob/miniredis/v2"
)

// runRedis serves the Redis protocol in memory on 127.0.0.1:<port> until
// SIGINT/SIGTERM. Argo CD only uses Redis as a cache (app state, manifests),
// so an in-memory server loses nothing a restart of Argo CD would not rebuild.
func runRedis(args []string) int {
	fs := flag.NewFlagSet("redis", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:6379", "listen address")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	srv := miniredis.NewMiniRedis()
	if err := srv.StartAddr(*addr); err != nil {
		fmt.Fprintf(os.Stderr, "redis: listen on %s: %v\n", *addr, err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "redis: serving on %s\n", srv.Addr())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	srv.Close()
	return 0
}
