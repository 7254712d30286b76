// Command argocd-local is a multi-call binary holding the parts of real Argo CD
// that cdk8s-argocd runs beside its own engine (`cdk8s-argocd argocd up`):
//
//   - argocd-application-controller, argocd-repo-server,
//     argocd-applicationset-controller and argocd-git-ask-pass: Argo CD's own
//     cobra commands, unchanged, from github.com/argoproj/argo-cd/v3;
//   - redis: a Redis-protocol server (miniredis, the one Argo CD's own tests
//     use) for the controller's and repo-server's cache;
//   - git-http: the local repository served over Git's smart HTTP protocol
//     (`git http-backend` behind net/http/cgi) for the repo-server.
//
// The component is chosen by the first argument (`argocd-local
// argocd-repo-server --flag ...`) or, busybox style, by the base name the
// binary was invoked as, like Argo CD's own image does with its symlinks.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"

	appcontroller "github.com/argoproj/argo-cd/v3/cmd/argocd-application-controller/commands"
	applicationset "github.com/argoproj/argo-cd/v3/cmd/argocd-applicationset-controller/commands"
	gitaskpass "github.com/argoproj/argo-cd/v3/cmd/argocd-git-ask-pass/commands"
	reposerver "github.com/argoproj/argo-cd/v3/cmd/argocd-repo-server/commands"
	"github.com/argoproj/argo-cd/v3/util/log"
)

// Set by the build through -ldflags -X.
var argocdVersion = "unknown"

func cobraMain(newCommand func() *cobra.Command) func(args []string) int {
	return func(args []string) int {
		// As Argo CD's cmd/main.go: klog follows Argo CD's log level and format.
		klog.SetLogger(log.NewLogrusLogger(log.NewWithCurrentConfig()))
		cmd := newCommand()
		cmd.SetArgs(args[1:])
		if err := cmd.Execute(); err != nil {
			return 1
		}
		return 0
	}
}

var components = map[string]func(args []string) int{
	"argocd-application-controller":    cobraMain(appcontroller.NewCommand),
	"argocd-repo-server":               cobraMain(reposerver.NewCommand),
	"argocd-applicationset-controller": cobraMain(applicationset.NewCommand),
	"argocd-git-ask-pass":              cobraMain(gitaskpass.NewCommand),
	"redis":                            runRedis,
	"git-http":                         runGitHTTP,
	"version":                          runVersion,
}

func main() {
	name := filepath.Base(os.Args[0])
	// Argo CD re-executes its own binary under another name through this
	// variable (e.g. GIT_ASKPASS=argocd with ARGOCD_BINARY_NAME=argocd-git-ask-pass).
	if v := os.Getenv("ARGOCD_BINARY_NAME"); v != "" {
		name = v
	}
	args := os.Args
	if _, ok := components[name]; !ok {
		if len(os.Args) < 2 {
			usage()
			os.Exit(2)
		}
		name = os.Args[1]
		args = append([]string{name}, os.Args[2:]...)
	}
	run, ok := components[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "argocd-local: unknown component %q\n", name)
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
	fmt.Fprintf(os.Stderr, "usage: argocd-local <%s> [flags...]\n", strings.Join(names, "|"))
}

func runVersion(_ []string) int {
	fmt.Printf("argo-cd=%s\n", argocdVersion)
	return 0
}
