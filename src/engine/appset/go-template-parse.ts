/**
 * Lexer and parser for the subset of Go's text/template that ApplicationSets use: actions with
 * pipelines, fields, variables, literals, parentheses, `if`/`else if`/`else`, `range` (with
 * `break`/`continue`), `with`/`else with`, comments and `{{-`/`-}}` whitespace trimming.
 * `define`/`template`/`block` are rejected with a clear message (Argo CD templates are single
 * strings; nobody can call a named template across fields).
 */

export class GoTemplateError extends Error {}

export interface Pos {
  readonly line: number;
  readonly col: number;
}

export type Arg =
  | { readonly kind: 'field'; readonly names: string[]; readonly pos: Pos; readonly text: string }
  | { readonly kind: 'variable'; readonly name: string; readonly names: string[]; readonly pos: Pos; readonly text: string }
  | { readonly kind: 'dot'; readonly pos: Pos; readonly text: string }
  | { readonly kind: 'ident'; readonly name: string; readonly pos: Pos; readonly text: string }
  | { readonly kind: 'string'; readonly value: string; readonly pos: Pos; readonly text: string }
  | { readonly kind: 'number'; readonly value: number; readonly isInt: boolean; readonly pos: Pos; readonly text: string }
  | { readonly kind: 'bool'; readonly value: boolean; readonly pos: Pos; readonly text: string }
  | { readonly kind: 'nil'; readonly pos: Pos; readonly text: string }
  | { readonly kind: 'chain'; readonly pipe: Pipe; readonly names: string[]; readonly pos: Pos; readonly text: string };

export interface Command {
  readonly args: Arg[];
  readonly pos: Pos;
}

export interface Pipe {
  /** Declared or assigned variables (`$x :=`, `$i, $e :=`). */
  readonly vars: string[];
  readonly isAssign: boolean;
  readonly cmds: Command[];
  readonly pos: Pos;
  readonly text: string;
}

export type Node =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'action'; readonly pipe: Pipe }
  | { readonly kind: 'if' | 'with'; readonly pipe: Pipe; readonly list: Node[]; readonly elseList?: Node[] }
  | { readonly kind: 'range'; readonly pipe: Pipe; readonly list: Node[]; readonly elseList?: Node[] }
  | { readonly kind: 'break' | 'continue'; readonly pos: Pos };

type TokenKind = 'field' | 'variable' | 'dot' | 'ident' | 'string' | 'rawString' | 'char' | 'number'
| 'leftParen' | 'rightParen' | 'pipe' | 'declare' | 'assign' | 'comma' | 'end';

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly pos: Pos;
}

interface ActionTokens {
  readonly tokens: Token[];
  readonly pos: Pos;
  readonly text: string;
}

type Item = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'action'; readonly action: ActionTokens };

const SPACE = new Set([' ', '\t', '\r', '\n']);

/** Splits the template into text and tokenized actions, applying trim markers. */
function lex(src: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  let trimNextText = false;
  const lineStarts = [0];
  for (let k = 0; k < src.length; k++) if (src[k] === '\n') lineStarts.push(k + 1);
  const posAt = (offset: number): Pos => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi + 1) / 2);
      if (lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - lineStarts[lo] };
  };
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (trimNextText) text = text.replace(/^[ \t\r\n]+/, '');
    trimNextText = false;
    if (open < 0) {
      if (text) items.push({ kind: 'text', text });
      break;
    }
    let j = open + 2;
    if (src[j] === '-' && SPACE.has(src[j + 1] ?? '')) {
      text = text.replace(/[ \t\r\n]+$/, '');
      j += 2;
    }
    if (text) items.push({ kind: 'text', text });
    // Comments: {{/* ... */}}, possibly with trim markers around them.
    let k = j;
    while (SPACE.has(src[k] ?? '')) k++;
    if (src.startsWith('/*', k)) {
      const close = src.indexOf('*/', k + 2);
      if (close < 0) throw new GoTemplateError(`template: base:${posAt(open).line}: unclosed comment`);
      let after = close + 2;
      if (src.startsWith(' -}}', after)) {
        trimNextText = true;
        after += 4;
      } else if (src.startsWith('}}', after)) {
        after += 2;
      } else {
        throw new GoTemplateError(`template: base:${posAt(open).line}: comment ends before closing delimiter`);
      }
      i = after;
      continue;
    }
    const { tokens, end, trimRight } = lexAction(src, j, posAt);
    items.push({ kind: 'action', action: { tokens, pos: posAt(open), text: src.slice(open, end) } });
    trimNextText = trimRight;
    i = end;
  }
  return items;
}

