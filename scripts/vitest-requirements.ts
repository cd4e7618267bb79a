/**
 * A project's global setup: fails the run at once, one line per program of
 * `requirements.ts` that the project needs and the machine lacks, rather
 * than letting its tests fail one by one (or, worse, skip and read green).
 */
import type { TestProject } from "vitest/node"
import { isInstalled, missingLine, requirements } from "./requirements.js"

export default function setup(project: TestProject): void {
  const missing = requirements.filter((requirement) =>
    requirement.project === project.name && !isInstalled(requirement)
  )
  if (missing.length === 0) return
  const error = new Error(missing.map(missingLine).join("\n"))
  // The message is the whole story: no stack under it.
  error.stack = error.message
  throw error
}
