/**
 * Executes Go text/template the way Argo CD's ApplicationSet controller does
 * (`template.New("").Funcs(sprigFuncMap).Option(goTemplateOptions...).Execute(…)`), for the subset
 * of Go templates and Sprig functions real ApplicationSets use.
 */
import { goTemplateFunction, LAZY_FUNCTIONS, SPRIG_NOT_SUPPORTED } from './go-template-functions';
import { Arg, Command, GoTemplateError, Node, parseGoTemplate, Pipe } from './go-template-parse';
import { GoInt, isPlainObject, isTrue, templatePrint } from './go-value';

export { GoTemplateError } from './go-template-parse';

/** `missingkey=…` from goTemplateOptions. */
export type MissingKey = 'default' | 'zero' | 'error';

const parsed = new Map<string, Node[]>();

/** Parses `goTemplateOptions` as Go's `Template.Option` does; unknown options fail. */
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

/** Renders `src` with `data` as dot. Throws GoTemplateError on parse or execution errors. */
export function renderGoTemplate(src: string, data: unknown, missingKey: MissingKey = 'default'): string {
  let nodes = parsed.get(src);
  if (!nodes) {
    nodes = parseGoTemplate(src);
    checkFunctions(nodes);
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(src, nodes);
  }
  const state = new ExecState(data, missingKey);
  const out: string[] = [];
  state.walkList(data, nodes, out);
  return out.join('');
}

class BreakSignal {}
class ContinueSignal {}

/** Go checks every function name at parse time, even in branches that never run. */
function checkFunctions(nodes: Node[]): void {
  const visitPipe = (pipe: Pipe): void => {
    for (const cmd of pipe.cmds) {
      for (const arg of cmd.args) {
        if (arg.kind === 'ident' && !goTemplateFunction(arg.name) && !LAZY_FUNCTIONS.has(arg.name)) {
          if (SPRIG_NOT_SUPPORTED.has(arg.name)) {
            throw new GoTemplateError(`template: base:${arg.pos.line}: function "${arg.name}" is a Sprig function that the offline expander does not implement; expand this ApplicationSet with Argo CD, or use one of the supported functions (see the README)`);
          }
          throw new GoTemplateError(`template: base:${arg.pos.line}: function "${arg.name}" not defined`);
        }
        if (arg.kind === 'chain') visitPipe(arg.pipe);
      }
    }
  };
  for (const node of nodes) {
    switch (node.kind) {
      case 'action':
        visitPipe(node.pipe);
        break;
      case 'if':
      case 'with':
      case 'range':
        visitPipe(node.pipe);
        checkFunctions(node.list);
        if (node.elseList) checkFunctions(node.elseList);
        break;
      default:
        break;
    }
  }
}

class ExecState {
  private readonly vars: Array<{ name: string; value: unknown }>;

  public constructor(root: unknown, private readonly missingKey: MissingKey) {
    this.vars = [{ name: '$', value: root }];
  }

  public walkList(dot: unknown, nodes: Node[], out: string[]): void {
    for (const node of nodes) this.walk(dot, node, out);
  }

