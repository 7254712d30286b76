// Command k8s-local is a multi-call binary bundling the components of the
// cdk8s-argocd local control plane: etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler, kwok and metrics-server, plus a tiny "pki" helper
// that writes the certificates and keys the control plane needs.
//
// The component is chosen by the first argument (`k8s-local kube-apiserver
// --flag ...`) or, busybox style, by the base name the binary was invoked as
// (a symlink named `kube-apiserver` pointing at k8s-local).
//
// See ../../README.md for why this is one binary rather than six.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Versions, overwritten by the build script through -ldflags -X.
var (
	kubernetesVersion    = "unknown"
	etcdVersion          = "unknown"
	kwokVersion          = "unknown"
	metricsServerVersion = "unknown"
)

var components = map[string]func(args []string) int{
	"etcd":                    runEtcd,
	"kube-apiserver":          runKubeAPIServer,
	"kube-controller-manager": runKubeControllerManager,
	"kube-scheduler":          runKubeScheduler,
	"kwok":                    runKwok,
	"metrics-server":          runMetricsServer,
	"pki":                     runPKI,
	"version":                 runVersion,
}

func main() {
	name := filepath.Base(os.Args[0])
	args := os.Args
	if _, ok := components[name]; !ok {
		if len(os.Args) < 2 {
			usage()
			os.Exit(2)
		}
		name = os.Args[1]
		// Present the component with argv as if it had been started directly.
		args = append([]string{name}, os.Args[2:]...)
	}
	run, ok := components[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "k8s-local: unknown component %q\n", name)
		usage()
		os.Exit(2)
	}
	os.Args = args
	os.Exit(run(args))
}

func usage() {
	names := make([]string, 0, len(components))
	for n := range components {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(os.Stderr, "usage: k8s-local <%s> [flags...]\n", strings.Join(names, "|"))
}

func runVersion(_ []string) int {
	fmt.Printf("kubernetes=%s etcd=%s kwok=%s metrics-server=%s\n", kubernetesVersion, etcdVersion, kwokVersion, metricsServerVersion)
	return 0
}
