/**
 * ApplicationSet templates rendered by Go's own text/template + Sprig v3 (with Argo CD's
 * normalize, slugify, toYaml, fromYaml, fromYamlArray) and valyala/fasttemplate, compiled to
 * WebAssembly (wasm/go-template/): the output, the errors and the function set are Argo CD's,
 * not an imitation of them.
 */
import { callGoTemplateRenderer } from './go-template-runtime';

/** Go's `missingkey` template option (`invalid` is the same as `default`). */
export type MissingKey = 'default' | 'zero' | 'error';

/** A template failed to parse or execute; the message is Argo CD's. */
export class GoTemplateError extends Error {}

/**
 * The `missingkey` setting of an ApplicationSet's `goTemplateOptions`. text/template accepts no
 * other option (and panics on one), so anything else is refused here with a clear message.
 */
export function missingKeyOption(options: readonly string[] | undefined): MissingKey {
  let missingKey: MissingKey = 'default';
  for (const option of options ?? []) {
    const m = /^missingkey=(default|invalid|zero|error)$/.exec(option);
    if (!m) {
      throw new GoTemplateError(`unrecognized goTemplateOptions entry '${option}': Go templates accept only missingkey=default|invalid|zero|error`);
    }
    missingKey = m[1] === 'invalid' ? 'default' : m[1] as MissingKey;
  }
  return missingKey;
}

/** Every template of a group is rendered with every parameter set of that group. */
export interface TemplateGroup {
  readonly templates: readonly string[];
  readonly params: ReadonlyArray<{ readonly [key: string]: unknown }>;
}

/** For one parameter set: each template's output in order, or the first failure. */
export type GroupResult = { readonly out: string[] } | { readonly error: string; readonly index: number };

export interface TemplateSettings {
  /** Go text/template (true) or fasttemplate (false). */
  readonly goTemplate: boolean;
  readonly missingKey: MissingKey;
}

/**
 * Renders every group in one call into the Go renderer (results per group, per parameter set).
 * Template errors come back as results; a renderer that fails or takes longer than `timeoutMs`
 * throws GoTemplateRuntimeError.
 */
export function renderTemplateGroups(groups: readonly TemplateGroup[], settings: TemplateSettings, timeoutMs?: number): GroupResult[][] {
  // Nothing to render (no strings, or no parameter sets): no need to wake the renderer.
  if (groups.every(g => g.templates.length === 0 || g.params.length === 0)) {
    return groups.map(g => g.params.map(() => ({ out: [] })));
  }
  const request = JSON.stringify({
    goTemplate: settings.goTemplate,
    options: settings.goTemplate ? [`missingkey=${settings.missingKey}`] : [],
    groups,
  });
  const response = JSON.parse(callGoTemplateRenderer(request, timeoutMs)) as {
    groups?: Array<Array<{ out?: string[]; error?: string; index?: number }>>;
    error?: string;
  };
  if (response.error !== undefined) throw new GoTemplateError(response.error);
  return (response.groups ?? []).map((results, g) => results.map(r => (r.error !== undefined
    ? { error: r.error, index: r.index ?? 0 }
    : { out: r.out ?? groups[g].templates.map(() => '') })));
}

/** Renders one Go template with `data` as dot. Throws GoTemplateError with Argo CD's message. */
export function renderGoTemplate(src: string, data: { [key: string]: unknown }, missingKey: MissingKey = 'default'): string {
  const [[result]] = renderTemplateGroups([{ templates: [src], params: [data] }], { goTemplate: true, missingKey });
  if ('error' in result) throw new GoTemplateError(result.error);
  return result.out[0];
}
