import { Application, Images, ImageUpdaterWriteBack, ImageUpdateStrategy } from '../../src';
import { IMAGE_UPDATE_STRATEGIES, IMAGE_UPDATER_IMAGE_LIST, imageUpdaterImageAnnotation } from '../../src/argo/image-updater';
import { crdErrorsInFiles } from '../util/crd-validator';
import { manifest, testApp } from '../util/synth';

const helmSource = { repoURL: 'https://github.com/acme/charts.git', path: 'charts/hello-api', targetRevision: 'main', helm: { releaseName: 'hello-api' } };

describe('Argo CD Image Updater annotations', () => {
  test('image list, per-image strategy and tag filters, git write-back with a Secret and a branch', () => {
    const app = testApp();
    const images = Images.fromRecord({ 'hello-api': 'ghcr.io/acme/hello-api:1.4.2' });
    new Application(app, 'hello-api', {
      source: helmSource,
      annotations: { team: 'api' },
      imageUpdater: {
        images: [
          {
            alias: 'api',
            image: images.repository('hello-api'),
            versionConstraint: '~1.4',
            updateStrategy: ImageUpdateStrategy.SEMVER,
            allowTags: '^[0-9]+\\.[0-9]+\\.[0-9]+$',
            ignoreTags: ['*-rc*', 'latest'],
            helmImageName: 'image.repository',
            helmImageTag: 'image.tag',
          },
          { alias: 'sidecar', image: 'ghcr.io/acme/proxy', versionConstraint: 'stable', updateStrategy: ImageUpdateStrategy.DIGEST, platforms: ['linux/amd64'] },
        ],
        writeBack: ImageUpdaterWriteBack.git({ credentialsSecret: 'argocd/git-creds', branch: 'main', target: 'helmvalues:values.yaml' }),
      },
    });
    const files = app.synthFiles();
    expect(manifest(files, 'apps/hello-api.yaml').metadata.annotations).toEqual({
      'team': 'api',
      'argocd-image-updater.argoproj.io/image-list': 'api=ghcr.io/acme/hello-api:~1.4,sidecar=ghcr.io/acme/proxy:stable',
      'argocd-image-updater.argoproj.io/api.update-strategy': 'semver',
      'argocd-image-updater.argoproj.io/api.allow-tags': 'regexp:^[0-9]+\\.[0-9]+\\.[0-9]+$',
      'argocd-image-updater.argoproj.io/api.ignore-tags': '*-rc*,latest',
      'argocd-image-updater.argoproj.io/api.helm.image-name': 'image.repository',
      'argocd-image-updater.argoproj.io/api.helm.image-tag': 'image.tag',
      'argocd-image-updater.argoproj.io/sidecar.update-strategy': 'digest',
      'argocd-image-updater.argoproj.io/sidecar.platforms': 'linux/amd64',
      'argocd-image-updater.argoproj.io/write-back-method': 'git:secret:argocd/git-creds',
      'argocd-image-updater.argoproj.io/git-branch': 'main',
      'argocd-image-updater.argoproj.io/write-back-target': 'helmvalues:values.yaml',
    });
    expect(crdErrorsInFiles(files).errors).toEqual([]);
  });

  test('the argocd write-back, and a Kustomize source', () => {
    const app = testApp();
    new Application(app, 'web', {
      source: { repoURL: 'https://github.com/acme/deploy.git', path: 'overlays/prod', kustomize: {} },
      imageUpdater: { images: [{ alias: 'web', image: 'nginx', kustomizeImageName: 'nginx' }], writeBack: ImageUpdaterWriteBack.argocd() },
    });
    const annotations = manifest(app.synthFiles(), 'apps/web.yaml').metadata.annotations;
    expect(annotations[IMAGE_UPDATER_IMAGE_LIST]).toBe('web=nginx');
    expect(annotations['argocd-image-updater.argoproj.io/write-back-method']).toBe('argocd');
    expect(annotations['argocd-image-updater.argoproj.io/web.kustomize.image-name']).toBe('nginx');
  });

  test('refuses what Image Updater would ignore or misread, at construction', () => {
    const app = testApp();
    expect(() => new Application(app, 'a', {
      source: helmSource,
      annotations: { 'argocd-image-updater.argoproj.io/image-list': 'x=nginx' },
      imageUpdater: {
        images: [
          { alias: 'api', image: 'ghcr.io/acme/hello-api:1.4.2' },
          { alias: 'api', image: 'nginx', updateStrategy: ImageUpdateStrategy.DIGEST },
          { alias: 'bad alias', image: 'nginx' },
          { alias: 'x', image: 'nginx', allowTags: '([0-9]', pullSecret: 'my-secret' },
        ],
        writeBack: ImageUpdaterWriteBack.git({ credentialsSecret: 'git-creds', target: 'values.yaml' }),
      },
    })).toThrow(new RegExp([
      "image 'api': image 'ghcr.io/acme/hello-api:1.4.2' has a tag or digest: give the repository only \\(ghcr.io/acme/hello-api\\) and the version in versionConstraint",
      "image 'api': the alias is used twice",
      "image 'api': the digest strategy follows one tag: give it as versionConstraint",
      "image 'bad alias': the alias must be letters, digits",
      "image 'x': allowTags '\\(\\[0-9\\]' is not a valid regular expression \\(Image Updater would then match no tag at all\\)",
      "image 'x': pullSecret 'my-secret' must be secret:<namespace>/<name>#<field>",
      "imageUpdater.writeBack: credentialsSecret 'git-creds' must be '<namespace>/<secret name>'",
      "imageUpdater.writeBack: target 'values.yaml' must be 'kustomization\\[:<path>\\]' or 'helmvalues\\[:<path>\\]'",
      'annotations argocd-image-updater.argoproj.io/image-list are set by imageUpdater: set them there, not in annotations',
    ].join('[\\s\\S]*')));
  });

  test('at synth: plain synthesized manifests point to set-image, and git write-back to HEAD needs a branch', () => {
    const plain = testApp();
    new Application(plain, 'shop', { imageUpdater: { images: [{ alias: 'shop', image: 'ghcr.io/acme/shop' }] } });
    expect(() => plain.synthFiles()).toThrow(/\[shop\] imageUpdater: Argo CD Image Updater only updates Helm and Kustomize Applications, and 'shop' syncs the plain manifests synthesized into its folder: pin its images in an images file \(Images.fromFile\) and run `cdk8s-argocd set-image NAME=IMAGE:TAG` from CI/);

    const head = testApp();
    new Application(head, 'api', {
      source: { ...helmSource, targetRevision: undefined },
      imageUpdater: { images: [{ alias: 'api', image: 'ghcr.io/acme/api' }], writeBack: ImageUpdaterWriteBack.git() },
    });
    expect(() => head.synthFiles()).toThrow(/git write-back commits to the source's targetRevision, and 'HEAD' is not a branch: give the branch \(ImageUpdaterWriteBack.git\(\{ branch: 'main' \}\)\)/);
  });

  test('one vocabulary: the enum is Image Updater\'s strategies, aliases with / become _', () => {
    expect(Object.values(ImageUpdateStrategy).sort()).toEqual([...IMAGE_UPDATE_STRATEGIES].sort());
    expect(imageUpdaterImageAnnotation('argoproj/argocd', 'update-strategy')).toBe('argocd-image-updater.argoproj.io/argoproj_argocd.update-strategy');
  });
});