function lexAction(src: string, start: number, posAt: (o: number) => Pos): { tokens: Token[]; end: number; trimRight: boolean } {
  const tokens: Token[] = [];
  let i = start;
  const push = (kind: TokenKind, from: number, to: number): void => {
    tokens.push({ kind, text: src.slice(from, to), pos: posAt(from) });
  };
  const fail = (message: string): never => {
    const p = posAt(i);
    throw new GoTemplateError(`template: base:${p.line}: ${message}`);
  };
  for (;;) {
    if (i >= src.length) fail('unclosed action');
    const c = src[i];
    if (src.startsWith(' -}}', i) || src.startsWith('\t-}}', i) || src.startsWith('\n-}}', i) || src.startsWith('\r-}}', i)) {
      return { tokens, end: i + 4, trimRight: true };
    }
    if (src.startsWith('}}', i)) return { tokens, end: i + 2, trimRight: false };
    if (SPACE.has(c)) {
      i++;
      continue;
    }
    const from = i;
    if (c === '|') {
      i++;
      push('pipe', from, i);
    } else if (c === '(') {
      i++;
      push('leftParen', from, i);
    } else if (c === ')') {
      i++;
      push('rightParen', from, i);
    } else if (c === ',') {
      i++;
      push('comma', from, i);
    } else if (c === ':' && src[i + 1] === '=') {
      i += 2;
      push('declare', from, i);
    } else if (c === '=') {
      i++;
      push('assign', from, i);
    } else if (c === '"') {
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === '\\') i++;
        if (src[i] === '\n') fail('unterminated quoted string');
        i++;
      }
      if (i >= src.length) fail('unterminated quoted string');
      i++;
      push('string', from, i);
    } else if (c === '`') {
      const close = src.indexOf('`', i + 1);
      if (close < 0) fail('unterminated raw quoted string');
      i = close + 1;
      push('rawString', from, i);
    } else if (c === '\'') {
      i++;
      while (i < src.length && src[i] !== '\'') {
        if (src[i] === '\\') i++;
        i++;
      }
      i++;
      push('char', from, i);
    } else if (c === '$') {
      i++;
      while (i < src.length && /[\p{L}\p{N}_]/u.test(src[i])) i++;
      push('variable', from, i);
    } else if (c === '.') {
      if (/[0-9]/.test(src[i + 1] ?? '')) {
        i = scanNumber(src, i);
        push('number', from, i);
      } else {
        i++;
        while (i < src.length && /[\p{L}\p{N}_]/u.test(src[i])) i++;
        push(i - from === 1 ? 'dot' : 'field', from, i);
      }
    } else if (/[0-9+-]/.test(c)) {
      const end = scanNumber(src, i);
      if (end === i || (end === i + 1 && /[+-]/.test(c))) fail(`bad number syntax: ${JSON.stringify(src.slice(i, i + 2))}`);
      i = end;
      push('number', from, i);
    } else if (/[\p{L}_]/u.test(c)) {
      while (i < src.length && /[\p{L}\p{N}_]/u.test(src[i])) i++;
      push('ident', from, i);
    } else {
      fail(`unexpected ${JSON.stringify(c)} in command`);
    }
  }
}

function scanNumber(src: string, start: number): number {
  const m = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d*([eE][+-]?\d+)?)/.exec(src.slice(start));
  return start + (m ? m[0].length : 0);
}

