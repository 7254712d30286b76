import {
  IMAGE_UPDATER_GIT_BRANCH, IMAGE_UPDATER_GIT_WRITE_BRANCH, IMAGE_UPDATER_IMAGE_LIST, IMAGE_UPDATER_PREFIX,
  IMAGE_UPDATER_WRITE_BACK_METHOD, IMAGE_UPDATER_WRITE_BACK_TARGET, IMAGE_UPDATER_WRITE_BACK_TARGETS, imageUpdaterAllowTagsRegexp,
  imageUpdaterGitWriteBack, imageUpdaterImageAnnotation, ImageUpdaterImageOption,
} from '../argo/image-updater';
import { parseImageReference } from '../images/image-reference';

/** How Argo CD Image Updater picks the new version of an image. */
export enum ImageUpdateStrategy {
  /** The highest version allowed by the semver constraint (Image Updater's default). */
  SEMVER = 'semver',
  /** The most recently built image (formerly `latest`). */
  NEWEST_BUILD = 'newest-build',
  /** The newest digest of one (mutable) tag, given as `versionConstraint`. */
  DIGEST = 'digest',
  /** The last tag in lexical order, e.g. for calendar versions (formerly `name`). */
  ALPHABETICAL = 'alphabetical',
}

/** One image Argo CD Image Updater keeps up to date. */
export interface ImageUpdaterImage {
  /** Name of the image within the Application; the per-image annotations are keyed by it. Letters, digits, '-' and '_' (and '/', written '_'). */
  readonly alias: string;
  /** The image repository without tag or digest, e.g. `ghcr.io/acme/hello-api` (`Images.repository(name)`). */
  readonly image: string;
  /**
   * A semver constraint (`~1.4`, `1.x`) for SEMVER, the tag to follow for DIGEST.
   * @default - any version
   */
  readonly versionConstraint?: string;
  /** @default - Image Updater's default, semver */
  readonly updateStrategy?: ImageUpdateStrategy;
  /**
   * Only tags matching this regular expression are considered (written `regexp:<expression>`).
   * @default - every tag
   */
  readonly allowTags?: string;
  /** Glob patterns of tags never to update to. @default - none */
  readonly ignoreTags?: string[];
  /**
   * Registry credentials for this image: `secret:<namespace>/<name>#<field>`, `pullsecret:<namespace>/<name>`,
   * `env:<VARIABLE>` or `ext:<script>`. @default - the registry's configured credentials
   */
  readonly pullSecret?: string;
  /** Platforms the new image must exist for, e.g. `linux/amd64`. @default - the cluster's */
  readonly platforms?: string[];
  /** Update even if the image is not among the Application's running images (e.g. in a CRD). @default false */
  readonly forceUpdate?: boolean;
  /** Helm parameter holding the image name. @default - Image Updater's `image.name` */
  readonly helmImageName?: string;
  /** Helm parameter holding the tag. @default - Image Updater's `image.tag` */
  readonly helmImageTag?: string;
  /** Helm parameter holding `image:tag` in one (the name and tag parameters are then ignored). @default - none */
  readonly helmImageSpec?: string;
  /** The image name in the Kustomization to replace. @default - the image's own name */
  readonly kustomizeImageName?: string;
}

/** Options of the git write-back. */
export interface ImageUpdaterGitWriteBackOptions {
  /**
   * Push with the credentials of this Secret (`namespace/name`: `username`/`password` or `sshPrivateKey`).
   * @default - Argo CD's credentials for the repository
   */
  readonly credentialsSecret?: string;
  /**
   * Branch to check out and commit to. Required when the source's targetRevision is not a branch (e.g. `HEAD`).
   * @default - the source's targetRevision
   */
  readonly branch?: string;
  /** Push to this branch instead (a Go template, e.g. `image-updater-{{.SHA1}}`). @default - `branch` */
  readonly writeBranch?: string;
  /**
   * What to write: `kustomization[:<path>]` or `helmvalues[:<path>]`.
   * @default - `.argocd-source-<application>.yaml` in the source path
   */
  readonly target?: string;
}

