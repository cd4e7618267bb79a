import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePlatformPath from "@effect/platform-node/NodePath"
import * as FileSystem from "@effect/platform/FileSystem"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { assert, describe, it } from "@effect/vitest"
import { TokenSet } from "@imgur-auth/core"
import * as TokenStore from "@imgur-auth/http/TokenStore"
import * as Chunk from "effect/Chunk"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as NodePath from "node:path"
import { accessTokenOf } from "../../http/test/utils/tokens.js"
import * as FileTokenStore from "../src/internal/fileTokenStore.js"
import * as NodeTokenStore from "../src/NodeTokenStore.js"
import { bundleFixture, spawnFixture } from "./utils/fixtures.js"

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

const encoded = (value: Option.Option<TokenSet.TokenSet>) => Option.map(value, Schema.encodeSync(TokenSet.TokenSet))

const withFileStore = <A, E, R>(
  options: NodeTokenStore.FileOptions | undefined,
  f: (store: TokenStore.Service) => Effect.Effect<A, E, R>
) => Effect.flatMap(TokenStore.TokenStore, f).pipe(Effect.provide(NodeTokenStore.layerFile(options)))

const captureWarnings = (warnings: Array<string>) =>
  Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ logLevel, message }) => {
      if (logLevel._tag === "Warning") warnings.push(Array.isArray(message) ? message.join(" ") : String(message))
    })
  )

