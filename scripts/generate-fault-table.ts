/**
 * Writes `docs/reliability/faults.md` from the fault matrix in
 * `packages/http/test/hardening/faultMatrix.ts`, the data the fault tests
 * assert. Run with `tsx --conditions=@imgur-auth/source scripts/generate-fault-table.ts`.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { faultsDocPath, render } from "../packages/http/test/hardening/faultTable.js"

const target = fileURLToPath(faultsDocPath)
Fs.mkdirSync(Path.dirname(target), { recursive: true })
Fs.writeFileSync(target, render())
process.stdout.write(`wrote ${Path.relative(process.cwd(), target)}\n`)
