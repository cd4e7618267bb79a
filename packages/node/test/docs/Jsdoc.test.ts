/**
 * Every public module of the five packages documents itself the way
 * Effect's own packages do: a module comment with `@since`, and on every
 * exported declaration a JSDoc comment with `@since` (and `@category`,
 * except on the re-exports of an index). Files under `src/internal/` are
 * private and not checked.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url))

const packages = ["core", "http", "node", "browser", "emulator"] as const

/** The public modules of a package: `src/*.ts`, not `src/internal/**`. */
const publicModules = (pkg: string): ReadonlyArray<string> => {
  const dir = Path.join(repoRoot, "packages", pkg, "src")
  return Fs.readdirSync(dir)
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts"))
    .sort()
    .map((name) => Path.join(dir, name))
}

interface Finding {
  readonly file: string
  readonly line: number
  readonly name: string
  readonly problem: string
}

const isExported = (node: ts.Node): boolean =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)

/** The JSDoc comments written right above `node`, nearest last. */
const jsDocsOf = (node: ts.Node): ReadonlyArray<ts.JSDoc> => ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc)

const tagNames = (doc: ts.JSDoc | undefined): ReadonlySet<string> =>
  new Set((doc?.tags ?? []).map((tag) => tag.tagName.text))

/** The names an export statement declares, for the report. */
const exportedNames = (statement: ts.Statement): ReadonlyArray<string> => {
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.map((d) => d.name.getText())
  }
  if (ts.isExportDeclaration(statement)) {
    const clause = statement.exportClause
    if (clause === undefined) return [`* from ${statement.moduleSpecifier?.getText() ?? "?"}`]
    if (ts.isNamespaceExport(clause)) return [clause.name.text]
    return clause.elements.map((element) => element.name.text)
  }
  if (ts.isExportAssignment(statement)) return ["default"]
  if (
    ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement) ||
    ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement) || ts.isModuleDeclaration(statement)
  ) {
    return [statement.name?.getText() ?? "default"]
  }
  return [ts.SyntaxKind[statement.kind]]
}

const isPublicMember = (member: ts.ClassElement): boolean =>
  !ts.isConstructorDeclaration(member) && !ts.isClassStaticBlockDeclaration(member) &&
  !ts.isSemicolonClassElement(member) && !(member.name !== undefined && ts.isPrivateIdentifier(member.name)) &&
  !(ts.canHaveModifiers(member) ? ts.getModifiers(member) ?? [] : []).some((m) =>
    m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword
  )

/**
 * The public members of an exported class carry `@since` too (as docgen
 * asks of Effect's classes). A setter is covered by the JSDoc of its getter.
 */
const checkMembers = (
  source: ts.SourceFile,
  file: string,
  declaration: ts.ClassDeclaration,
  findings: Array<Finding>
): void => {
  const className = declaration.name?.text ?? "default"
  const getters = new Set(
    declaration.members.filter(ts.isGetAccessorDeclaration).map((getter) => getter.name.getText(source))
  )
  for (const member of declaration.members) {
    if (!isPublicMember(member)) continue
    const name = member.name?.getText(source) ?? "(member)"
    if (ts.isSetAccessorDeclaration(member) && getters.has(name)) continue
    const docs = jsDocsOf(member)
    const tags = tagNames(docs[docs.length - 1])
    if (tags.has("internal") || tags.has("since")) continue
    const line = source.getLineAndCharacterOfPosition(member.getStart(source)).line + 1
    findings.push({ file, line, name: `${className}.${name}`, problem: "no @since" })
  }
}