/** Where Image Updater writes the new versions. */
export class ImageUpdaterWriteBack {
  /** As parameter overrides through Argo CD's API (Image Updater's default; lost when the Application is synced from Git). */
  public static argocd(): ImageUpdaterWriteBack {
    return new ImageUpdaterWriteBack({ [IMAGE_UPDATER_WRITE_BACK_METHOD]: 'argocd' }, false, []);
  }

  /** As a commit to the Application's Git repository. */
  public static git(options: ImageUpdaterGitWriteBackOptions = {}): ImageUpdaterWriteBack {
    const errors: string[] = [];
    if (options.credentialsSecret !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/.test(options.credentialsSecret)) {
      errors.push(`credentialsSecret '${options.credentialsSecret}' must be '<namespace>/<secret name>'`);
    }
    for (const [what, value] of [['branch', options.branch], ['writeBranch', options.writeBranch]] as const) {
      if (value !== undefined && (value === '' || /\s/.test(value))) errors.push(`${what} '${value}' must be a branch name without spaces`);
    }
    if (options.target !== undefined && !(IMAGE_UPDATER_WRITE_BACK_TARGETS as readonly string[]).some(t => options.target === t || options.target!.startsWith(`${t}:`))) {
      errors.push(`target '${options.target}' must be ${IMAGE_UPDATER_WRITE_BACK_TARGETS.map(t => `'${t}[:<path>]'`).join(' or ')}`);
    }
    const annotations: { [key: string]: string } = { [IMAGE_UPDATER_WRITE_BACK_METHOD]: imageUpdaterGitWriteBack(options.credentialsSecret) };
    if (options.branch !== undefined) annotations[IMAGE_UPDATER_GIT_BRANCH] = options.branch;
    if (options.writeBranch !== undefined) annotations[IMAGE_UPDATER_GIT_WRITE_BRANCH] = options.writeBranch;
    if (options.target !== undefined) annotations[IMAGE_UPDATER_WRITE_BACK_TARGET] = options.target;
    return new ImageUpdaterWriteBack(annotations, options.branch === undefined, errors);
  }

  private constructor(
    /** The write-back annotations. */
    public readonly annotations: { [key: string]: string },
    /** Whether git write-back commits to the source's targetRevision (no branch given). @internal */
    public readonly _usesTargetRevision: boolean,
    /** @internal */
    public readonly _errors: string[],
  ) {}
}

/** Argo CD Image Updater on an Application: which images to update, and how the new versions are written back. */
export interface ImageUpdaterOptions {
  /** The images to keep up to date. */
  readonly images: ImageUpdaterImage[];
  /** @default - Image Updater's default, `argocd` (API parameter overrides) */
  readonly writeBack?: ImageUpdaterWriteBack;
}

// An annotation's name (after the prefix's '/') has at most 63 characters.
const ALIAS = /^[A-Za-z0-9](?:[A-Za-z0-9_/-]*[A-Za-z0-9])?$/;
const NAME_MAX = 63;

