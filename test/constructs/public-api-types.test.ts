/**
 * The public API (what src/index.ts exports, and so what jsii turns into Python, Java and Go) has
 * no bare `any`: it reads as `Object` / `typing.Any` / `interface{}` there. Free-form JSON is a
 * `{ [key: string]: any }` map (a map of JSON values in every language), and `isX(x: any)` type
 * guards follow cdk8s's and constructs' own (`Construct.isConstruct(x: any)`).
 */
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');

/** `file:line Type.member` for every bare `any` in a public signature. */
function bareAnyInPublicApi(): string[] {
  const program = ts.createProgram([path.join(ROOT, 'src', 'index.ts')], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: true, noEmit: true });
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(path.join(ROOT, 'src', 'index.ts'))!;
  const found: string[] = [];
  for (const exported of checker.getExportsOfModule(checker.getSymbolAtLocation(index)!)) {
    // eslint-disable-next-line no-bitwise
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    for (const declaration of symbol.declarations ?? []) {
      if (!ts.isClassDeclaration(declaration) && !ts.isInterfaceDeclaration(declaration)) continue;
      for (const member of declaration.members) {
        const modifiers = ts.canHaveModifiers(member) ? ts.getModifiers(member) ?? [] : [];
        const name = member.name && ts.isIdentifier(member.name) ? member.name.text : 'constructor';
        if (modifiers.some(m => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword) || name.startsWith('_')) continue;
        const isTypeGuard = ts.isMethodDeclaration(member) && member.type !== undefined && ts.isTypePredicateNode(member.type);
        const visit = (node: ts.Node): void => {
          // A constructor's private parameter properties are not API.
          if (ts.isParameter(node) && (ts.getModifiers(node) ?? []).some(m => m.kind === ts.SyntaxKind.PrivateKeyword)) return;
          if (ts.isBlock(node)) return;
          const allowed = ts.isIndexSignatureDeclaration(node.parent) || (isTypeGuard && ts.isParameter(node.parent));
          if (node.kind === ts.SyntaxKind.AnyKeyword && !allowed) {
            const { line } = node.getSourceFile().getLineAndCharacterOfPosition(node.getStart());
            found.push(`${path.relative(ROOT, node.getSourceFile().fileName)}:${line + 1} ${symbol.name}.${name}`);
          }
          ts.forEachChild(node, visit);
        };
        visit(member);
      }
    }
  }
  return found;
}

describe('public API types', () => {
  test('no bare `any` in any exported class or interface', () => {
    expect(bareAnyInPublicApi()).toEqual([]);
  }, 60_000);
});