/** Parses a template into a node list. */
export function parseGoTemplate(src: string): Node[] {
  const items = lex(src);
  let index = 0;
  let rangeDepth = 0;

  const parseList = (terminators: string[]): { list: Node[]; terminator: string; item?: ActionTokens } => {
    const list: Node[] = [];
    while (index < items.length) {
      const item = items[index++];
      if (item.kind === 'text') {
        list.push({ kind: 'text', text: item.text });
        continue;
      }
      const action = item.action;
      const first = action.tokens[0];
      if (!first) throw parseError(action, 'missing value for command');
      const keyword = first.kind === 'ident' ? first.text : '';
      if (keyword === 'end' || keyword === 'else') {
        if (!terminators.includes(keyword)) throw parseError(action, `unexpected {{${keyword}}}`);
        return { list, terminator: keyword, item: action };
      }
      if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
        list.push(parseControl(keyword, action, action.tokens.slice(1)));
      } else if (keyword === 'break' || keyword === 'continue') {
        if (rangeDepth === 0) throw parseError(action, `{{${keyword}}} outside {{range}}`);
        list.push({ kind: keyword, pos: action.pos });
      } else if (keyword === 'define' || keyword === 'template' || keyword === 'block') {
        throw parseError(action, `{{${keyword}}} is not supported here: an ApplicationSet template field is a single template, so write the text inline`);
      } else {
        list.push({ kind: 'action', pipe: parsePipe(action, action.tokens, false) });
      }
    }
    if (terminators.length > 0) throw new GoTemplateError('template: base:1: unexpected EOF (missing {{end}})');
    return { list, terminator: 'eof' };
  };

  const parseControl = (keyword: 'if' | 'with' | 'range', action: ActionTokens, tokens: Token[]): Node => {
    const pipe = parsePipe(action, tokens, keyword === 'range');
    if (keyword === 'range') rangeDepth++;
    const body = parseList(['end', 'else']);
    if (keyword === 'range') rangeDepth--;
    let elseList: Node[] | undefined;
    if (body.terminator === 'else') {
      const elseTokens = body.item!.tokens.slice(1);
      const chained = elseTokens[0]?.kind === 'ident' && (elseTokens[0].text === 'if' || elseTokens[0].text === 'with') ? elseTokens[0].text : undefined;
      if (chained && chained !== keyword) throw parseError(body.item!, `{{else ${chained}}} is only allowed inside {{${chained}}}`);
      if (chained) {
        // {{else if x}} … {{end}} is {{else}}{{if x}} … {{end}}{{end}} sharing one {{end}}.
        elseList = [parseControl(chained as 'if' | 'with', body.item!, elseTokens.slice(1))];
      } else {
        if (elseTokens.length > 0) throw parseError(body.item!, 'unexpected tokens after {{else}}');
        const rest = parseList(['end']);
        elseList = rest.list;
      }
    }
    return { kind: keyword, pipe, list: body.list, elseList } as Node;
  };

  const { list } = parseList([]);
  return list;
}

function parseError(action: ActionTokens, message: string): GoTemplateError {
  return new GoTemplateError(`template: base:${action.pos.line}: ${message} in ${action.text}`);
}

