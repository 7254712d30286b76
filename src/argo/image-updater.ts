/**
 * Argo CD Image Updater's Application annotations (argoproj-labs/argocd-image-updater,
 * docs/configuration/applications.md and images.md): the annotation-based configuration that
 * Image Updater before v1.0 reads, and that v1.0's ImageUpdater resource replaces (its migration
 * guide maps each annotation to a field).
 */
export const IMAGE_UPDATER_PREFIX = 'argocd-image-updater.argoproj.io';
/** `[<alias>=]<image>[:<version constraint>]`, comma-separated: the images to update. */
export const IMAGE_UPDATER_IMAGE_LIST = `${IMAGE_UPDATER_PREFIX}/image-list`;
/** `argocd` (parameter overrides through Argo CD, the default) or `git[:<credentials>]`. */
export const IMAGE_UPDATER_WRITE_BACK_METHOD = `${IMAGE_UPDATER_PREFIX}/write-back-method`;
/** The branch git write-back checks out and commits to (default: the source's targetRevision). */
export const IMAGE_UPDATER_GIT_BRANCH = `${IMAGE_UPDATER_PREFIX}/git-branch`;
/** A separate branch (a Go template) git write-back pushes to. */
export const IMAGE_UPDATER_GIT_WRITE_BRANCH = `${IMAGE_UPDATER_PREFIX}/git-write-branch`;
/** `kustomization[:<path>]` or `helmvalues[:<path>]` instead of `.argocd-source-<app>.yaml`. */
export const IMAGE_UPDATER_WRITE_BACK_TARGET = `${IMAGE_UPDATER_PREFIX}/write-back-target`;

/** Per-image options: `argocd-image-updater.argoproj.io/<alias>.<option>`. */
export const IMAGE_UPDATER_IMAGE_OPTIONS = [
  'update-strategy', 'allow-tags', 'ignore-tags', 'pull-secret', 'platforms', 'force-update',
  'helm.image-name', 'helm.image-tag', 'helm.image-spec', 'kustomize.image-name',
] as const;
export type ImageUpdaterImageOption = typeof IMAGE_UPDATER_IMAGE_OPTIONS[number];

/** The annotation of one image option; `/` in an alias is written `_` (annotation names allow one `/`). */
export function imageUpdaterImageAnnotation(alias: string, option: ImageUpdaterImageOption): string {
  return `${IMAGE_UPDATER_PREFIX}/${alias.replace(/\//g, '_')}.${option}`;
}

/**
 * Update strategies. `latest` and `name` are the deprecated names of `newest-build` and
 * `alphabetical`, still accepted.
 */
export const IMAGE_UPDATE_STRATEGIES = ['semver', 'newest-build', 'digest', 'alphabetical'] as const;

export const IMAGE_UPDATER_WRITE_BACK_METHODS = ['argocd', 'git'] as const;
export const IMAGE_UPDATER_WRITE_BACK_TARGETS = ['kustomization', 'helmvalues'] as const;

/** `allow-tags` with a regular expression. */
export function imageUpdaterAllowTagsRegexp(expression: string): string {
  return `regexp:${expression}`;
}

/** `write-back-method: git` with credentials from a Secret (`namespace/name`), or Argo CD's repository credentials. */
export function imageUpdaterGitWriteBack(credentialsSecret?: string): string {
  return credentialsSecret === undefined ? 'git' : `git:secret:${credentialsSecret}`;
}
