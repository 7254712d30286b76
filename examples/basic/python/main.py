"""examples/basic in Python: the same Application and cdk8s-plus objects as ../main.ts.

    pip install -r requirements.txt   # plus the cdk8s-argocd package (see the README)
    python main.py OUTDIR

writes the committed directory to OUTDIR. `source.path` is given explicitly
(`outdir_path_in_repo`), so the output is byte-identical to ../manifests wherever OUTDIR is;
test/language-proof.test.ts checks exactly that.
"""
import sys

import cdk8s
import cdk8s_plus_28 as kplus
from cdk8s_argocd import (
    Application,
    ApplicationDestination,
    AutomatedSync,
    GitOpsApp,
    SyncOption,
    SyncPolicy,
)


def build_app(outdir: str) -> GitOpsApp:
    app = GitOpsApp(
        repo_url="https://github.com/acme/platform.git",
        outdir=outdir,
        outdir_path_in_repo="examples/basic/manifests",
    )

    api = Application(
        app,
        "hello-api",
        destination=ApplicationDestination(namespace="hello"),
        sync_policy=SyncPolicy(
            automated=AutomatedSync(prune=True, self_heal=True),
            sync_options=[SyncOption.CREATE_NAMESPACE],
        ),
    )

    config = kplus.ConfigMap(
        api,
        "config",
        data={"GREETING": "hello from cdk8s-argocd", "LOG_LEVEL": "info"},
    )

    deployment = kplus.Deployment(
        api,
        "web",
        replicas=2,
        containers=[
            kplus.ContainerProps(
                image="ghcr.io/acme/hello-api:1.4.2",
                port_number=8080,
                env_from=[kplus.Env.from_config_map(config)],
                resources=kplus.ContainerResources(
                    cpu=kplus.CpuResources(
                        request=kplus.Cpu.millis(100), limit=kplus.Cpu.millis(500)
                    ),
                    memory=kplus.MemoryResources(
                        request=cdk8s.Size.mebibytes(128), limit=cdk8s.Size.mebibytes(256)
                    ),
                ),
                security_context=kplus.ContainerSecurityContextProps(
                    user=10001, group=10001
                ),
            )
        ],
    )
    deployment.expose_via_service(
        name="hello-api", ports=[kplus.ServicePort(port=80, target_port=8080)]
    )

    return app


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python main.py OUTDIR")
    build_app(sys.argv[1]).synth()