  private walk(dot: unknown, node: Node, out: string[]): void {
    switch (node.kind) {
      case 'text':
        out.push(node.text);
        return;
      case 'action': {
        const value = this.evalPipe(dot, node.pipe);
        if (node.pipe.vars.length === 0) out.push(templatePrint(value));
        return;
      }
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        const value = this.evalPipe(dot, node.pipe);
        if (isTrue(value)) {
          this.walkList(node.kind === 'with' ? value : dot, node.list, out);
        } else if (node.elseList) {
          this.walkList(dot, node.elseList, out);
        }
        this.vars.length = mark;
        return;
      }
      case 'range':
        this.walkRange(dot, node, out);
        return;
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
    }
  }

  private walkRange(dot: unknown, node: Extract<Node, { kind: 'range' }>, out: string[]): void {
    const mark = this.vars.length;
    // The range pipeline's variables are the loop variables, not the pipeline's result.
    const value = this.evalPipe(dot, { ...node.pipe, vars: [] });
    let entries: Array<[unknown, unknown]>;
    if (Array.isArray(value)) entries = value.map((v, i) => [new GoInt(i), v]);
    else if (isPlainObject(value)) entries = Object.keys(value).sort().map(k => [k, value[k]]);
    else if (value instanceof GoInt) entries = Array.from({ length: Math.max(0, value.value) }, (_, i) => [new GoInt(i), new GoInt(i)]);
    else if (value === undefined || value === null) entries = [];
    else throw this.execError(node.pipe.pos, node.pipe.text, `range can't iterate over ${templatePrint(value)}`);
    if (entries.length === 0) {
      if (node.elseList) this.walkList(dot, node.elseList, out);
      this.vars.length = mark;
      return;
    }
    for (const [key, elem] of entries) {
      const iterationMark = this.vars.length;
      if (node.pipe.vars.length === 1) this.vars.push({ name: node.pipe.vars[0], value: elem });
      if (node.pipe.vars.length === 2) {
        this.vars.push({ name: node.pipe.vars[0], value: key });
        this.vars.push({ name: node.pipe.vars[1], value: elem });
      }
      try {
        this.walkList(elem, node.list, out);
      } catch (e) {
        if (e instanceof BreakSignal) {
          this.vars.length = iterationMark;
          break;
        }
        if (!(e instanceof ContinueSignal)) throw e;
      }
      this.vars.length = iterationMark;
    }
    this.vars.length = mark;
  }

  private evalPipe(dot: unknown, pipe: Pipe): unknown {
    let value: unknown = undefined;
    let first = true;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, first ? undefined : { value });
      first = false;
    }
    for (const name of pipe.vars) {
      if (pipe.isAssign) {
        const v = [...this.vars].reverse().find(x => x.name === name);
        if (!v) throw this.execError(pipe.pos, pipe.text, `undefined variable: ${name}`);
        v.value = value;
      } else {
        this.vars.push({ name, value });
      }
    }
    return value;
  }

  private evalCommand(dot: unknown, cmd: Command, final: { value: unknown } | undefined): unknown {
    const [first, ...rest] = cmd.args;
    if (first.kind === 'ident') return this.callFunction(dot, first, rest, final);
    if (rest.length > 0 || final) {
      throw this.execError(first.pos, first.text, `can't give argument to non-function ${first.text}`);
    }
    return this.evalArg(dot, first);
  }

  private callFunction(dot: unknown, ident: Extract<Arg, { kind: 'ident' }>, argNodes: Arg[], final: { value: unknown } | undefined): unknown {
    const name = ident.name;
    if (LAZY_FUNCTIONS.has(name)) {
      // and/or evaluate their arguments lazily and return the deciding value (Go ≥ 1.18).
      const thunks = argNodes.map(a => () => this.evalArg(dot, a));
      if (final) thunks.push(() => final.value);
      if (thunks.length === 0) throw this.execError(ident.pos, name, `wrong number of args for ${name}: want at least 1 got 0`);
      let value: unknown;
      for (const thunk of thunks) {
        value = thunk();
        if (name === 'and' ? !isTrue(value) : isTrue(value)) return value;
      }
      return value;
    }
    const args = argNodes.map(a => this.evalArg(dot, a));
    if (final) args.push(final.value);
    try {
      return goTemplateFunction(name)!(...args);
    } catch (e) {
      if (e instanceof GoTemplateError && e.message.startsWith('template:')) throw e;
      const message = e instanceof Error ? e.message : String(e);
      const prefix = /^(wrong number of args|wrong type)/.test(message) ? '' : `error calling ${name}: `;
      throw this.execError(ident.pos, name, `${prefix}${message}`);
    }
  }

  private evalArg(dot: unknown, arg: Arg): unknown {
    switch (arg.kind) {
      case 'dot':
        return dot;
      case 'field':
        return this.evalFields(dot, arg.names, arg);
      case 'variable': {
        const v = [...this.vars].reverse().find(x => x.name === arg.name);
        if (!v) throw this.execError(arg.pos, arg.text, `undefined variable: ${arg.name}`);
        return this.evalFields(v.value, arg.names, arg);
      }
      case 'chain':
        return this.evalFields(this.evalPipe(dot, arg.pipe), arg.names, arg);
      case 'ident':
        return this.callFunction(dot, arg, [], undefined);
      case 'string':
      case 'bool':
        return arg.value;
      case 'number':
        return arg.isInt ? new GoInt(arg.value) : arg.value;
      case 'nil':
        return null;
    }
  }

  private evalFields(receiver: unknown, names: string[], arg: Arg): unknown {
    let value = receiver;
    for (const name of names) {
      if (value === undefined) {
        if (this.missingKey === 'error') throw this.execError(arg.pos, arg.text, `nil data; no entry for key "${name}"`);
        return undefined;
      }
      if (value === null) throw this.execError(arg.pos, arg.text, `nil pointer evaluating interface {}.${name}`);
      if (!isPlainObject(value)) {
        // Parameters are map[string]interface{} values, so Go names the receiver's static type.
        throw this.execError(arg.pos, arg.text, `can't evaluate field ${name} in type interface {}`);
      }
      if (Object.prototype.hasOwnProperty.call(value, name)) {
        value = value[name];
      } else {
        if (this.missingKey === 'error') throw this.execError(arg.pos, arg.text, `map has no entry for key "${name}"`);
        // missingkey=zero yields a nil interface (a further field errors); the default, an invalid value.
        value = this.missingKey === 'zero' ? null : undefined;
      }
    }
    return value;
  }

  private execError(pos: { line: number; col: number }, at: string, message: string): GoTemplateError {
    return new GoTemplateError(`template: base:${pos.line}:${pos.col}: executing "base" at <${at}>: ${message}`);
  }
}
