package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/component-base/cli"
	cliflag "k8s.io/component-base/cli/flag"
	"k8s.io/component-base/logs"
	"k8s.io/kube-openapi/pkg/common"
	openapiutil "k8s.io/kube-openapi/pkg/util"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"sigs.k8s.io/metrics-server/cmd/metrics-server/app/options"
)

// runMetricsServer runs the real metrics-server (sigs.k8s.io/metrics-server),
// serving the resource metrics API (metrics.k8s.io) from what it scrapes off
// kwok's emulated kubelet endpoints. It mirrors
// sigs.k8s.io/metrics-server/cmd/metrics-server/app.NewMetricsServerCommand
// (same flags, same run steps) with one change, see restFriendlyDefinitions.
func runMetricsServer(_ []string) int {
	stopCh := genericapiserver.SetupSignalHandler()
	opts := options.NewOptions()
	cmd := &cobra.Command{
		Use:   "metrics-server",
		Short: "Launch metrics-server",
		Long:  "Launch metrics-server",
		RunE: func(_ *cobra.Command, _ []string) error {
			if opts.ShowVersion {
				fmt.Println(metricsServerVersion)
				return nil
			}
			if errs := opts.Validate(); len(errs) > 0 {
				return errs[0]
			}
			config, err := opts.ServerConfig()
			if err != nil {
				return err
			}
			v2, v3 := config.Apiserver.OpenAPIConfig, config.Apiserver.OpenAPIV3Config
			v2.GetDefinitions = restFriendlyDefinitions(v2.GetDefinitions)
			v3.GetDefinitions = restFriendlyDefinitions(v3.GetDefinitions)
			// genericapiserver.DefaultOpenAPIV3Config also evaluates them up front.
			v3.Definitions = v3.GetDefinitions(func(name string) spec.Ref {
				defName, _ := v3.GetDefinitionName(name)
				return spec.MustCreateRef("#/components/schemas/" + common.EscapeJsonPointer(defName))
			})
			s, err := config.Complete()
			if err != nil {
				return err
			}
			return s.RunUntil(stopCh)
		},
	}
	fs := cmd.Flags()
	nfs := opts.Flags()
	for _, f := range nfs.FlagSets {
		fs.AddFlagSet(f)
	}
	local := flag.NewFlagSet(os.Args[0], flag.ExitOnError)
	logs.AddGoFlags(local)
	nfs.FlagSet("logging").AddGoFlagSet(local)
	cmd.SetUsageFunc(func(c *cobra.Command) error {
		fmt.Fprintf(c.OutOrStderr(), "Usage:\n  %s\n", c.UseLine())
		cliflag.PrintSections(c.OutOrStderr(), nfs, 0)
		return nil
	})
	fs.AddGoFlagSet(local)
	return cli.Run(cmd)
}

// restFriendlyDefinitions renames metrics-server v0.8.0's generated OpenAPI
// definitions from Go package paths ("k8s.io/metrics/pkg/apis/metrics/v1beta1.NodeMetrics")
// to the REST-friendly names ("io.k8s.metrics.pkg.apis.metrics.v1beta1.NodeMetrics").
// metrics-server v0.8.0 was generated against the Kubernetes 1.33 libraries;
// the 1.36 libraries this binary links (one dependency graph for every
// component) name a type by its OpenAPIModelName(), the REST-friendly name, so
// without this the server stops at start-up with "cannot find model
// definition for io.k8s.metrics.pkg.apis.metrics.v1beta1.NodeMetrics".
func restFriendlyDefinitions(get common.GetOpenAPIDefinitions) common.GetOpenAPIDefinitions {
	rename := func(name string) string {
		if strings.Contains(name, "/") { // a Go path; a REST-friendly name has none
			return openapiutil.ToRESTFriendlyName(name)
		}
		return name
	}
	return func(ref common.ReferenceCallback) map[string]common.OpenAPIDefinition {
		defs := get(func(name string) spec.Ref { return ref(rename(name)) })
		out := make(map[string]common.OpenAPIDefinition, len(defs))
		for name, def := range defs {
			deps := make([]string, len(def.Dependencies))
			for i, d := range def.Dependencies {
				deps[i] = rename(d)
			}
			def.Dependencies = deps
			out[rename(name)] = def
		}
		return out
	}
}
