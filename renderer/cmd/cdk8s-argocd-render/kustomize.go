package main

import (
	"fmt"
	"io"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// kustomizeBuild is `kustomize build DIR` with kustomize's default options
// (load restrictions to the kustomization root, no plugins, no Helm), which
// is what Argo CD runs when no kustomize.buildOptions are configured.
func kustomizeBuild(args []string, out io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("build: want exactly one folder, got %d arguments", len(args))
	}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resMap, err := k.Run(filesys.MakeFsOnDisk(), args[0])
	if err != nil {
		return err
	}
	yml, err := resMap.AsYaml()
	if err != nil {
		return err
	}
	_, err = out.Write(yml)
	return err
}
