// Command cdk8s-argocd-render renders Helm charts and Kustomize folders with
// the Helm and Kustomize Go libraries, so the sync engine needs neither a
// `helm` nor a `kubectl` binary. It accepts the arguments the engine's
// render-source.ts passes, which mirror the ones Argo CD's repo-server passes.
//
//	cdk8s-argocd-render version
//	cdk8s-argocd-render template RELEASE CHART [flags]   (like `helm template`)
//	cdk8s-argocd-render build DIR                        (like `kustomize build`)
//
// Manifests go to stdout, errors to stderr with a non-zero exit.
package main

import (
	"fmt"
	"os"
)

// Set by the build (-ldflags -X) from go.mod.
var (
	helmVersion      = "unknown"
	kustomizeVersion = "unknown"
)

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: %s version | template RELEASE CHART [flags] | build DIR", os.Args[0]))
	}
	var err error
	switch os.Args[1] {
	case "version":
		fmt.Printf("helm=%s kustomize=%s\n", helmVersion, kustomizeVersion)
	case "template":
		err = helmTemplate(os.Args[2:], os.Stdout)
	case "build":
		err = kustomizeBuild(os.Args[2:], os.Stdout)
	default:
		err = fmt.Errorf("unknown command %q (want version, template or build)", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