function parsePipe(action: ActionTokens, tokens: Token[], allowTwoVars: boolean): Pipe {
  let i = 0;
  const vars: string[] = [];
  let isAssign = false;
  // Variable declarations: $x := …, $i, $e := … (range only), $x = …
  const declEnd = tokens.findIndex(t => t.kind === 'declare' || t.kind === 'assign');
  if (declEnd > 0 && tokens.slice(0, declEnd).every(t => t.kind === 'variable' || t.kind === 'comma')) {
    const names = tokens.slice(0, declEnd).filter(t => t.kind === 'variable').map(t => t.text);
    if (names.length > (allowTwoVars ? 2 : 1)) throw parseError(action, 'too many declarations');
    vars.push(...names);
    isAssign = tokens[declEnd].kind === 'assign';
    i = declEnd + 1;
  }
  const cmds: Command[] = [];
  let current: Arg[] = [];
  let cmdPos = tokens[i]?.pos ?? action.pos;
  const finish = (): void => {
    if (current.length === 0) throw parseError(action, 'missing command');
    cmds.push({ args: current, pos: cmdPos });
    current = [];
  };
  const parseOperand = (): Arg => {
    const t = tokens[i++];
    let arg: Arg;
    switch (t.kind) {
      case 'field':
        arg = { kind: 'field', names: [t.text.slice(1)], pos: t.pos, text: t.text };
        break;
      case 'variable':
        arg = { kind: 'variable', name: t.text, names: [], pos: t.pos, text: t.text };
        break;
      case 'dot':
        arg = { kind: 'dot', pos: t.pos, text: '.' };
        break;
      case 'ident':
        if (t.text === 'true' || t.text === 'false') arg = { kind: 'bool', value: t.text === 'true', pos: t.pos, text: t.text };
        else if (t.text === 'nil') arg = { kind: 'nil', pos: t.pos, text: t.text };
        else arg = { kind: 'ident', name: t.text, pos: t.pos, text: t.text };
        break;
      case 'string':
        arg = { kind: 'string', value: unquote(t.text, action), pos: t.pos, text: t.text };
        break;
      case 'rawString':
        arg = { kind: 'string', value: t.text.slice(1, -1), pos: t.pos, text: t.text };
        break;
      case 'char': {
        const ch = unquote(`"${t.text.slice(1, -1).replace(/"/g, '\\"')}"`, action);
        arg = { kind: 'number', value: ch.codePointAt(0) ?? 0, isInt: true, pos: t.pos, text: t.text };
        break;
      }
      case 'number':
        arg = parseNumber(t, action);
        break;
      case 'leftParen': {
        let depth = 1;
        const start = i;
        while (i < tokens.length && depth > 0) {
          if (tokens[i].kind === 'leftParen') depth++;
          if (tokens[i].kind === 'rightParen') depth--;
          i++;
        }
        if (depth !== 0) throw parseError(action, 'unclosed left paren');
        const inner = parsePipe(action, tokens.slice(start, i - 1), false);
        arg = { kind: 'chain', pipe: inner, names: [], pos: t.pos, text: `(${inner.text})` };
        break;
      }
      default:
        throw parseError(action, `unexpected ${JSON.stringify(t.text)} in operand`);
    }
    // Field chains directly after an operand: $x.a.b, (pipe).a
    while (tokens[i]?.kind === 'field' && adjacent(tokens[i - 1], tokens[i])) {
      const name = tokens[i++].text.slice(1);
      if (arg.kind === 'field' || arg.kind === 'variable' || arg.kind === 'chain') {
        arg = { ...arg, names: [...arg.names, name], text: arg.text + '.' + name } as Arg;
      } else if (arg.kind === 'dot') {
        arg = { kind: 'field', names: [name], pos: arg.pos, text: '.' + name };
      } else {
        throw parseError(action, `unexpected . after term ${JSON.stringify(arg.text)}`);
      }
    }
    return arg;
  };
  while (i < tokens.length) {
    const t = tokens[i];
    if (t.kind === 'pipe') {
      finish();
      i++;
      cmdPos = tokens[i]?.pos ?? t.pos;
      continue;
    }
    if (t.kind === 'rightParen') throw parseError(action, 'unexpected right paren');
    if (t.kind === 'declare' || t.kind === 'assign' || t.kind === 'comma') throw parseError(action, `unexpected ${JSON.stringify(t.text)}`);
    current.push(parseOperand());
  }
  finish();
  const text = tokens.map(t => t.text).join(' ');
  return { vars, isAssign, cmds, pos: cmds[0].pos, text };
}

function adjacent(a: Token, b: Token): boolean {
  return a.pos.line === b.pos.line && a.pos.col + a.text.length === b.pos.col;
}

function parseNumber(t: Token, action: ActionTokens): Arg {
  const clean = t.text.replace(/_/g, '');
  let value: number;
  if (/^[+-]?0[xX]/.test(clean)) value = parseInt(clean.replace(/0[xX]/, ''), 16) * (clean.startsWith('-') ? -1 : 1);
  else if (/^[+-]?0[bB]/.test(clean)) value = parseInt(clean.replace(/^[+-]?0[bB]/, ''), 2) * (clean.startsWith('-') ? -1 : 1);
  else if (/^[+-]?0[oO]/.test(clean)) value = parseInt(clean.replace(/^[+-]?0[oO]/, ''), 8) * (clean.startsWith('-') ? -1 : 1);
  else value = Number(clean);
  if (Number.isNaN(value)) throw parseError(action, `bad number syntax: ${JSON.stringify(t.text)}`);
  const isInt = /^[+-]?(0[xXbBoO][0-9a-fA-F]+|\d+)$/.test(clean);
  return { kind: 'number', value, isInt, pos: t.pos, text: t.text };
}

function unquote(text: string, action: ActionTokens): string {
  try {
    // Go's escapes are a superset of JSON's in practice (\a, \v, \x.. are rare); map the common ones.
    const json = text.replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b').replace(/\\'/g, '\'');
    return JSON.parse(json);
  } catch {
    throw parseError(action, `invalid syntax in string ${text}`);
  }
}
