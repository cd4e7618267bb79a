/**
 * Type-checks the `@example`s written on exported classes, which docgen
 * 0.5.2 leaves out (it checks those of modules, functions, constants,
 * interfaces, type aliases, namespaces and class methods, not of a class
 * itself). Each example is compiled as docgen compiles the others: with the
 * `examplesCompilerOptions` of its package's `docgen.json`, as a file of that
 * package's `docs/examples/` folder (held in memory, never written).
 *
 * Run with `tsx scripts/check-class-examples.ts` (`pnpm docgen` does).
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const root = fileURLToPath(new URL("..", import.meta.url))

interface Example {
  readonly file: string
  readonly source: string
  readonly origin: string
}

const fence = /```ts\n([\s\S]*?)```/g

/** The `@example` code blocks of the exported classes of one module. */
const classExamples = (file: string, examplesDir: string): ReadonlyArray<Example> => {
  const source = ts.createSourceFile(file, Fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true)
  const found: Array<Example> = []
  for (const statement of source.statements) {
    if (!ts.isClassDeclaration(statement) || statement.name === undefined) continue
    if (!(ts.getModifiers(statement) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue
    const name = statement.name.text
    for (const tag of ts.getJSDocTags(statement)) {
      if (tag.tagName.text !== "example") continue
      const text = ts.getTextOfJSDocComment(tag.comment) ?? ""
      for (const [, code] of text.matchAll(fence)) {
        const { line } = source.getLineAndCharacterOfPosition(tag.getStart())
        found.push({
          file: Path.join(examplesDir, `${Path.basename(file, ".ts")}-class-${name}-${found.length}.ts`),
          source: code ?? "",
          origin: `${Path.relative(root, file)}:${line + 1} (${name})`
        })
      }
    }
  }
  return found
}

const compilerOptions = (docgenJson: string, examplesDir: string): ts.CompilerOptions => {
  const raw: unknown = JSON.parse(Fs.readFileSync(docgenJson, "utf8"))
  const options = typeof raw === "object" && raw !== null && "examplesCompilerOptions" in raw
    ? raw.examplesCompilerOptions
    : {}
  const converted = ts.convertCompilerOptionsFromJson(options, examplesDir)
  if (converted.errors.length > 0) {
    throw new Error(`${docgenJson}: ${ts.flattenDiagnosticMessageText(converted.errors[0]?.messageText, "\n")}`)
  }
  // `paths` are relative to the examples folder, as in the tsconfig.json docgen writes there.
  return { ...converted.options, baseUrl: examplesDir, noEmit: true }
}

let checked = 0
const problems: Array<string> = []
for (const pkg of Fs.readdirSync(Path.join(root, "packages")).sort()) {
  const dir = Path.join(root, "packages", pkg)
  const docgenJson = Path.join(dir, "docgen.json")
  if (!Fs.existsSync(docgenJson)) continue
  const examplesDir = Path.join(dir, "docs", "examples")
  const examples = Fs.readdirSync(Path.join(dir, "src"))
    .filter((name) => name.endsWith(".ts"))
    .sort()
    .flatMap((name) => classExamples(Path.join(dir, "src", name), examplesDir))
  if (examples.length === 0) continue
  const options = compilerOptions(docgenJson, examplesDir)
  const byFile = new Map(examples.map((example) => [example.file, example]))
  const host = ts.createCompilerHost(options)
  const { fileExists, getSourceFile, readFile } = host
  host.fileExists = (file) => byFile.has(file) || fileExists(file)
  host.readFile = (file) => byFile.get(file)?.source ?? readFile(file)
  host.getSourceFile = (file, language, ...rest) => {
    const example = byFile.get(file)
    return example === undefined
      ? getSourceFile(file, language, ...rest)
      : ts.createSourceFile(file, example.source, language)
  }
  const program = ts.createProgram([...byFile.keys()], options, host)
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const example = diagnostic.file === undefined ? undefined : byFile.get(diagnostic.file.fileName)
    const where = example === undefined
      ? diagnostic.file?.fileName ?? pkg
      : `${example.origin}, example line ${
        diagnostic.file === undefined || diagnostic.start === undefined
          ? "?"
          : diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1
      }`
    problems.push(`${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`)
  }
  checked += examples.length
}

if (problems.length > 0) {
  process.stderr.write(`The @example of a class does not compile:\n${problems.join("\n")}\n`)
  process.exit(1)
}
process.stdout.write(`${checked} class example(s) compile\n`)