/** The Application annotations of `options`, and what is wrong with them. @internal */
export function imageUpdaterAnnotations(options: ImageUpdaterOptions): { annotations: { [key: string]: string }; errors: string[] } {
  const errors: string[] = [];
  const annotations: { [key: string]: string } = {};
  if (options.images.length === 0) errors.push('imageUpdater.images must name at least one image');
  const aliases = new Set<string>();
  const list: string[] = [];
  for (const img of options.images) {
    const where = `imageUpdater image '${img.alias}'`;
    if (!ALIAS.test(img.alias)) {
      errors.push(`${where}: the alias must be letters, digits, '-', '_' or '/', starting and ending with a letter or digit`);
      continue;
    }
    if (aliases.has(img.alias)) errors.push(`${where}: the alias is used twice; aliases are unique within an Application`);
    aliases.add(img.alias);
    const parsed = parseImageReference(img.image);
    if (typeof parsed === 'string') {
      errors.push(`${where}: ${parsed}`);
    } else if (parsed.tag || parsed.digest) {
      errors.push(`${where}: image '${img.image}' has a tag or digest: give the repository only (${parsed.repository}) and the version in versionConstraint`);
    }
    if (img.versionConstraint !== undefined && (img.versionConstraint === '' || /[\s,]/.test(img.versionConstraint))) {
      errors.push(`${where}: versionConstraint '${img.versionConstraint}' must not be empty or contain spaces or commas`);
    }
    if (img.updateStrategy === ImageUpdateStrategy.DIGEST && img.versionConstraint === undefined) {
      errors.push(`${where}: the digest strategy follows one tag: give it as versionConstraint (e.g. 'latest')`);
    }
    if (img.updateStrategy !== undefined && !Object.values(ImageUpdateStrategy).includes(img.updateStrategy)) {
      errors.push(`${where}: updateStrategy '${img.updateStrategy}' is not one Image Updater knows (${Object.values(ImageUpdateStrategy).join(', ')})`);
    }
    if (img.allowTags !== undefined) {
      try {
        new RegExp(img.allowTags);
      } catch (e) {
        errors.push(`${where}: allowTags '${img.allowTags}' is not a valid regular expression (Image Updater would then match no tag at all): ${(e as Error).message}`);
      }
    }
    if (img.pullSecret !== undefined && !/^(secret:[^/\s]+\/[^#\s]+#\S+|pullsecret:[^/\s]+\/\S+|env:\S+|ext:\/\S+)$/.test(img.pullSecret)) {
      errors.push(`${where}: pullSecret '${img.pullSecret}' must be secret:<namespace>/<name>#<field>, pullsecret:<namespace>/<name>, env:<VARIABLE> or ext:<absolute path>`);
    }
    for (const [what, items] of [['ignoreTags', img.ignoreTags], ['platforms', img.platforms]] as const) {
      for (const item of items ?? []) {
        if (item === '' || /[\s,]/.test(item)) errors.push(`${where}: ${what} entry '${item}' must not be empty or contain spaces or commas`);
      }
    }
    list.push(`${img.alias}=${img.image}${img.versionConstraint !== undefined ? `:${img.versionConstraint}` : ''}`);
    const set = (option: ImageUpdaterImageOption, value: string | undefined) => {
      if (value === undefined) return;
      const key = imageUpdaterImageAnnotation(img.alias, option);
      if (key.length - IMAGE_UPDATER_PREFIX.length - 1 > NAME_MAX) {
        errors.push(`${where}: annotation '${key}' is longer than Kubernetes allows (${NAME_MAX} characters after '${IMAGE_UPDATER_PREFIX}/'): use a shorter alias`);
      }
      annotations[key] = value;
    };
    set('update-strategy', img.updateStrategy);
    set('allow-tags', img.allowTags === undefined ? undefined : imageUpdaterAllowTagsRegexp(img.allowTags));
    set('ignore-tags', img.ignoreTags?.join(','));
    set('pull-secret', img.pullSecret);
    set('platforms', img.platforms?.join(','));
    set('force-update', img.forceUpdate === undefined ? undefined : String(img.forceUpdate));
    set('helm.image-name', img.helmImageName);
    set('helm.image-tag', img.helmImageTag);
    set('helm.image-spec', img.helmImageSpec);
    set('kustomize.image-name', img.kustomizeImageName);
  }
  annotations[IMAGE_UPDATER_IMAGE_LIST] = list.join(',');
  if (options.writeBack) {
    errors.push(...options.writeBack._errors.map(e => `imageUpdater.writeBack: ${e}`));
    Object.assign(annotations, options.writeBack.annotations);
  }
  return { annotations, errors };
}

/** Whether `key` is an Image Updater annotation. @internal */
export function isImageUpdaterAnnotation(key: string): boolean {
  return key.startsWith(`${IMAGE_UPDATER_PREFIX}/`);
}
