/**
 * The demo's transcript: what it prints, and the check that no whole token
 * ever appears in it.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Net from "node:net"

/** A step that did not behave as it should. */
export class DemoFailure extends Data.TaggedError("DemoFailure")<{ readonly message: string }> {}

/** Fail the demo with `message` unless `condition` holds. */
export const check = (condition: boolean, message: string): Effect.Effect<void, DemoFailure> =>
  condition ? Effect.void : Effect.fail(new DemoFailure({ message }))

interface Service {
  readonly print: (text: string) => Effect.Effect<void>
  /** Remember a secret the demo saw, to check that the transcript never shows it. */
  readonly secret: (value: string) => Effect.Effect<void>
  readonly assertNoSecrets: Effect.Effect<void, DemoFailure>
}

export class Transcript extends Context.Tag("demo/Transcript")<Transcript, Service>() {
  static readonly Live = Layer.effect(
    Transcript,
    Effect.gen(function*() {
      const printed = yield* Ref.make<Array<string>>([])
      const secrets = yield* Ref.make(new Set<string>())
      const print = (text: string) =>
        Effect.zipRight(
          Ref.update(printed, (lines) => [...lines, text]),
          Effect.sync(() => void process.stdout.write(`${text}\n`))
        )
      return {
        print,
        secret: (value) => Ref.update(secrets, (set) => new Set(set).add(value)),
        assertNoSecrets: Effect.gen(function*() {
          const text = (yield* Ref.get(printed)).join("\n")
          const seen = yield* Ref.get(secrets)
          yield* check(seen.size >= 6, `only ${seen.size} distinct tokens were seen; the flows did not all run`)
          for (const value of seen) {
            yield* check(!text.includes(value), "a whole token appeared in the transcript")
          }
          yield* print(`  checked: none of the ${seen.size} tokens seen appears whole in this transcript`)
        })
      }
    })
  )
}

export const heading = (title: string): Effect.Effect<void, never, Transcript> =>
  Effect.flatMap(Transcript, (t) => Effect.zipRight(t.print(""), t.print(`▸ ${title}`)))

export const line = (text: string): Effect.Effect<void, never, Transcript> =>
  Effect.flatMap(Transcript, (t) => t.print(`  ${text}`))

/** Lines of a child's output, indented under a bar. */
export const quoted = (output: string): Effect.Effect<void, never, Transcript> =>
  Effect.forEach(output.trimEnd().split("\n"), (text) => line(`│ ${text}`), { discard: true })

export const secret = (value: string): Effect.Effect<void, never, Transcript> =>
  Effect.flatMap(Transcript, (t) => t.secret(value))

/** A token shortened to `abcd…wxyz`, the way imgur-auth prints it. */
export const fingerprint = (token: string): string =>
  token.length >= 16 ? `${token.slice(0, 4)}…${token.slice(-4)}` : `…(${token.length} characters)`

/** A port that was free a moment ago. */
export const freePort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})
