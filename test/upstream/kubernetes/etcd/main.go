// etcd runs a single-member etcd on loopback with etcd's own server (go.etcd.io/etcd/server/v3/embed,
// at the version k8s.io/kubernetes pins), for the test API server. Test tooling only.
//
//	etcd <data-dir> <client-port> <peer-port>
package main

import (
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: etcd <data-dir> <client-port> <peer-port>")
		os.Exit(2)
	}
	client := loopback(os.Args[2])
	peer := loopback(os.Args[3])
	cfg := embed.NewConfig()
	cfg.Dir = os.Args[1]
	cfg.ListenClientUrls = []url.URL{client}
	cfg.AdvertiseClientUrls = []url.URL{client}
	cfg.ListenPeerUrls = []url.URL{peer}
	cfg.AdvertisePeerUrls = []url.URL{peer}
	cfg.InitialCluster = cfg.Name + "=" + peer.String()
	cfg.LogLevel = "error"
	server, err := embed.StartEtcd(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer server.Close()
	select {
	case <-server.Server.ReadyNotify():
		fmt.Printf("etcd ready on %s\n", client.String())
	case <-time.After(60 * time.Second):
		fmt.Fprintln(os.Stderr, "etcd did not become ready in 60s")
		os.Exit(1)
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	select {
	case err := <-server.Err():
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	case <-signals:
	}
}

func loopback(port string) url.URL {
	if _, err := strconv.Atoi(port); err != nil {
		fmt.Fprintf(os.Stderr, "port %q is not a number\n", port)
		os.Exit(2)
	}
	return url.URL{Scheme: "http", Host: "127.0.0.1:" + port}
}
