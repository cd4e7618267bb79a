import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as NodePath from "node:path"
import * as NodeTokenStore from "../src/NodeTokenStore.js"

const tempDirectory = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped())

const modeOf = (path: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => Effect.map(fs.stat(path), (info) => info.mode & 0o777))

const withStore = <A, E, R>(directory: string, f: (store: KeyValueStore.KeyValueStore) => Effect.Effect<A, E, R>) =>
  Effect.flatMap(KeyValueStore.KeyValueStore, f).pipe(Effect.provide(NodeTokenStore.layerKeyValueStore(directory)))

describe("NodeTokenStore.layerKeyValueStore", () => {
  it.scoped("round-trips values through files named after their keys", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = NodePath.join(yield* tempDirectory, "store")
      yield* withStore(directory, (store) =>
        Effect.gen(function*() {
          assert.deepStrictEqual(yield* store.get("a key/with slash"), Option.none())
          yield* store.set("a key/with slash", "first")
          yield* store.set("a key/with slash", "second")
          yield* store.set("bytes", new Uint8Array([1, 2, 3]))
          assert.deepStrictEqual(yield* store.get("a key/with slash"), Option.some("second"))
          assert.deepStrictEqual(yield* store.getUint8Array("bytes"), Option.some(new Uint8Array([1, 2, 3])))
          assert.strictEqual(yield* store.size, 2)
          assert.isTrue(yield* store.has("bytes"))
          yield* store.remove("bytes")
          yield* store.remove("bytes")
          assert.isFalse(yield* store.has("bytes"))
          assert.strictEqual(yield* store.size, 1)
        }))
      assert.deepStrictEqual(yield* fs.readDirectory(directory), ["a%20key%2Fwith%20slash"])
      assert.strictEqual(yield* fs.readFileString(NodePath.join(directory, "a%20key%2Fwith%20slash")), "second")
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("creates the directory with mode 0700 on the first write and the files with mode 0600", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = NodePath.join(yield* tempDirectory, "nested", "store")
      yield* withStore(directory, (store) => store.get("tokens.json"))
      assert.isFalse(yield* fs.exists(directory), "a read leaves no trace")
      yield* withStore(directory, (store) => store.set("tokens.json", "{}"))
      assert.strictEqual(yield* modeOf(directory), 0o700)
      assert.strictEqual(yield* modeOf(NodePath.join(directory, "tokens.json")), 0o600)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("leaves a directory that exists as it is, and keeps the file mode 0600 on every write", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* tempDirectory
      yield* fs.chmod(directory, 0o755)
      const file = NodePath.join(directory, "tokens.json")
      yield* fs.writeFileString(file, "old", { mode: 0o644 })
      yield* fs.chmod(file, 0o644)
      yield* withStore(directory, (store) => store.set("tokens.json", "new"))
      assert.strictEqual(yield* modeOf(directory), 0o755)
      assert.strictEqual(yield* modeOf(file), 0o600)
      assert.strictEqual(yield* fs.readFileString(file), "new")
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("leaves no temporary file behind, even with many concurrent writers", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* tempDirectory
      const values = Array.from({ length: 50 }, (_, i) => `value ${i}`)
      const last = yield* withStore(directory, (store) =>
        Effect.zipRight(
          Effect.forEach(values, (value) => store.set("tokens.json", value), { concurrency: "unbounded" }),
          store.get("tokens.json")
        ))
      assert.isTrue(Option.isSome(last) && values.includes(last.value))
      assert.deepStrictEqual(yield* fs.readDirectory(directory), ["tokens.json"])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("clear removes the entries and keeps the directory", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* tempDirectory
      yield* withStore(directory, (store) =>
        Effect.gen(function*() {
          yield* store.set("a", "1")
          yield* store.set("b", "2")
          yield* store.clear
          assert.strictEqual(yield* store.size, 0)
          assert.isTrue(yield* store.isEmpty)
        }))
      assert.isTrue(yield* fs.exists(directory))
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("rejects keys that are not file names", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(withStore("/nonexistent-imgur-auth", (store) => store.set("..", "x")))
      assert.strictEqual(error._tag, "BadArgument")
    }))
})

describe("NodeTokenStore.defaultDirectory", () => {
  const withEnv = (env: Record<string, string>) =>
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

  it.effect("is imgur-auth under XDG_CONFIG_HOME", () =>
    Effect.gen(function*() {
      const directory = yield* NodeTokenStore.defaultDirectory.pipe(
        withEnv({ XDG_CONFIG_HOME: "/srv/config", HOME: "/home/someone" })
      )
      assert.strictEqual(directory, "/srv/config/imgur-auth")
    }))

  it.effect("is ~/.config/imgur-auth when XDG_CONFIG_HOME is unset, empty or relative", () =>
    Effect.gen(function*() {
      for (const configHome of [undefined, "", "relative/config"]) {
        const env: Record<string, string> = configHome === undefined
          ? { HOME: "/home/someone" }
          : { XDG_CONFIG_HOME: configHome, HOME: "/home/someone" }
        assert.strictEqual(
          yield* NodeTokenStore.defaultDirectory.pipe(withEnv(env)),
          "/home/someone/.config/imgur-auth"
        )
      }
    }))
})
