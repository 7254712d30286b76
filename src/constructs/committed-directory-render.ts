import * as path from 'path';
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Application, ManifestLocation } from './application';
import { ApplicationSet } from './application-set';
import { rewriteAddressLabels, stableAddressLabels } from './selector-labels';
import { stampSyncWaves } from './sync-wave';
import { dns1123LabelError, objectNameError } from './validation';
import { BUILTIN_CLUSTER_SCOPED_KINDS, groupKind } from '../synth/cluster-scoped-kinds';
import { generatedYaml } from '../synth/generated-file';
import { joinManifestPath } from '../synth/manifest-path';

const KIND = /^[A-Za-z][A-Za-z0-9]*$/;

// Objects written to a fixed place instead of their Application's folder (bootstrap files).
const FIXED_LOCATION = Symbol.for('cdk8s-argocd.fixedLocation');

/**
 * Writes `object` to `location` (relative to outdir) whatever Application it is declared in, e.g.
 * the argocd-cm health-check patch an AppOfApps emits beside `root.yaml`. @internal
 */
export function setFixedLocation(object: ApiObject, location: ManifestLocation | (() => ManifestLocation)): void {
  // A function is asked at render time, when the whole tree (e.g. the root AppOfApps) exists.
  Object.defineProperty(object, FIXED_LOCATION, typeof location === 'function' ? { get: location } : { value: location });
}

/** One object and where it goes. */
interface Placement {
  readonly object: ApiObject;
  /** Folder relative to outdir ('' = outdir itself). */
  readonly folder: string;
  /** Fixed file name (Application manifests); otherwise derived from kind and name. */
  readonly fileName?: string;
  /** The Application whose folder this is, if any. */
  readonly owner?: Application;
}

interface RenderedObject extends Placement {
  readonly json: any;
  readonly groupKind: string;
  readonly name: string;
  readonly namespace?: string;
}

/**
 * Renders the whole tree into `{ relativePath: yamlText }`.
 *
 * Linear in the number of objects: the tree is validated once and every object is rendered once
 * (cdk8s's own synth re-validates the whole app for every chart, which is quadratic).
 */
export function renderCommittedDirectory(root: IConstruct, outdirPathInRepo: () => string): { [relativePath: string]: string } {
  validateTree(root);
  // Waves are stamped now, not at construction, so objects added after a SyncWave are covered.
  stampSyncWaves(root);
  checkApplications(root);
  const placements = collectPlacements(root);
  const addressLabels = stableAddressLabels(placements.map(p => p.object));
  const rendered = placements.map(p => renderObject(p, addressLabels));
  checkObjects(rendered);
  checkFolderOwners(rendered, outdirPathInRepo);
  const files: Array<[string, string]> = [];
  const errors: string[] = [];
  for (const [folder, objects] of groupBy(rendered, o => o.folder)) {
    for (const [fileName, object] of assignFileNames(folder, objects)) {
      const where = `${object.json.kind} '${object.name}' at '${object.object.node.path}' cannot be written`;
      try {
        files.push([joinManifestPath(folder, fileName, where), generatedYaml(object.json)]);
      } catch (e) {
        errors.push(`${(e as Error).message}: ${object.fileName ? 'give the Application (or its folder) a shorter name' : 'give the object a shorter name'}`);
      }
    }
  }
  if (errors.length > 0) throw new Error(`Synth failed:\n  ${errors.join('\n  ')}`);
  files.push(...previewFiles(root));
  files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(files);
}

/**
 * Opt-in ApplicationSet expansion previews. They go to `_preview/`, outside every Application's
 * source path (Application folders are DNS names and cannot start with `_`), so Argo CD never
 * applies them as real Applications.
 */
function previewFiles(root: IConstruct): Array<[string, string]> {
  const files: Array<[string, string]> = [];
  const owners = new Map<string, string>();
  for (const c of root.node.findAll()) {
    if (!ApplicationSet.isApplicationSet(c)) continue;
    for (const [file, content] of Object.entries(c._previewFiles())) {
      const other = owners.get(file);
      if (other) throw new Error(`Synth failed: ApplicationSets '${other}' and '${c.node.path}' would both write the preview ${file}; give one of them another name`);
      owners.set(file, c.node.path);
      files.push([joinManifestPath(path.posix.dirname(file), path.posix.basename(file), `ApplicationSet '${c.name}' at '${c.node.path}' cannot write its preview`), content]);
    }
  }
  return files;
}

/** Runs every construct's validations once and reports all failures together. */
function validateTree(root: IConstruct): void {
  const errors: string[] = [];
  for (const c of root.node.findAll()) {
    for (const message of c.node.validate()) errors.push(`[${c.node.path || '<root>'}] ${message}`);
  }
  if (errors.length > 0) {
    throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  }
}

