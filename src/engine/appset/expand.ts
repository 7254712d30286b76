import { ApplicationSetExpansionError, OfflineExpansionUnsupportedError } from './errors';
import { at, ClusterInfo, ExpandContext, IN_CLUSTER } from './generators/context';
import { transform } from './generators/transform';
import { GitSource } from './git-source';
import { missingKeyOption, renderTemplateGroups, TemplateGroup } from './go-template';
import { isPlainObject } from './go-value';
import { outputOf, Params, rebuildStrings, TemplateEngine, templateStrings } from './template-engine';
import { applyTemplatePatch } from './template-patch';
import { RESOURCES_FINALIZER } from '../../argo/annotations';

/** What the expander may read. */
export interface ExpandOptions {
  /** Repositories for git generators. Without it, git generators fail. */
  readonly git?: GitSource;
  /** Clusters for clusters generators. @default - only Argo CD's local `in-cluster` */
  readonly clusters?: readonly ClusterInfo[];
  /**
   * Argo CD's `applicationsetcontroller.enable.new.git.file.globbing`: git `files` patterns use
   * doublestar (`**` for any depth, `*` within one directory) instead of git pathspecs.
   * @default false (Argo CD's default)
   */
  readonly newGitFileGlobbing?: boolean;
}

/** The Applications an ApplicationSet produces. */
export interface ExpandResult {
  /** Rendered `argoproj.io/v1alpha1` Applications, sorted by name. */
  readonly applications: any[];
  /**
   * Problems Argo CD reports per Application after generation (duplicate or empty names); those
   * Applications are left out here, as Argo CD does not create them.
   */
  readonly errors: string[];
}


/**
 * Renders an ApplicationSet manifest into the Applications Argo CD's ApplicationSet controller
 * would create (Argo CD v3.5 `GenerateApplications` + `RenderTemplateParams` + templatePatch).
 *
 * Any generator or rendering error throws ApplicationSetExpansionError: Argo CD then creates,
 * updates and deletes nothing, so a partial preview would mislead.
 */
export function expandApplicationSet(appSet: any, options: ExpandOptions = {}): ExpandResult {
  const name = appSet?.metadata?.name ?? '<unnamed>';
  const fail = (message: string, cause?: unknown): never => {
    // at() keeps the error's name through re-wrapping; it tells callers a live service is needed.
    const offline = cause instanceof Error && cause.name === 'OfflineExpansionUnsupportedError';
    const Err = offline ? OfflineExpansionUnsupportedError : ApplicationSetExpansionError;
    throw new Err(`ApplicationSet '${name}': ${message}`);
  };
  if (appSet?.kind !== 'ApplicationSet') fail(`not an ApplicationSet (kind ${appSet?.kind})`);
  const spec = appSet.spec ?? {};
  if (!Array.isArray(spec.generators)) fail('spec.generators must be a list');
  if (!isPlainObject(spec.template)) fail('spec.template is required');

  let engine: TemplateEngine;
  try {
    engine = { goTemplate: spec.goTemplate === true, missingKey: missingKeyOption(spec.goTemplateOptions) };
  } catch (e) {
    return fail(`spec.goTemplateOptions: ${(e as Error).message}`);
  }
  const ctx: ExpandContext = {
    engine,
    git: options.git,
    clusters: options.clusters ?? [IN_CLUSTER],
    newGitFileGlobbing: options.newGitFileGlobbing,
  };
  const preserve = spec.syncPolicy?.preserveResourcesOnDeletion === true;
  const namespace: string | undefined = appSet.metadata?.namespace;

  // Generate every parameter set first, then render all Applications in one call to the renderer.
  const jobs: RenderJob[] = [];
  spec.generators.forEach((entry: any, i: number) => {
    const where = `spec.generators[${i}]`;
    let results;
    try {
      results = transform(entry, ctx, spec.template, {}, where);
    } catch (e) {
      // Argo CD renders each generator's Applications before running the next generator, so an
      // earlier generator's rendering error is the one it reports.
      try {
        renderApplications(jobs, engine, preserve, typeof spec.templatePatch === 'string' ? spec.templatePatch : undefined);
      } catch (earlier) {
        return fail(describe(earlier));
      }
      return fail(describe(e), e);
    }
    for (const result of results) {
      const skeleton = templateApplication(result.template);
      for (const params of result.params) jobs.push({ where, skeleton, params });
    }
  });

  let generated: any[];
  try {
    generated = renderApplications(jobs, engine, preserve, typeof spec.templatePatch === 'string' ? spec.templatePatch : undefined);
  } catch (e) {
    return fail(describe(e));
  }
  for (const app of generated) {
    // Generated Applications always live in the ApplicationSet's namespace (security boundary).
    const { name: appName, namespace: _ignored, ...restMeta } = app.metadata ?? {};
    app.metadata = namespace === undefined ? { name: appName, ...restMeta } : { name: appName, namespace, ...restMeta };
    // The controller normalizes specs before creating them: an empty project means 'default'.
    if (!app.spec?.project) app.spec = { ...app.spec, project: 'default' };
  }

  const errors: string[] = [];
  const seen = new Set<string>();
  const applications = generated.filter(app => {
    const appName = app.metadata?.name;
    if (!appName) {
      errors.push(`ApplicationSet ${name} generated an Application without a name (does the template's metadata.name use a parameter that is empty?)`);
      return false;
    }
    if (seen.has(appName)) {
      errors.push(`ApplicationSet ${name} contains applications with duplicate name: ${appName}`);
      return false;
    }
    seen.add(appName);
    return true;
  });
  applications.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  return { applications, errors };
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** One Application to render: a generator's template skeleton and one parameter set. */
interface RenderJob {
  readonly where: string;
  readonly skeleton: any;
  readonly params: Params;
}

/** Argo CD's `GetTempApplication`: the Application fields a template may set. */
function templateApplication(template: any): any {
  const meta = template.metadata ?? {};
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: pick(meta, ['name', 'namespace', 'labels', 'annotations', 'finalizers']),
    spec: structuredClone(template.spec ?? {}),
  };
}

