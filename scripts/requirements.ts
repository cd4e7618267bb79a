/**
 * The programs of the machine that the tests need, beyond Node and the
 * packages: one list, read by the test command (`bash scripts/test.sh`,
 * which installs what is missing from Debian's packages) and by vitest
 * (`scripts/vitest-requirements.ts`, which fails a run in one line per
 * missing program, naming the package to install).
 *
 * `node --import tsx scripts/requirements.ts missing` prints the Debian
 * packages of the missing programs, one a line.
 */
import { accessSync, constants } from "node:fs"
import { delimiter, join } from "node:path"

export interface Requirement {
  /** The vitest project that needs it. */
  readonly project: string
  /** An absolute path, or a command looked up on the PATH. */
  readonly program: string
  /** The Debian package that provides it. */
  readonly debianPackage: string
  readonly neededFor: string
}

export const requirements: ReadonlyArray<Requirement> = [
  {
    project: "browser",
    program: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium",
    debianPackage: "chromium",
    neededFor: "the browser tests drive Debian's Chromium"
  },
  {
    project: "redis",
    program: "redis-server",
    debianPackage: "redis-server",
    neededFor: "the Redis store is tested against a real Redis, started by the tests"
  },
  {
    project: "node",
    program: "redis-server",
    debianPackage: "redis-server",
    neededFor: "several processes share one account through Redis in the node tests"
  },
  {
    project: "node",
    program: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium",
    debianPackage: "chromium",
    neededFor: "two users link their accounts at once in examples/webapp, in Chromium"
  },
  {
    project: "sql",
    program: `${process.env["POSTGRES_BIN"] ?? "/usr/lib/postgresql/15/bin"}/initdb`,
    debianPackage: "postgresql",
    neededFor: "the SQL store is tested against a real PostgreSQL 15, started by the tests"
  }
]

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

export const isInstalled = (requirement: Requirement): boolean =>
  requirement.program.startsWith("/")
    ? executable(requirement.program)
    : (process.env["PATH"] ?? "").split(delimiter).some((dir) =>
      dir !== "" && executable(join(dir, requirement.program))
    )

/** The one line that says what is missing and how to get it. */
export const missingLine = (requirement: Requirement): string =>
  `${requirement.program} is missing (${requirement.neededFor}): apt-get install -y ${requirement.debianPackage}, ` +
  `or run bash scripts/test.sh, which installs it`

if (process.argv[2] === "missing") {
  const packages = new Set(requirements.filter((requirement) => !isInstalled(requirement)).map((r) => r.debianPackage))
  for (const name of packages) console.log(name)
}
