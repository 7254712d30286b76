module github.com/cdk8s-argocd/cdk8s-argocd/examples/basic/go

go 1.25

// The versions the TypeScript example uses (package-lock.json), so all three synthesize the same bytes.
require (
	github.com/aws/constructs-go/constructs/v10 v10.4.2
	github.com/aws/jsii-runtime-go v1.140.0
	github.com/cdk8s-argocd/cdk8s-argocd-go/cdk8sargocd v0.0.0
	github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2 v2.70.0
	github.com/cdk8s-team/cdk8s-plus-go/cdk8splus28/v2 v2.5.6
)