/** Application names are unique per Argo CD namespace, and each folder belongs to one Application. */
function checkApplications(root: IConstruct): void {
  const errors: string[] = [];
  const byName = new Map<string, Application>();
  const byFolder = new Map<string, Application>();
  const applications: Application[] = [];
  const projects = new Set<string>();
  for (const c of root.node.findAll()) {
    if (ApiObject.isApiObject(c) && c.kind === 'AppProject' && c.apiVersion.startsWith('argoproj.io/')) projects.add(c.name);
    if (!Application.isApplication(c)) continue;
    applications.push(c);
    const nameKey = `${c.argocdNamespace}/${c.name}`;
    const sameName = byName.get(nameKey);
    if (sameName) {
      errors.push(`duplicate Application name '${c.name}' in namespace '${c.argocdNamespace}': '${sameName.node.path}' and '${c.node.path}'; give one of them another name`);
    } else {
      byName.set(nameKey, c);
    }
    const sameFolder = byFolder.get(c.folder);
    if (sameFolder && !sameName) {
      errors.push(`Applications '${sameFolder.name}' ('${sameFolder.node.path}') and '${c.name}' ('${c.node.path}') both write to folder '${c.folder}'; rename one of them`);
    } else if (!sameFolder) {
      byFolder.set(c.folder, c);
    }
  }
  // Once projects are declared in code, a project name that is not among them is a typo, not a
  // project created elsewhere. Argo CD creates 'default' in every installation.
  if (projects.size > 0) {
    for (const a of applications) {
      if (a.project !== 'default' && !projects.has(a.project)) {
        errors.push(`Application '${a.name}' ('${a.node.path}') uses project '${a.project}', which is not declared in this app (declared: ${[...projects].sort().join(', ')}); declare it with new AppProject(...) or use one of these`);
      }
    }
  }
  if (errors.length > 0) throw new Error(`Synth failed:\n  ${errors.join('\n  ')}`);
}

function collectPlacements(root: IConstruct): Placement[] {
  const placements: Placement[] = [];
  const visit = (c: IConstruct, owner: Application | undefined): void => {
    let scope = owner;
    if (Application.isApplication(c)) {
      placements.push({ object: c.resource, ...c._manifestLocation(owner), owner });
      scope = c;
    } else if (ApiObject.isApiObject(c)) {
      const fixed: ManifestLocation | undefined = (c as any)[FIXED_LOCATION];
      if (fixed) {
        placements.push({ object: c, ...fixed });
      } else if (owner) {
        placements.push({ object: c, folder: owner.folder, owner });
      } else if (c.apiVersion.startsWith('argoproj.io/')) {
        // Argo CD objects outside any Application (AppProjects, ApplicationSets) sit beside the
        // top-level Application manifests.
        placements.push({ object: c, folder: 'apps' });
      } else {
        throw new Error(`${c.kind} at '${c.node.path}' is not inside an Application: create it (or its chart) inside an Application so it has a folder and a destination`);
      }
    }
    for (const child of c.node.children) {
      if (Application.isApplication(c) && child === c.resource) continue;
      visit(child, scope);
    }
  };
  visit(root, undefined);
  return placements;
}

function renderObject(p: Placement, addressLabels: ReadonlyMap<string, string>): RenderedObject {
  const json = p.object.toJson();
  rewriteAddressLabels(json, addressLabels);
  return {
    ...p,
    json,
    groupKind: groupKind(json.apiVersion, json.kind),
    name: json.metadata?.name,
    namespace: json.metadata?.namespace,
  };
}

function checkObjects(objects: RenderedObject[]): void {
  const clusterScoped = new Set(BUILTIN_CLUSTER_SCOPED_KINDS);
  for (const o of objects) {
    if (o.groupKind === 'apiextensions.k8s.io/CustomResourceDefinition' && o.json.spec?.scope === 'Cluster') {
      clusterScoped.add(`${o.json.spec.group}/${o.json.spec.names?.kind}`);
    }
  }
  const errors: string[] = [];
  const seen = new Map<string, RenderedObject>();
  for (const o of objects) {
    const where = `${o.json.kind} '${o.name}' at '${o.object.node.path}'`;
    if (!o.name) {
      errors.push(`${o.json.kind} at '${o.object.node.path}' has no metadata.name (passing \`name: undefined\` to cdk8s removes the generated name); set a name or leave the key out`);
      continue;
    }
    if (!KIND.test(o.json.kind)) {
      errors.push(`object at '${o.object.node.path}' has kind '${o.json.kind}', which is not a Kubernetes kind: use letters and digits, starting with a letter (e.g. ConfigMap)`);
      continue;
    }
    // Names become file names: only names Kubernetes accepts, which never contain '/'.
    const nameError = objectNameError(o.groupKind, o.name);
    if (nameError) {
      errors.push(`${o.json.kind} at '${o.object.node.path}': ${nameError}; set a valid metadata.name`);
      continue;
    }
    const namespaceError = o.namespace === undefined ? undefined : dns1123LabelError('metadata.namespace', String(o.namespace));
    if (namespaceError) {
      errors.push(`${where}: ${namespaceError}`);
      continue;
    }
    const isClusterScoped = clusterScoped.has(o.groupKind);
    if (isClusterScoped && o.namespace) {
      errors.push(`${where} is cluster-scoped but has namespace '${o.namespace}': remove metadata.namespace (a cdk8s Chart with a namespace stamps it on every object)`);
    }
    const namespace = isClusterScoped ? '' : o.namespace ?? o.owner?.destinationNamespace ?? '';
    const key = `${o.folder}|${o.groupKind}|${namespace}|${o.name}`;
    const previous = seen.get(key);
    if (previous) {
      const scope = o.owner ? `Application '${o.owner.name}'` : `folder '${o.folder}'`;
      errors.push(`${scope} has two resources ${o.groupKind.replace(/^\//, '')} ${namespace ? namespace + '/' : ''}${o.name}: '${previous.object.node.path}' and '${o.object.node.path}'; give one of them another name`);
    } else {
      seen.set(key, o);
    }
  }
  if (errors.length > 0) throw new Error(`Synth failed:\n  ${errors.join('\n  ')}`);
}

