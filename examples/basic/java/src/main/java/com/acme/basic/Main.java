package com.acme.basic;

import java.util.List;
import java.util.Map;

import io.github.cdk8sargocd.Application;
import io.github.cdk8sargocd.ApplicationDestination;
import io.github.cdk8sargocd.AutomatedSync;
import io.github.cdk8sargocd.GitOpsApp;
import io.github.cdk8sargocd.GitOpsAppProps;
import io.github.cdk8sargocd.SyncOption;
import io.github.cdk8sargocd.SyncPolicy;
import org.cdk8s.Size;
import org.cdk8s.plus28.ConfigMap;
import org.cdk8s.plus28.ContainerProps;
import org.cdk8s.plus28.ContainerResources;
import org.cdk8s.plus28.ContainerSecurityContextProps;
import org.cdk8s.plus28.Cpu;
import org.cdk8s.plus28.CpuResources;
import org.cdk8s.plus28.Deployment;
import org.cdk8s.plus28.DeploymentExposeViaServiceOptions;
import org.cdk8s.plus28.Env;
import org.cdk8s.plus28.MemoryResources;
import org.cdk8s.plus28.ServicePort;

/**
 * examples/basic in Java: the same Application as ../main.ts (a small web API built with
 * cdk8s-plus, synced automatically with prune, self-heal and CreateNamespace), and it synthesizes
 * the same files as ../manifests.
 *
 * Usage: mvn -q compile exec:java -Dexec.args=OUTDIR
 */
public final class Main {
    /** Where Argo CD reads this example's manifests in the repository: the committed directory. */
    static final String PATH_IN_REPO = "examples/basic/manifests";

    public static GitOpsApp buildApp(final String outdir) {
        // The output may be written anywhere (a check compares it); source.path names where it is committed.
        GitOpsApp app = new GitOpsApp(GitOpsAppProps.builder()
                .repoUrl("https://github.com/acme/platform.git")
                .outdir(outdir)
                .outdirPathInRepo(PATH_IN_REPO)
                .build());

        Application api = Application.Builder.create(app, "hello-api")
                .destination(ApplicationDestination.builder().namespace("hello").build())
                .syncPolicy(SyncPolicy.builder()
                        .automated(AutomatedSync.builder().prune(true).selfHeal(true).build())
                        .syncOptions(List.of(SyncOption.CREATE_NAMESPACE))
                        .build())
                .build();

        ConfigMap config = ConfigMap.Builder.create(api, "config")
                .data(Map.of("GREETING", "hello from cdk8s-argocd", "LOG_LEVEL", "info"))
                .build();

        Deployment deployment = Deployment.Builder.create(api, "web")
                .replicas(2)
                .containers(List.of(ContainerProps.builder()
                        .image("ghcr.io/acme/hello-api:1.4.2")
                        .portNumber(8080)
                        .envFrom(List.of(Env.fromConfigMap(config)))
                        .resources(ContainerResources.builder()
                                .cpu(CpuResources.builder().request(Cpu.millis(100)).limit(Cpu.millis(500)).build())
                                .memory(MemoryResources.builder()
                                        .request(Size.mebibytes(128))
                                        .limit(Size.mebibytes(256))
                                        .build())
                                .build())
                        .securityContext(ContainerSecurityContextProps.builder().user(10001).group(10001).build())
                        .build()))
                .build();
        deployment.exposeViaService(DeploymentExposeViaServiceOptions.builder()
                .name("hello-api")
                .ports(List.of(ServicePort.builder().port(80).targetPort(8080).build()))
                .build());

        return app;
    }

    public static void main(final String[] args) {
        if (args.length != 1) {
            System.err.println("usage: Main OUTDIR  (the directory to synthesize into; ../manifests is the committed one)");
            System.exit(2);
        }
        buildApp(args[0]).synth();
    }
}
