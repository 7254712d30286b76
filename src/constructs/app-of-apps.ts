import * as path from 'path';
import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Application, ApplicationProps, ManifestLocation } from './application';
import { PREVIEW_FOLDER } from './application-set';
import { setFixedLocation } from './committed-directory-render';
import { gitOpsAppOf } from './gitops-app-scope';
import { applicationHasSyncWave } from './sync-wave';
import { throwIfErrors } from './validation';
import { normalizeRelativePath } from '../synth/manifest-path';

const APP_OF_APPS_SYMBOL = Symbol.for('cdk8s-argocd.AppOfApps');

/**
 * Lua health check Argo CD's docs give for restoring `argoproj.io/Application` health (removed in
 * Argo CD 1.8): without it a parent does not wait for a child Application between sync waves.
 */
export const APPLICATION_HEALTH_LUA = `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
`;

/** File the argocd-cm health-check patch is written to, beside the root manifest. */
export const APPLICATION_HEALTH_FILE = 'argocd-cm-application-health.yaml';

/** Options of an AppOfApps. */
export interface AppOfAppsProps extends ApplicationProps {
  /**
   * Folder (relative to the output directory) that holds one manifest per child Application and
   * that this Application syncs.
   * @default - `apps` for a root AppOfApps, its name when nested in another Application
   */
  readonly folder?: string;
  /**
   * Where a root AppOfApps writes its own manifest (relative to the output directory): the file
   * you `kubectl apply` once to bootstrap. Ignored when nested (the parent's folder holds it).
   * @default 'root.yaml'
   */
  readonly manifestFile?: string;
  /**
   * Emit `argocd-cm-application-health.yaml` beside the root manifest: an `argocd-cm` patch that
   * restores the `argoproj.io/Application` health check Argo CD removed in 1.8. Without it Argo CD
   * does not wait for a child Application to become healthy before the next sync wave, so child
   * waves only order creation. Required (true or false) once any child carries a sync wave.
   * @default - not emitted; synth fails if a child has a sync wave and no AppOfApps sets this
   */
  readonly applicationHealthCheck?: boolean;
}

/**
 * The app-of-apps pattern: an Application whose folder holds one manifest per child Application.
 *
 * Declare children (Applications, AppOfApps, ApplicationSets) as constructs inside it; each child's
 * resources go to the child's own folder and every `source.path` is wired automatically. A root
 * AppOfApps (not inside another Application) syncs `apps/` and writes its own manifest to
 * `root.yaml`, which you apply once to bootstrap Argo CD. Use `SyncWave` / `SyncWave.set()` on
 * children to order them.
 */
export class AppOfApps extends Application {
  /** Whether `x` is an AppOfApps. */
  public static isAppOfApps(x: any): x is AppOfApps {
    return x !== null && typeof x === 'object' && APP_OF_APPS_SYMBOL in x;
  }

  /** Whether this AppOfApps is not inside another Application. */
  public readonly isRoot: boolean;
  /** Whether the argocd-cm Application health check is emitted (undefined: not decided). */
  public readonly applicationHealthCheck?: boolean;
  private readonly explicitFolder?: string;
  private readonly manifestFile: string;