/**
 * A folder an Application syncs holds only what that Application owns. Anything else there (the
 * manifests of top-level Applications in `apps/` when an Application is named `apps`, a root
 * manifest written into an Application's folder) would be synced by it: Argo CD would then manage,
 * and on removal prune, Applications it does not own. AppProjects and ApplicationSets outside any
 * Application may sit beside the children of a root app-of-apps, which syncs them on purpose.
 */
function checkFolderOwners(objects: RenderedObject[], outdirPathInRepo: () => string): void {
  const applications = new Map<string, Application>();
  for (const o of objects) {
    if (o.fileName && Application.isApplication(o.object.node.scope)) applications.set(o.object.node.scope.folder, o.object.node.scope);
  }
  const ownsAnything = new Set(objects.map(o => o.owner));
  const ownsApplications = new Set(objects.filter(o => o.fileName).map(o => o.owner));
  const syncsOwnFolder = (a: Application): boolean => {
    if (ownsAnything.has(a)) return true;
    const spec = a.resource.toJson().spec ?? {};
    const ownPath = path.posix.join(outdirPathInRepo(), a.folder);
    return [spec.source, ...(spec.sources ?? [])].some(s => s?.path === ownPath);
  };
  const errors: string[] = [];
  for (const o of objects) {
    const folderOwner = applications.get(o.folder);
    if (!folderOwner || o.owner === folderOwner) continue;
    const isApplication = Boolean(o.fileName) && Application.isApplication(o.object.node.scope);
    const folderOwnerIsTopLevel = folderOwner.node.scopes.every(s => s === folderOwner || !Application.isApplication(s));
    const rootOfApps = !isApplication && o.owner === undefined && !o.fileName && folderOwnerIsTopLevel
      && ownsApplications.has(folderOwner);
    if (rootOfApps || !syncsOwnFolder(folderOwner)) continue;
    const culprit = isApplication ? o.object.node.scope! : o.object;
    const what = isApplication ? `the manifest of Application '${(culprit as Application).name}'` : `${o.json.kind} '${o.name}'`;
    errors.push(`${what} ('${culprit.node.path}') is written to ${o.folder}/, the folder Application '${folderOwner.name}' ('${folderOwner.node.path}') syncs, so '${folderOwner.name}' would manage and prune it: rename Application '${folderOwner.name}'${isApplication ? `, or declare '${culprit.node.path}' inside an AppOfApps` : ''}`);
  }
  if (errors.length > 0) throw new Error(`Synth failed:\n  ${errors.join('\n  ')}`);
}

/**
 * Human, stable file names: `<kind>-<name>.yaml`, with the namespace and then the group added only
 * to names that would otherwise collide.
 */
function assignFileNames(folder: string, objects: RenderedObject[]): Array<[string, RenderedObject]> {
  const candidates = (o: RenderedObject): string[] => {
    if (o.fileName) return [o.fileName];
    const kind = o.json.kind.toLowerCase();
    const group = o.groupKind.split('/')[0];
    const ns = o.namespace ? `-${o.namespace}` : '';
    return [`${kind}-${o.name}.yaml`, `${kind}${ns}-${o.name}.yaml`, `${kind}${group ? '.' + group : ''}${ns}-${o.name}.yaml`];
  };
  const names = new Map<RenderedObject, string>();
  const choices = objects.map(o => ({ o, options: candidates(o) }));
  for (const { o, options } of choices) names.set(o, options[0]);
  for (let level = 1; level < 3; level++) {
    const counts = countBy([...names.values()]);
    for (const { o, options } of choices) {
      if ((counts.get(names.get(o)!) ?? 0) > 1 && options[level]) names.set(o, options[level]);
    }
  }
  const owners = new Map<string, RenderedObject>();
  for (const [o, name] of names) {
    const other = owners.get(name);
    if (other) {
      throw new Error(`Synth failed: '${other.object.node.path}' and '${o.object.node.path}' would both be written to ${path.posix.join(folder, name)}; rename one of them`);
    }
    owners.set(name, o);
  }
  return [...names.entries()].map(([o, name]) => [name, o]);
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item); else groups.set(k, [item]);
  }
  return groups;
}

function countBy(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}