describe("NodeTokenStore.layerFile", () => {
  it.scoped("keeps tokens in tokens.json, mode 0600 in a 0700 directory, for the next process to read", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = NodePath.join(yield* tempDirectory, "imgur-auth")
      const file = NodePath.join(directory, "tokens.json")
      yield* withFileStore({ directory }, (store) =>
        Effect.gen(function*() {
          assert.deepStrictEqual(yield* store.get, Option.none())
          const changes = yield* Effect.fork(Stream.runCollect(Stream.take(store.changes, 2)))
          yield* Effect.yieldNow()
          yield* store.set(tokens("first"))
          yield* store.set(tokens("second"))
          assert.deepStrictEqual(
            Chunk.toReadonlyArray(yield* Fiber.join(changes)).map(encoded),
            [encoded(Option.some(tokens("first"))), encoded(Option.some(tokens("second")))]
          )
        }))
      assert.strictEqual(yield* modeOf(directory), 0o700)
      assert.strictEqual(yield* modeOf(file), 0o600)
      assert.notInclude(yield* fs.readFileString(file), "first")
      // A new layer (another run of the program) reads what the last one wrote.
      const read = yield* withFileStore({ directory }, (store) => store.get)
      assert.deepStrictEqual(encoded(read), encoded(Option.some(tokens("second"))))
      yield* withFileStore({ directory }, (store) => store.clear)
      assert.isFalse(yield* fs.exists(file))
      assert.deepStrictEqual(yield* withFileStore({ directory }, (store) => store.get), Option.none())
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("uses the name it is given", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* tempDirectory
      yield* withFileStore({ directory, name: "work.json" }, (store) => store.set(tokens("work")))
      assert.deepStrictEqual(yield* fs.readDirectory(directory), ["work.json"])
      assert.strictEqual(NodeTokenStore.defaultName, "tokens.json")
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("lives under $XDG_CONFIG_HOME/imgur-auth when no directory is given", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const configHome = yield* tempDirectory
      yield* withFileStore(undefined, (store) => store.set(tokens("default"))).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["XDG_CONFIG_HOME", configHome]])))
      )
      assert.isTrue(yield* fs.exists(NodePath.join(configHome, "imgur-auth", "tokens.json")))
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("fails on a corrupt file with an error naming it, and leaves the file untouched", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* tempDirectory
      const file = NodePath.join(directory, "tokens.json")
      for (const content of ["{\"accessToken\": \"trunc", "{\"accessToken\": 42}", "[]", ""]) {
        yield* fs.writeFileString(file, content)
        const error = yield* Effect.flip(withFileStore({ directory }, (store) => store.get))
        assert.strictEqual(error._tag, "ImgurAuthError")
        assert.strictEqual(error.reason, "TokenStore")
        assert.include(error.detail ?? "", file)
        assert.include(error.message, file)
        assert.strictEqual(yield* fs.readFileString(file), content)
      }
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("moves a corrupt file aside with a warning before writing new tokens", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* tempDirectory
      const file = NodePath.join(directory, "tokens.json")
      const warnings: Array<string> = []
      yield* fs.writeFileString(file, "{ not json")
      yield* withFileStore({ directory }, (store) =>
        Effect.gen(function*() {
          yield* store.set(tokens("after-corruption"))
          assert.deepStrictEqual(encoded(yield* store.get), encoded(Option.some(tokens("after-corruption"))))
        })).pipe(Effect.provide(captureWarnings(warnings)))
      // TestClock: the epoch millis are 0.
      const aside = `${file}.corrupt-0`
      assert.strictEqual(yield* fs.readFileString(aside), "{ not json")
      assert.strictEqual(warnings.length, 1)
      assert.include(warnings[0], aside)
      assert.notInclude(warnings[0], "not json")

      // A second corruption at the same instant does not overwrite the first one kept aside.
      yield* fs.writeFileString(file, "[]")
      yield* withFileStore({ directory }, (store) => store.set(tokens("again"))).pipe(
        Effect.provide(captureWarnings(warnings))
      )
      assert.strictEqual(yield* fs.readFileString(aside), "{ not json")
      assert.strictEqual(yield* fs.readFileString(`${aside}-1`), "[]")
      assert.strictEqual(warnings.length, 2)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("never replaces a token file it cannot read", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* tempDirectory
      const file = NodePath.join(directory, "tokens.json")
      yield* fs.makeDirectory(file)
      yield* fs.writeFileString(NodePath.join(file, "inside"), "keep me")
      const error = yield* Effect.flip(withFileStore({ directory }, (store) => store.set(tokens("x"))))
      assert.strictEqual(error.reason, "TokenStore")
      assert.include(error.message, file)
      assert.strictEqual(yield* fs.readFileString(NodePath.join(file, "inside")), "keep me")
      assert.deepStrictEqual(yield* fs.readDirectory(directory), ["tokens.json"])
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})

describe("NodeTokenStore.layerFile shared by two stores", () => {
  // Two stores on one file stand for two processes. A read of the reader's is
  // held after it has read the file (the old tokens), while the writer stores
  // new ones under the lock; then the reader reads under the lock. That read
  // must begin after the lock was taken, a read of the file of its own, and
  // see the new tokens: joining the read begun before the lock would give it
  // the old ones, and its refresh would be made a second time.
  it.scopedLive("a read under the lock never joins a read begun before it", () =>
    Effect.gen(function*() {
      const directory = yield* tempDirectory
      const fs = yield* FileSystem.FileSystem
      const firstReadDone = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      let reads = 0
      // The reader's file system: its first read of the file waits for `release`, which
      // its next read gives at once (or, should no next read come, a second later).
      const held: FileSystem.FileSystem = {
        ...fs,
        readFileString: (path, encoding) =>
          Effect.suspend(() => {
            reads++
            if (reads === 1) {
              return Effect.zipLeft(
                fs.readFileString(path, encoding),
                Effect.zipRight(Deferred.succeed(firstReadDone, undefined), Deferred.await(release))
              )
            }
            return Effect.zipRight(Deferred.succeed(release, undefined), fs.readFileString(path, encoding))
          })
      }
      const writer = Context.get(yield* Layer.build(NodeTokenStore.layerFile({ directory })), TokenStore.TokenStore)
      const reader = yield* FileTokenStore.make({ directory }).pipe(
        Effect.provide(Layer.merge(Layer.succeed(FileSystem.FileSystem, held), NodePlatformPath.layer))
      )
      yield* writer.set(tokens("old"))
      const before = yield* Effect.fork(reader.get)
      yield* Deferred.await(firstReadDone)
      yield* writer.withLock(writer.set(tokens("new")))
      yield* Effect.forkScoped(Effect.delay(Deferred.succeed(release, undefined), "1 second"))
      const underLock = yield* reader.withLock(reader.get)
      assert.strictEqual(accessTokenOf(underLock), "new")
      assert.strictEqual(reads, 2)
      // The read begun before the lock still answers what it read.
      const early = yield* Fiber.join(before)
      assert.strictEqual(accessTokenOf(early), "old")
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})

describe("NodeTokenStore.layerFile under SIGKILL", () => {
  // 5 writers at a time on one file, each killed at a random moment of its
  // write loop, 50 kills in all; after every kill (while the other writers go
  // on) the file holds one whole token set.
  it.scopedLive("leaves the old tokens or the new ones, never a torn file", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* tempDirectory
      const writerScript = yield* bundleFixture("tokenWriter.ts")
      const lanes = 5
      const killsPerLane = 10
      const observed = yield* Effect.forEach(
        Array.from({ length: lanes }, (_, lane) => lane),
        () =>
          Effect.forEach(
            Array.from({ length: killsPerLane }, (_, kill) => kill),
            () =>
              Effect.scoped(Effect.gen(function*() {
                const writer = yield* spawnFixture(writerScript, [directory])
                yield* writer.waitFor("ready")
                yield* Effect.sleep(yield* Random.nextIntBetween(5, 61))
                yield* writer.kill
                const stored = yield* withFileStore({ directory }, (store) => store.get)
                assert.isTrue(Option.isSome(stored))
                return Option.isSome(stored) ? stored.value.accountUsername : Option.none()
              }))
          ),
        { concurrency: lanes }
      )
      assert.strictEqual(observed.flat().length, lanes * killsPerLane)
      assert.isTrue(observed.flat().every((username) => Option.getOrNull(username) === "writer"))
      // A store made after the last kill removes what the killed writers left:
      // only the file remains (and a temporary file only of a pid that, by
      // chance, a live process has taken again).
      yield* withFileStore({ directory }, (store) => store.get)
      const names = yield* fs.readDirectory(directory)
      const alive = (pid: number) => {
        try {
          process.kill(pid, 0)
          return true
        } catch {
          return false
        }
      }
      const leftovers = names.filter((name) => name !== "tokens.json")
      assert.isTrue(
        leftovers.every((name) => {
          const pid = /^\.tokens\.json\.(\d+)\.[0-9a-z]+\.tmp$/.exec(name)?.[1]
          return pid !== undefined && alive(Number(pid))
        }),
        names.join(", ")
      )
    }).pipe(Effect.provide(NodeFileSystem.layer)), 60_000)
})
