package main

import (
	"os"
	_ "time/tzdata" // CronJob time zone support, as in the upstream mains

	"github.com/spf13/pflag"
	"go.etcd.io/etcd/server/v3/etcdmain"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // JSON log format registration
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // client-go metrics
	_ "k8s.io/component-base/metrics/prometheus/version"  // version metric registration
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
	kwokconfig "sigs.k8s.io/kwok/pkg/config"
	kwokcmd "sigs.k8s.io/kwok/pkg/kwok/cmd"
	kwoklog "sigs.k8s.io/kwok/pkg/log"
	kwoksignals "sigs.k8s.io/kwok/pkg/utils/signals"
)

// Each function mirrors the upstream main package of the component
// (k8s.io/kubernetes/cmd/<component>/*.go, go.etcd.io/etcd/server/v3/main.go,
// sigs.k8s.io/kwok/cmd/kwok/main.go).

func runEtcd(args []string) int {
	etcdmain.Main(args)
	return 0
}

func runKubeAPIServer(_ []string) int {
	return cli.Run(apiserver.NewAPIServerCommand())
}

func runKubeControllerManager(_ []string) int {
	return cli.Run(controllermanager.NewControllerManagerCommand())
}

func runKubeScheduler(_ []string) int {
	return cli.Run(scheduler.NewSchedulerCommand())
}

func runKwok(_ []string) int {
	// k8s.io/component-base/version/verflag (linked in for the Kubernetes
	// components) registers a non-bool --version in pflag.CommandLine at init.
	// cobra merges pflag.CommandLine into kwok's root command and then fails
	// every run with "trying to get bool value of flag of type version".
	// Upstream kwok does not link verflag, so drop just that flag.
	withoutVersion := pflag.NewFlagSet(os.Args[0], pflag.ExitOnError)
	pflag.CommandLine.VisitAll(func(f *pflag.Flag) {
		if f.Name != "version" {
			withoutVersion.AddFlag(f)
		}
	})
	pflag.CommandLine = withoutVersion

	flagset := pflag.NewFlagSet("global", pflag.ContinueOnError)
	flagset.ParseErrorsAllowlist.UnknownFlags = true
	flagset.Usage = func() {}

	ctx := kwoksignals.SetupSignalContext()
	ctx, logger := kwoklog.InitFlags(ctx, flagset)

	ctx, err := kwokconfig.InitFlags(ctx, flagset)
	if err != nil {
		_, _ = os.Stderr.Write([]byte(flagset.FlagUsages()))
		logger.Error("Init config flags", "err", err)
		return 1
	}

	command := kwokcmd.NewCommand(ctx)
	command.PersistentFlags().AddFlagSet(flagset)
	if err := command.ExecuteContext(ctx); err != nil {
		logger.Error("Execute exit", "err", err)
		return 1
	}
	return 0
}
