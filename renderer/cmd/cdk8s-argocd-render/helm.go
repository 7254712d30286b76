package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"
	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/loader"
	"helm.sh/helm/v4/pkg/cli"
	"helm.sh/helm/v4/pkg/cli/values"
	"helm.sh/helm/v4/pkg/getter"
	"helm.sh/helm/v4/pkg/registry"
	releasev1 "helm.sh/helm/v4/pkg/release/v1"
)

// helmTemplate is `helm template RELEASE CHART` restricted to the flags the
// engine passes: --namespace, --values, --set, --set-string, --include-crds,
// --skip-crds, --kube-version, --api-versions, and for charts from a chart
// repository --repo and --version (an oci:// CHART needs no --repo).
// It follows Helm 4's `helm template` (pkg/cmd/template.go and install.go),
// the Helm Argo CD v3.5 runs: a client-side dry-run install with the default
// capabilities, then the manifest followed by each hook.
func helmTemplate(args []string, out io.Writer) error {
	fs := pflag.NewFlagSet("template", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	namespace := fs.String("namespace", "default", "release namespace")
	valueFiles := fs.StringArray("values", nil, "values file (repeatable)")
	sets := fs.StringArray("set", nil, "KEY=VALUE (repeatable)")
	setStrings := fs.StringArray("set-string", nil, "KEY=VALUE forced to a string (repeatable)")
	includeCRDs := fs.Bool("include-crds", false, "render the chart's crds/ folder")
	skipCRDs := fs.Bool("skip-crds", false, "leave the chart's crds/ folder out")
	kubeVersion := fs.String("kube-version", "", "Capabilities.KubeVersion")
	apiVersions := fs.StringArray("api-versions", nil, "Capabilities.APIVersions (repeatable)")
	repo := fs.String("repo", "", "chart repository URL")
	version := fs.String("version", "", "chart version")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	if fs.NArg() != 2 {
		return fmt.Errorf("template: want RELEASE and CHART, got %d arguments", fs.NArg())
	}
	release, chartRef := fs.Arg(0), fs.Arg(1)

	settings := cli.New()
	settings.SetNamespace(*namespace)
	// Logs (a deprecated chart, ...) go to stderr as the helm CLI's do; stdout carries only manifests.
	client := action.NewInstall(action.NewConfiguration())
	// `helm template`'s default --dry-run=client: no cluster, default capabilities.
	client.DryRunStrategy = action.DryRunClient
	client.ReleaseName = release
	client.Namespace = *namespace
	client.Replace = true // skip the release name check, as `helm template` does
	client.IncludeCRDs = *includeCRDs && !*skipCRDs
	client.SkipCRDs = *skipCRDs
	client.APIVersions = common.VersionSet(*apiVersions)
	client.RepoURL = *repo
	client.Version = *version
	if *kubeVersion != "" {
		kv, err := common.ParseKubeVersion(*kubeVersion)
		if err != nil {
			return fmt.Errorf("template: invalid --kube-version %q: %w", *kubeVersion, err)
		}
		client.KubeVersion = kv
	}
	// Registry messages ("Pulled: ...") go to stderr so that stdout stays YAML.
	registryClient, err := registry.NewClient(
		registry.ClientOptEnableCache(true),
		registry.ClientOptWriter(os.Stderr),
		registry.ClientOptCredentialsFile(settings.RegistryConfig),
	)
	if err != nil {
		return fmt.Errorf("template: registry client: %w", err)
	}
	client.SetRegistryClient(registryClient)

	chartPath, err := client.LocateChart(chartRef, settings)
	if err != nil {
		return chartNotFound(chartRef, *repo, *version, err)
	}
	valueOpts := values.Options{ValueFiles: *valueFiles, Values: *sets, StringValues: *setStrings}
	vals, err := valueOpts.MergeValues(getter.All(settings))
	if err != nil {
		return err
	}
	// The loader reads Chart.yaml's apiVersion: v1/v2 charts, or Helm 4's v3 charts.
	ch, err := loader.Load(chartPath)
	if err != nil {
		return err
	}
	acc, err := chart.NewAccessor(ch)
	if err != nil {
		return err
	}
	// helm's checkIfInstallable: a library chart cannot be templated on its own.
	switch t := acc.MetadataAsMap()["Type"]; t {
	case "", "application":
	default:
		return fmt.Errorf("%s charts are not installable", t)
	}
	if req := acc.MetaDependencies(); len(req) > 0 {
		if err := action.CheckDependencies(ch, req); err != nil {
			return fmt.Errorf("%w; run `helm dependency build` in the chart folder and commit charts/", err)
		}
	}
	released, err := client.Run(ch, vals)
	if err != nil {
		return err
	}
	rel, ok := released.(*releasev1.Release)
	if !ok {
		return fmt.Errorf("template: unexpected release type %T", released)
	}
	// Same layout as `helm template`: the manifest, then each hook with its source.
	var manifests bytes.Buffer
	fmt.Fprintln(&manifests, strings.TrimSpace(rel.Manifest))
	for _, h := range rel.Hooks {
		fmt.Fprintf(&manifests, "---\n# Source: %s\n%s\n", h.Path, h.Manifest)
	}
	_, err = out.Write(manifests.Bytes())
	return err
}

func chartNotFound(chartRef, repo, version string, err error) error {
	where := chartRef
	if repo != "" {
		where = fmt.Sprintf("chart %q from repository %s", chartRef, repo)
	} else if strings.HasPrefix(chartRef, "oci://") {
		where = fmt.Sprintf("chart %s", chartRef)
	}
	if version != "" {
		where += " version " + version
	}
	return fmt.Errorf("cannot fetch %s: %w", where, err)
}
