/**
 * A token file leaves nothing behind: temporary files of writers that were
 * killed mid-write are removed when a store is made (and all of them when it
 * is cleared), as are the corrupt files kept aside; and a token directory
 * that others may write in is pointed out once.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { assert, describe, it } from "@effect/vitest"
import { TokenSet } from "@imgur-auth/core"
import * as TokenStore from "@imgur-auth/http/TokenStore"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as ChildProcess from "node:child_process"
import * as NodePath from "node:path"
import * as NodeTokenStore from "../src/NodeTokenStore.js"

const tempDirectory = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped())

const tokens = (access: string) =>
  new TokenSet.TokenSet({
    accessToken: Redacted.make(access),
    refreshToken: Option.some(Redacted.make(`refresh-of-${access}`)),
    expiresAt: DateTime.unsafeMake(1_900_000_000_000),
    tokenType: "bearer",
    scope: Option.none(),
    accountId: Option.some("4118974"),
    accountUsername: Option.some("someone")
  })

const withFileStore = <A, E, R>(directory: string, f: (store: TokenStore.Service) => Effect.Effect<A, E, R>) =>
  Effect.flatMap(TokenStore.TokenStore, f).pipe(Effect.provide(NodeTokenStore.layerFile({ directory })))

const listing = (directory: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => Effect.map(fs.readDirectory(directory), (names) => [...names].sort()))

/** The pid of a Node process that was started, killed with SIGKILL, and has exited. */
const deadPid = Effect.async<number>((resume) => {
  const child = ChildProcess.spawn(process.execPath, ["-e", "setInterval(() => {}, 60000)"], { stdio: "ignore" })
  child.once("spawn", () => child.kill("SIGKILL"))
  child.once("exit", () => resume(Effect.succeed(child.pid ?? 0)))
})

// Above the largest pid_max Linux allows (2^22): no process can have it.
const impossiblePid = 4_194_305

const captureWarnings = (warnings: Array<string>) =>
  Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ logLevel, message }) => {
      if (logLevel._tag === "Warning") warnings.push(Array.isArray(message) ? message.join(" ") : String(message))
    })
  )

describe("NodeTokenStore.layerFile leaves nothing behind", () => {
  it.scoped("removes, when it is made, the temporary files of writers that are gone, and keeps a live writer's", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* tempDirectory
      const dead = yield* deadPid
      assert.isAbove(dead, 0)
      yield* withFileStore(directory, (store) => store.set(tokens("kept")))
      const stale = [
        `.tokens.json.${dead}.k2x9.tmp`,
        `.tokens.json.${impossiblePid}.1.tmp`,
        `.work.json.${dead}.abc.tmp`
      ]
      const kept = [`.tokens.json.${process.pid}.live.tmp`, ".notes.tmp", "notes.txt"]
      for (const name of [...stale, ...kept]) {
        yield* fs.writeFileString(NodePath.join(directory, name), "{\"accessToken\":\"a whole token set\"}")
      }
      const stored = yield* withFileStore(directory, (store) => store.get)
      assert.deepStrictEqual(Option.map(stored, (t) => Redacted.value(t.accessToken)), Option.some("kept"))
      assert.deepStrictEqual(yield* listing(directory), [...kept, "tokens.json"].sort())
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("layerKeyValueStore does the same when it is made", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* tempDirectory
      yield* fs.writeFileString(NodePath.join(directory, `.a.${impossiblePid}.z.tmp`), "value")
      yield* fs.writeFileString(NodePath.join(directory, `.a.${process.pid}.z.tmp`), "value")
      yield* Effect.flatMap(KeyValueStore.KeyValueStore, (store) => store.size).pipe(
        Effect.provide(NodeTokenStore.layerKeyValueStore(directory))
      )
      assert.deepStrictEqual(yield* listing(directory), [`.a.${process.pid}.z.tmp`])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("clear removes the file, all its temporary files (a live writer's too) and the corrupt files kept aside", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* tempDirectory
      const others = ["work.json", `.work.json.${process.pid}.b.tmp`, "tokens.json.bak"]
      for (const name of others) yield* fs.writeFileString(NodePath.join(directory, name), "not ours to remove")
      yield* withFileStore(directory, (store) =>
        Effect.gen(function*() {
          yield* store.set(tokens("first"))
          for (
            const name of [`.tokens.json.${process.pid}.a1.tmp`, "tokens.json.corrupt-0", "tokens.json.corrupt-0-1"]
          ) {
            yield* fs.writeFileString(NodePath.join(directory, name), "{\"accessToken\":\"a token\"}")
          }
          yield* store.clear
          assert.deepStrictEqual(yield* store.get, Option.none())
        }))
      assert.deepStrictEqual(yield* listing(directory), [...others].sort())
      // Clearing what is already clear is fine.
      yield* withFileStore(directory, (store) => store.clear)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("layerKeyValueStore's clear removes the temporary files too", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* tempDirectory
      yield* Effect.flatMap(KeyValueStore.KeyValueStore, (store) =>
        Effect.gen(function*() {
          yield* store.set("a", "1")
          yield* fs.writeFileString(NodePath.join(directory, `.a.${process.pid}.c.tmp`), "2")
          yield* store.clear
        })).pipe(Effect.provide(NodeTokenStore.layerKeyValueStore(directory)))
      assert.deepStrictEqual(yield* listing(directory), [])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a corrupt file set aside is readable by its owner only, whatever its mode was", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* tempDirectory
      const file = NodePath.join(directory, "tokens.json")
      yield* fs.writeFileString(file, "{ not json")
      yield* fs.chmod(file, 0o644)
      yield* withFileStore(directory, (store) => store.set(tokens("new"))).pipe(
        Effect.provide(captureWarnings([]))
      )
      const aside = yield* fs.stat(`${file}.corrupt-0`)
      assert.strictEqual(aside.mode & 0o777, 0o600)
      assert.strictEqual(yield* fs.readFileString(`${file}.corrupt-0`), "{ not json")
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})

describe("NodeTokenStore.layerFile in a directory others can write in", () => {
  for (
    const [mode, who] of [[0o775, "its group"], [0o757, "others"], [0o1777, "its group and others"]] as const
  ) {
    it.scoped(`warns once, naming the directory (mode ${mode.toString(8)})`, () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const directory = NodePath.join(yield* tempDirectory, "shared")
        yield* fs.makeDirectory(directory)
        yield* fs.chmod(directory, mode)
        const warnings: Array<string> = []
        yield* withFileStore(directory, (store) =>
          Effect.gen(function*() {
            yield* store.get
            yield* store.set(tokens("one"))
            yield* store.set(tokens("two"))
            yield* store.get
          })).pipe(Effect.provide(captureWarnings(warnings)))
        assert.strictEqual(warnings.length, 1, warnings.join("\n"))
        assert.include(warnings[0], directory)
        assert.include(warnings[0], `can be written by ${who}`)
        assert.include(warnings[0], "chmod 700")
        assert.notInclude(warnings[0], "one")
      }).pipe(Effect.provide(NodeFileSystem.layer)))
  }

  it.scoped("says nothing of a private directory, nor of one it creates itself", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const parent = yield* tempDirectory
      yield* fs.chmod(parent, 0o755)
      const created = NodePath.join(parent, "new")
      const warnings: Array<string> = []
      for (const directory of [parent, created]) {
        yield* withFileStore(directory, (store) => Effect.zipRight(store.set(tokens("x")), store.get)).pipe(
          Effect.provide(captureWarnings(warnings))
        )
      }
      assert.deepStrictEqual(warnings, [])
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
