/**
 * Every public member of the shipped declarations (dist/pkg/api: the construct, the consumer helper, the reader, as
 * the tests' global setup builds them) carries a TSDoc comment, read with the TypeScript compiler API: each export,
 * each member of an exported class or interface declared in this package, each parameter of an exported function,
 * constructor or method (`@param`), and an optional property says its `@default`. Members inherited from aws-cdk-lib
 * or constructs are theirs to document. Props added later are held to the same rule.
 */
import { join } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
const ENTRIES = ['construct', 'consumer', 'reader'].map((entry) => join(ROOT, 'dist', 'pkg', 'api', `${entry}.d.ts`));
const OURS = join(ROOT, 'dist', 'pkg');

const program = ts.createProgram(ENTRIES, { strict: true, skipLibCheck: true, types: ['node'] });
const checker = program.getTypeChecker();

const hasDoc = (symbol: ts.Symbol) => ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() !== '';
const tagsOf = (symbol: ts.Symbol) => symbol.getJsDocTags(checker).map((tag) => tag.name);
const ours = (declaration: ts.Declaration) => declaration.getSourceFile().fileName.startsWith(OURS);

/** The undocumented members of one export, as `Export.member` strings. */
function undocumented(exported: ts.Symbol, name: string): string[] {
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const missing: string[] = [];
  if (!hasDoc(symbol)) missing.push(name);
  for (const declaration of symbol.getDeclarations() ?? []) {
    if (!ours(declaration)) continue;
    if (ts.isFunctionDeclaration(declaration)) missing.push(...undocumentedParameters(declaration, symbol, name));
    if (!ts.isClassDeclaration(declaration) && !ts.isInterfaceDeclaration(declaration)) continue;
    for (const member of declaration.members) {
      if (ts.getCombinedModifierFlags(member as ts.Declaration) & ts.ModifierFlags.Private) continue;
      const memberName = ts.isConstructorDeclaration(member) ? 'constructor' : member.name?.getText();
      const memberSymbol = ts.isConstructorDeclaration(member)
        ? undefined
        : member.name && checker.getSymbolAtLocation(member.name);
      const label = `${name}.${memberName}`;
      if (memberSymbol !== undefined && !hasDoc(memberSymbol)) missing.push(label);
      if (
        memberSymbol !== undefined &&
        (ts.isPropertySignature(member) || ts.isPropertyDeclaration(member)) &&
        member.questionToken !== undefined &&
        !tagsOf(memberSymbol).includes('default')
      ) {
        missing.push(`${label} @default`);
      }
      if (ts.isConstructorDeclaration(member) || ts.isMethodDeclaration(member) || ts.isMethodSignature(member)) {
        missing.push(...undocumentedParameters(member, memberSymbol, label));
      }
    }
  }
  return missing;
}

/** Parameters without a `@param` line. */
function undocumentedParameters(
  declaration: ts.SignatureDeclaration,
  symbol: ts.Symbol | undefined,
  label: string,
): string[] {
  const documented = new Set(
    ts
      .getJSDocTags(declaration)
      .filter(ts.isJSDocParameterTag)
      .filter((tag) => ts.getTextOfJSDocComment(tag.comment)?.trim())
      .map((tag) => tag.name.getText()),
  );
  const missing = declaration.parameters
    .map((parameter) => parameter.name.getText())
    .filter((parameter) => !documented.has(parameter))
    .map((parameter) => `${label}(${parameter}) @param`);
  if (
    symbol === undefined &&
    ts.isConstructorDeclaration(declaration) &&
    ts.getJSDocCommentsAndTags(declaration).length === 0
  ) {
    missing.unshift(label);
  }
  return missing;
}

it.each(ENTRIES.map((entry) => [entry.split('/').pop() as string, entry]))(
  '%s: every export and every public member has TSDoc',
  (_, entry) => {
    const source = program.getSourceFile(entry);
    expect(source).toBeDefined();
    const module = checker.getSymbolAtLocation(source as ts.SourceFile) as ts.Symbol;
    const exports = checker.getExportsOfModule(module);
    expect(exports.length).toBeGreaterThan(0);
    const missing = exports.flatMap((exported) => undocumented(exported, exported.getName()));
    expect(missing).toEqual([]);
  },
);
