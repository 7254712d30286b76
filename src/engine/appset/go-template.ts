/**
 * ApplicationSet templates rendered by Go's own text/template + Sprig v3 (with Argo CD's
 * normalize, slugify, toYaml, fromYaml, fromYamlArray) and valyala/fasttemplate, compiled to
 * WebAssembly (wasm/go-template/): the output, the errors and the function set are Argo CD's,
 * not an imitation of them.
 */
import { callGoTemplateRenderer, DEFAULT_RENDER_TIMEOUT_MS } from './go-template-runtime';

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
  // A string without `{{` renders to itself in both engines (one text node; fasttemplate's
  // `.*{{.*}}.*` test fails): most strings of a template (keys, URLs, constants) need no call.
  const sent = groups.map(g => g.templates.map((t, i) => [t, i] as const).filter(([t]) => t.includes('{{')));
  const executions = groups.reduce((n, g, i) => n + sent[i].length * g.params.length, 0);
  if (executions === 0) return groups.map(g => g.params.map(() => ({ out: [...g.templates] })));
  const request = JSON.stringify({
    goTemplate: settings.goTemplate,
    options: settings.goTemplate ? [`missingkey=${settings.missingKey}`] : [],
    groups: groups.map((g, i) => ({ templates: sent[i].map(([t]) => t), params: g.params })),
  });
  const response = JSON.parse(callGoTemplateRenderer(request, timeoutMs ?? renderTimeoutMs(executions))) as {
    groups?: Array<Array<{ out?: string[]; error?: string; index?: number }>>;
    error?: string;
  };
  if (response.error !== undefined) throw new GoTemplateError(response.error);
  return groups.map((g, i) => (response.groups?.[i] ?? []).map((r): GroupResult => {
    if (r.error !== undefined) return { error: r.error, index: sent[i][r.index ?? 0][1] };
    const out = [...g.templates];
    sent[i].forEach(([, at], k) => { out[at] = r.out?.[k] ?? ''; });
    return { out };
  }));
}

/**
 * The time limit for a request: generous (a shared CI machine can be slow, and Go in WebAssembly
 * is slower than native Go), but bounded, so a template that never ends cannot hang synth or sync.
 */
function renderTimeoutMs(executions: number): number {
  return DEFAULT_RENDER_TIMEOUT_MS + 5 * executions;
}

/** Renders one Go template with `data` as dot. Throws GoTemplateError with Argo CD's message. */
export function renderGoTemplate(src: string, data: { [key: string]: unknown }, missingKey: MissingKey = 'default'): string {
  const [[result]] = renderTemplateGroups([{ templates: [src], params: [data] }], { goTemplate: true, missingKey });
  if ('error' in result) throw new GoTemplateError(result.error);
  return result.out[0];
}
