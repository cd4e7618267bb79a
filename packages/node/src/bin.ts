/**
 * The `imgur-auth` command-line tool: `login`, `refresh`, `status`,
 * `logout`. Run `imgur-auth --help`.
 *
 * @since 0.1.0
 */
import { run } from "./internal/cli/main.js"

run(process.argv)