/**
 * Argo CD's `RenderTemplateParams` (+ the resources finalizer) and templatePatch for every job, in
 * one call to the renderer: one group per distinct template (its strings × its parameter sets) and
 * one for the templatePatch (× every parameter set). Throws the first job's error.
 */
function renderApplications(jobs: readonly RenderJob[], engine: TemplateEngine, preserve: boolean, templatePatch: string | undefined): any[] {
  const skeletons = [...new Set(jobs.map(j => j.skeleton))];
  const strings = skeletons.map(s => templateStrings({ metadata: s.metadata, spec: s.spec }));
  // Argo CD returns the template untouched for an empty parameter set, so those are not rendered.
  const rendered = jobs.map(j => Object.keys(j.params).length > 0);
  const groups: TemplateGroup[] = skeletons.map((s, g) => ({
    templates: strings[g],
    params: jobs.filter((j, k) => j.skeleton === s && rendered[k]).map(j => j.params),
  }));
  if (templatePatch !== undefined) groups.push({ templates: [templatePatch], params: jobs.map(j => j.params) });
  const results = renderTemplateGroups(groups, engine);

  const next = skeletons.map(() => 0);
  return jobs.map((job, k) => {
    const g = skeletons.indexOf(job.skeleton);
    let app: any;
    try {
      if (!rendered[k]) {
        app = structuredClone(job.skeleton);
      } else {
        // rebuildStrings builds new maps and lists: the skeleton is not shared with the result.
        const output = outputOf(results[g][next[g]++], engine);
        const fields = rebuildStrings({ metadata: job.skeleton.metadata, spec: job.skeleton.spec }, strings[g], output);
        app = { ...job.skeleton, ...fields };
        if (!preserve && !(app.metadata.finalizers?.length > 0)) {
          app.metadata.finalizers = [RESOURCES_FINALIZER];
        }
      }
      if (templatePatch !== undefined) {
        app = applyTemplatePatch(app, outputOf(results[skeletons.length][k], engine)[0]);
      }
    } catch (e) {
      throw at(`${job.where}: rendering the template with parameters ${JSON.stringify(job.params)}`, e);
    }
    return app;
  });
}

function pick(obj: any, keys: string[]): any {
  const out: any = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = structuredClone(obj[k]);
  return out;
}