  public constructor(scope: Construct, id: string, props: AppOfAppsProps = {}) {
    super(scope, id, props);
    Object.defineProperty(this, APP_OF_APPS_SYMBOL, { value: true });
    this.isRoot = enclosingApplication(this) === undefined;
    this.applicationHealthCheck = props.applicationHealthCheck;

    // Folder and manifest file become keys of the committed directory: one canonical form, so the
    // write and the stale-file cleanup of synth see the same path.
    const folder = props.folder === undefined ? undefined : normalizeRelativePath('folder', props.folder);
    const manifestFile = props.manifestFile === undefined ? undefined : normalizeRelativePath('manifestFile', props.manifestFile);
    this.explicitFolder = folder?.path;
    this.manifestFile = manifestFile?.path ?? 'root.yaml';
    throwIfErrors(`AppOfApps '${this.name}' ('${this.node.path}')`, [
      folder?.error,
      manifestFile?.error,
      [folder?.path, manifestFile?.path].some(p => p?.split('/')[0] === PREVIEW_FOLDER)
        ? `'${PREVIEW_FOLDER}/' is reserved for ApplicationSet previews: choose another folder` : undefined,
      props.manifestFile !== undefined && !/\.ya?ml$/.test(props.manifestFile) ? `manifestFile '${props.manifestFile}' must end in .yaml or .yml` : undefined,
      props.manifestFile !== undefined && !this.isRoot
        ? `manifestFile only applies to a root AppOfApps; '${this.node.path}' is nested, so its manifest goes to its parent's folder` : undefined,
    ]);

    if (props.applicationHealthCheck) {
      const gitops = gitOpsAppOf(this);
      const cm = new ApiObject(this, 'ApplicationHealthCheck', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'argocd-cm',
          namespace: gitops?.argocdNamespace ?? this.argocdNamespace,
          labels: { 'app.kubernetes.io/name': 'argocd-cm', 'app.kubernetes.io/part-of': 'argocd' },
        },
        data: { 'resource.customizations.health.argoproj.io_Application': APPLICATION_HEALTH_LUA },
      });
      // Beside root.yaml, not in a synced folder: argocd-cm belongs to the Argo CD installation,
      // and an Application that synced it would fight whatever installed Argo CD.
      const rootDir = path.posix.dirname(this.manifestFile) === '.' ? '' : path.posix.dirname(this.manifestFile);
      setFixedLocation(cm, { folder: rootDir, fileName: APPLICATION_HEALTH_FILE });
    }

    this.node.addValidation({ validate: () => this.validateAppOfApps() });
  }

  /** Folder of the child manifests, relative to the output directory. */
  public get folder(): string {
    return this.explicitFolder ?? (this.isRoot ? 'apps' : this.name);
  }

  /** The child Applications (direct children in the app-of-apps sense: the next Application level). */
  public get children(): Application[] {
    return this._contents().applications;
  }

  /** @internal */
  public _manifestLocation(parent: Application | undefined): ManifestLocation {
    if (parent) return super._manifestLocation(parent);
    const dir = path.posix.dirname(this.manifestFile);
    return { folder: dir === '.' ? '' : dir, fileName: path.posix.basename(this.manifestFile) };
  }

  private validateAppOfApps(): string[] {
    const errors: string[] = [];
    const root = this.node.root;
    const all = root.node.findAll();
    if (this.isRoot) {
      for (const c of all) {
        if (!Application.isApplication(c) || c === this || enclosingApplication(c) !== undefined) continue;
        if (c._manifestLocation(undefined).folder === this.folder) {
          errors.push(`Application '${c.name}' ('${c.node.path}') is declared beside AppOfApps '${this.name}', but its manifest would be written to ${this.folder}/, the folder '${this.name}' syncs; declare it inside the AppOfApps (new Application(${this.node.id}, ...)) or give the AppOfApps another folder`);
        }
      }
    }
    const waved = this.children.filter(applicationHasSyncWave);
    if (waved.length > 0) {
      const decided = all.some(c => AppOfApps.isAppOfApps(c) && c.applicationHealthCheck !== undefined);
      if (!decided) {
        errors.push(`children of AppOfApps '${this.name}' have sync waves (${waved.map(a => a.name).join(', ')}), but Argo CD (since 1.8) only waits for a child Application to be healthy before the next wave if argocd-cm has a health check for argoproj.io/Application. Set applicationHealthCheck: true on the root AppOfApps to emit ${APPLICATION_HEALTH_FILE} (apply it to your Argo CD once), or false if your Argo CD already has that check`);
      }
    }
    return errors;
  }
}

/**
 * The folder of the bootstrap files (relative to outdir, '' = outdir itself): where the root
 * AppOfApps writes its manifest (`root.yaml`), or the outdir when there is none. Patches of Argo
 * CD's own ConfigMaps go there: applied once by hand, never synced by an Application. Undefined
 * when root AppOfApps write their manifests to different folders. @internal
 */
export function bootstrapFolder(root: IConstruct): string | undefined {
  const folders = new Set<string>();
  for (const c of root.node.findAll()) {
    if (AppOfApps.isAppOfApps(c) && c.isRoot) folders.add(c._manifestLocation(undefined).folder);
  }
  if (folders.size > 1) return undefined;
  return [...folders][0] ?? '';
}

function enclosingApplication(c: IConstruct): Application | undefined {
  for (let s = c.node.scope; s; s = s.node.scope) {
    if (Application.isApplication(s)) return s;
  }
  return undefined;
}
