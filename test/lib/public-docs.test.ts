/**
 * The public API is documented for people, as cdk8s-plus documents its own: every exported
 * type, class, function and constant of lib/index.ts (the surface api/cdk8s-triton-jetson.api.md
 * records) has a JSDoc comment, every field of an exported interface or object type and every
 * public member of an exported class has one too, and every optional field says its
 * `@default` (what happens when it is left out, "- none: …" where nothing does).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { REPO_ROOT } from '../support/manifests';

/** One line per exported declaration or member of `entry` that lacks its documentation. */
function undocumented(entry: string): { problems: string[]; fields: number } {
  const program = ts.createProgram([entry], {
    strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, noEmit: true,
  });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  const problems: string[] = [];
  let fields = 0;
  const hasDoc = (node: ts.Node) => ts.getJSDocCommentsAndTags(node).length > 0;
  const checkMembers = (owner: string, members: ts.NodeArray<ts.TypeElement>) => {
    for (const member of members) {
      fields++;
      const name = `${owner}.${member.name?.getText() ?? '(signature)'}`;
      if (!hasDoc(member)) problems.push(`${name}: no JSDoc`);
      else if (ts.isPropertySignature(member) && member.questionToken && ts.getJSDocTags(member).every((t) => t.tagName.text !== 'default')) {
        problems.push(`${name}: optional without @default`);
      }
    }
  };
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    for (const decl of symbol.declarations ?? []) {
      const documented = ts.isVariableDeclaration(decl) ? hasDoc(decl.parent.parent) : hasDoc(decl);
      if (!documented) problems.push(`${exported.name}: no JSDoc`);
      if (ts.isInterfaceDeclaration(decl)) checkMembers(exported.name, decl.members);
      if (ts.isTypeAliasDeclaration(decl) && ts.isTypeLiteralNode(decl.type)) checkMembers(exported.name, decl.type.members);
      if (ts.isClassDeclaration(decl)) {
        for (const member of decl.members) {
          if (ts.isConstructorDeclaration(member) || ts.isClassStaticBlockDeclaration(member) || ts.isSemicolonClassElement(member)) continue;
          const modifiers = ts.canHaveModifiers(member) ? ts.getModifiers(member) ?? [] : [];
          if (modifiers.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) continue;
          if (member.name && ts.isPrivateIdentifier(member.name)) continue;
          fields++;
          if (!hasDoc(member)) problems.push(`${exported.name}.${member.name?.getText()}: no JSDoc`);
        }
      }
    }
  }
  return { problems, fields };
}

test('every public type, field and member has JSDoc; every optional field its @default', () => {
  const { problems, fields } = undocumented(path.join(REPO_ROOT, 'lib', 'index.ts'));
  expect(problems).toEqual([]);
  // The walk reached the props interfaces and the constructs' members (over 500 today).
  expect(fields).toBeGreaterThan(400);
}, 120_000);

test('the check sees a missing JSDoc, a missing @default and an undocumented member (negative control)', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'public-docs-'));
  try {
    const entry = path.join(work, 'index.ts');
    writeFileSync(entry, [
      '/** Documented. */',
      'export interface Props {',
      '  /** Documented, with its default.\n   * @default 1\n   */',
      '  readonly a?: number;',
      '  /** Documented, no default. */',
      '  readonly b?: string;',
      '  readonly c: string;',
      '}',
      'export type Bare = {',
      '  /** Fine. */',
      '  readonly d: string;',
      '  readonly e: string;',
      '};',
      '/** A construct. */',
      'export class Thing {',
      '  public readonly f = 1;',
      '  private readonly g = 2;',
      '}',
    ].join('\n'));
    expect(undocumented(entry).problems).toEqual([
      'Props.b: optional without @default',
      'Props.c: no JSDoc',
      'Bare: no JSDoc',
      'Bare.e: no JSDoc',
      'Thing.f: no JSDoc',
    ]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
