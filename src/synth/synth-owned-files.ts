/**
 * Files synth keeps in the output directory besides manifests. All start with '.', which no
 * manifest path may, and none ends in .yaml/.yml/.json, so neither Argo CD nor the engine reads them.
 */

/** Marks a GitOpsApp's output directory, so another GitOpsApp's outdir cannot be nested in or around it. */
export const OUTDIR_MARKER = '.cdk8s-argocd-outdir';

/** Content of the marker file. */
export const OUTDIR_MARKER_CONTENT = '# The output directory of a cdk8s-argocd GitOpsApp. Keep this file: synth uses it to refuse nesting another GitOpsApp\'s outdir here.\n';

/** Held while a synth writes the directory (content: the holder's pid and host as JSON). */
export const LOCK_FILE = '.cdk8s-argocd-synth.lock';

/** Prefix of the temporary files a synth writes before renaming them into place. */
export const TEMP_PREFIX = '.cdk8s-argocd-tmp-';
