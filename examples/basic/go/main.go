// examples/basic in Go: the same Application and cdk8s-plus objects as ../main.ts.
//
//	go run . OUTDIR
//
// writes the committed directory to OUTDIR. `source.path` is given explicitly
// (OutdirPathInRepo), so the output is byte-identical to ../manifests wherever OUTDIR is;
// test/language-proof.test.ts checks exactly that.
package main

import (
	"fmt"
	"os"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdk8s-argocd/cdk8s-argocd-go/cdk8sargocd"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
	"github.com/cdk8s-team/cdk8s-plus-go/cdk8splus28/v2"
)

func buildApp(outdir string) cdk8sargocd.GitOpsApp {
	app := cdk8sargocd.NewGitOpsApp(&cdk8sargocd.GitOpsAppProps{
		RepoURL:          jsii.String("https://github.com/acme/platform.git"),
		Outdir:           jsii.String(outdir),
		OutdirPathInRepo: jsii.String("examples/basic/manifests"),
	})

	api := cdk8sargocd.NewApplication(app, jsii.String("hello-api"), &cdk8sargocd.ApplicationProps{
		Destination: &cdk8sargocd.ApplicationDestination{Namespace: jsii.String("hello")},
		SyncPolicy: &cdk8sargocd.SyncPolicy{
			Automated:   &cdk8sargocd.AutomatedSync{Prune: jsii.Bool(true), SelfHeal: jsii.Bool(true)},
			SyncOptions: &[]cdk8sargocd.SyncOption{cdk8sargocd.SyncOption_CREATE_NAMESPACE()},
		},
	})

	config := cdk8splus28.NewConfigMap(api, jsii.String("config"), &cdk8splus28.ConfigMapProps{
		Data: &map[string]*string{
			"GREETING":  jsii.String("hello from cdk8s-argocd"),
			"LOG_LEVEL": jsii.String("info"),
		},
	})

	deployment := cdk8splus28.NewDeployment(api, jsii.String("web"), &cdk8splus28.DeploymentProps{
		Replicas: jsii.Number(2),
		Containers: &[]*cdk8splus28.ContainerProps{{
			Image:      jsii.String("ghcr.io/acme/hello-api:1.4.2"),
			PortNumber: jsii.Number(8080),
			EnvFrom:    &[]cdk8splus28.EnvFrom{cdk8splus28.Env_FromConfigMap(config, nil)},
			Resources: &cdk8splus28.ContainerResources{
				Cpu: &cdk8splus28.CpuResources{
					Request: cdk8splus28.Cpu_Millis(jsii.Number(100)),
					Limit:   cdk8splus28.Cpu_Millis(jsii.Number(500)),
				},
				Memory: &cdk8splus28.MemoryResources{
					Request: cdk8s.Size_Mebibytes(jsii.Number(128)),
					Limit:   cdk8s.Size_Mebibytes(jsii.Number(256)),
				},
			},
			SecurityContext: &cdk8splus28.ContainerSecurityContextProps{
				User:  jsii.Number(10001),
				Group: jsii.Number(10001),
			},
		}},
	})
	deployment.ExposeViaService(&cdk8splus28.DeploymentExposeViaServiceOptions{
		Name:  jsii.String("hello-api"),
		Ports: &[]*cdk8splus28.ServicePort{{Port: jsii.Number(80), TargetPort: jsii.Number(8080)}},
	})

	return app
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run . OUTDIR")
		os.Exit(2)
	}
	buildApp(os.Args[1]).Synth()
	jsii.Close()
}
