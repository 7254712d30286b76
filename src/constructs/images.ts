import * as path from 'path';
import { parsePinnedImage } from '../images/image-reference';
import { imageNameError, ImagesFileError, readImagesFile } from '../images/images-file';

/**
 * Pinned container images, by name: the typed place CI writes image tags to and the constructs
 * read them from. Kept in a small file in the repository (`images.yaml` or `images.json`,
 * `hello-api: ghcr.io/acme/hello-api:1.4.2`), updated by `cdk8s-argocd set-image`.
 *
 * ```ts
 * const images = Images.fromFile('images.yaml');
 * new kplus.Deployment(api, 'web', { containers: [{ image: images.get('hello-api') }] });
 * ```
 */
export class Images {
  /**
   * Reads an images file (relative to the working directory): a YAML or JSON mapping of names to
   * image references, each pinned with a tag or a digest. Errors name `file:line:column`.
   */
  public static fromFile(file: string): Images {
    const relative = path.relative(process.cwd(), file);
    const shown = path.isAbsolute(file) && relative && !relative.startsWith('..') ? relative : file;
    const parsed = readImagesFile(file, shown);
    return new Images(Object.fromEntries(parsed.images), shown);
  }

  /**
   * Images given in code (e.g. in tests): name → pinned image reference.
   * @param source how errors name where the images come from
   */
  public static fromRecord(images: { [name: string]: string }, source?: string): Images {
    const where = source ?? 'Images.fromRecord';
    const errors: string[] = [];
    for (const [name, image] of Object.entries(images)) {
      const nameError = imageNameError(name);
      const parsed = parsePinnedImage(image);
      if (nameError) errors.push(nameError);
      else if (typeof parsed === 'string') errors.push(`'${name}': ${parsed}`);
    }
    if (errors.length > 0) throw new ImagesFileError(`${where}: ${errors.join('; ')}`);
    return new Images({ ...images }, where);
  }

  /** Where the images come from (the file, as given). */
  public readonly source: string;
  private readonly images: { [name: string]: string };

  private constructor(images: { [name: string]: string }, source: string) {
    this.images = images;
    this.source = source;
  }

  /** The image names, in file order. */
  public get names(): string[] {
    return Object.keys(this.images);
  }

  /** Whether `name` is pinned. */
  public has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.images, name);
  }

  /** The pinned reference of `name` (`ghcr.io/acme/hello-api:1.4.2`); an unknown name lists the known ones. */
  public get(name: string): string {
    if (!this.has(name)) {
      const known = this.names.length > 0 ? `known: ${this.names.join(', ')}` : 'it pins no image yet';
      throw new Error(`image '${name}' is not in ${this.source} (${known}): fix the name, or add it with \`cdk8s-argocd set-image ${name}=IMAGE:TAG --add\``);
    }
    return this.images[name];
  }

  /** The repository of `name` without tag or digest (`ghcr.io/acme/hello-api`), e.g. for Image Updater's image list. */
  public repository(name: string): string {
    return (parsePinnedImage(this.get(name)) as { repository: string }).repository;
  }

  /**
   * The tag of `name` (`1.4.2`).
   * @returns undefined when it is pinned by digest only
   */
  public tag(name: string): string | undefined {
    return (parsePinnedImage(this.get(name)) as { tag?: string }).tag;
  }
}
