/** Test fixture, not a test file. */

/** An Application manifest (YAML text) whose single source is `sourcePath` of the acme repository; `extra` is appended. */
export function applicationYaml(name: string, sourcePath: string, extra = ''): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
spec:
  project: default
  destination:
    server: https://kubernetes.default.svc
    namespace: ${name}
  source:
    repoURL: https://github.com/acme/k8s.git
    path: ${sourcePath}
${extra}`;
}