/** Exported declarations of a list of statements, and of the `declare namespace`s among them. */
const checkStatements = (
  source: ts.SourceFile,
  file: string,
  statements: ReadonlyArray<ts.Statement>,
  findings: Array<Finding>
): void => {
  for (const statement of statements) {
    const reexport = ts.isExportDeclaration(statement)
    if (!reexport && !ts.isExportAssignment(statement) && !isExported(statement)) continue
    const docs = jsDocsOf(statement)
    const tags = tagNames(docs[docs.length - 1])
    const line = source.getLineAndCharacterOfPosition(statement.getStart(source)).line + 1
    for (const name of exportedNames(statement)) {
      if (!tags.has("since")) findings.push({ file, line, name, problem: "no @since" })
      // An index's re-exports carry `@since` only, as in Effect's packages.
      if (!reexport && !tags.has("category")) findings.push({ file, line, name, problem: "no @category" })
    }
    if (ts.isClassDeclaration(statement)) checkMembers(source, file, statement, findings)
    if (ts.isModuleDeclaration(statement) && statement.body !== undefined && ts.isModuleBlock(statement.body)) {
      checkStatements(source, file, statement.body.statements, findings)
    }
  }
}

/**
 * The module comment is the first comment of the file. When the first
 * statement is itself an export, its own JSDoc comes last, so the module
 * needs a JSDoc comment before that one.
 */
const checkModuleComment = (source: ts.SourceFile, file: string, findings: Array<Finding>): void => {
  const text = source.getFullText()
  const leading = (ts.getLeadingCommentRanges(text, 0) ?? [])
    .map((range) => text.slice(range.pos, range.end))
    .filter((comment) => comment.startsWith("/**"))
  const first = source.statements[0]
  const ownDoc = first !== undefined && (isExported(first) || ts.isExportDeclaration(first)) ? 1 : 0
  const moduleDoc = leading.length > ownDoc ? leading[0] : undefined
  if (moduleDoc === undefined || !/@since\b/.test(moduleDoc)) {
    findings.push({ file, line: 1, name: "(module)", problem: "no module comment with @since" })
  }
}

const audit = (file: string): ReadonlyArray<Finding> => {
  const text = Fs.readFileSync(file, "utf8")
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const relative = Path.relative(repoRoot, file)
  const findings: Array<Finding> = []
  checkModuleComment(source, relative, findings)
  checkStatements(source, relative, source.statements, findings)
  return findings
}

const report = (findings: ReadonlyArray<Finding>): ReadonlyArray<string> =>
  findings.map((f) => `${f.file}:${f.line} ${f.name}: ${f.problem}`)

describe("JSDoc of the public modules", () => {
  for (const pkg of packages) {
    it(`@imgur-auth/${pkg}: every module and export has @since, every export @category`, () => {
      const files = publicModules(pkg)
      expect(files.length).toBeGreaterThan(0)
      expect(report(files.flatMap(audit))).toEqual([])
    })
  }

  it("the audit finds what is missing", () => {
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "jsdoc-audit-"))
    try {
      const file = Path.join(dir, "Sample.ts")
      Fs.writeFileSync(
        file,
        [
          "/**",
          " * @since 0.1.0",
          " * @category models",
          " */",
          "export interface Documented {}",
          "",
          "/** No tags at all. */",
          "export const bare = 1, twin = 2",
          "",
          "/**",
          " * @since 0.1.0",
          " */",
          "export class Uncategorised {",
          "  /** @since 0.1.0 */",
          "  get value(): number { return 1 }",
          "  set value(_: number) {}",
          "  /** Documented, but with no version. */",
          "  static make(): void {}",
          "  readonly plain = 1",
          "  /** @internal */",
          "  hidden = 2",
          "  private secret = 3",
          "  #own = 4",
          "  constructor() {}",
          "}",
          "",
          "export type Undocumented = string",
          "",
          "const internal = 3",
          "",
          "/**",
          " * @since 0.1.0",
          " */",
          "export { internal }",
          ""
        ].join("\n")
      )
      expect(audit(file).map((f) => `${f.line} ${f.name}: ${f.problem}`)).toEqual([
        // The first export's JSDoc is its own: the module has no comment.
        "1 (module): no module comment with @since",
        "8 bare: no @since",
        "8 bare: no @category",
        "8 twin: no @since",
        "8 twin: no @category",
        "13 Uncategorised: no @category",
        "18 Uncategorised.make: no @since",
        "19 Uncategorised.plain: no @since",
        "27 Undocumented: no @since",
        "27 Undocumented: no @category"
      ])
    } finally {
      Fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
