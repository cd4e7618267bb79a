import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePathLayer from "@effect/platform-node/NodePath"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as TokenCodec from "@imgur-auth/http/TokenCodec"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as NodePath from "node:path"
import { suite } from "../../http/test/utils/accountStoreSuite.js"
import { accessTokenOf, makeTokenSet } from "../../http/test/utils/tokens.js"
import * as NodeAccountStore from "../src/NodeAccountStore.js"

const key = Redacted.make("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")

/** A directory store in a fresh temporary directory, removed with the layer. */
const inTempDirectory = (options: Omit<NodeAccountStore.DirectoryOptions, "directory"> = {}) =>
  Layer.unwrapScoped(
    Effect.map(
      Effect.orDie(Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped())),
      (directory) => NodeAccountStore.layerDirectory({ ...options, directory })
    )
  ).pipe(Layer.provide(NodeFileSystem.layer))

suite("directory of token files", inTempDirectory(), { propertyRuns: 10 })
suite(
  "directory of token files, encrypted",
  Layer.unwrapEffect(Effect.map(TokenCodec.make(key), (codec) => inTempDirectory({ codec }))),
  { propertyRuns: 5 }
)

describe("NodeAccountStore.layerDirectory", () => {
  it.scoped("one owner-only file per account under tokens/, named by the key or by its hash; no key names another's files", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* fs.makeTempDirectoryScoped()
      const accounts = yield* NodeAccountStore.makeDirectory({ directory })
      yield* (yield* accounts.tokenStore("user-1")).set(makeTokenSet("first"))
      yield* (yield* accounts.tokenStore("..")).set(makeTokenSet("dots"))
      const names = (yield* fs.readDirectory(NodePath.join(directory, "tokens"))).filter((name) =>
        !name.endsWith(".lock")
      )
      assert.include(names, "u-user-1")
      assert.isTrue(names.some((name) => /^h-[0-9a-f]{64}$/.test(name)), names.join(", "))
      assert.strictEqual((yield* fs.stat(NodePath.join(directory, "tokens", "u-user-1"))).mode & 0o777, 0o600)
      assert.strictEqual(accessTokenOf(yield* (yield* accounts.tokenStore("..")).get), "dots")
      // Keys shaped like the store's own files, or differing by case only, name files of their own.
      const lookalikes = ["user-1.lock", "user-1.corrupt-1", ".user-1.1.a.tmp", "User-1", "USER-1", "u-user-1"]
      for (const [n, key] of lookalikes.entries()) {
        yield* (yield* accounts.tokenStore(key)).set(makeTokenSet(`lookalike-${n}`))
      }
      // Signing one out removes its leftovers, and no other key's file.
      yield* (yield* accounts.tokenStore("user-1")).clear
      assert.isTrue(Option.isNone(yield* (yield* accounts.tokenStore("user-1")).get))
      for (const [n, key] of lookalikes.entries()) {
        assert.strictEqual(accessTokenOf(yield* (yield* accounts.tokenStore(key)).get), `lookalike-${n}`, key)
      }
    }).pipe(Effect.provide(Layer.merge(NodeFileSystem.layer, NodePathLayer.layer))))

  it.scoped("with an encryption key, no file holds a token in the clear", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* fs.makeTempDirectoryScoped()
      const accounts = yield* NodeAccountStore.makeDirectory({ directory, codec: yield* TokenCodec.make(key) })
      yield* (yield* accounts.tokenStore("alice")).set(makeTokenSet("secret-access-value"))
      const text = yield* fs.readFileString(NodePath.join(directory, "tokens", "u-alice"))
      assert.notInclude(text, "secret-access-value")
      assert.notInclude(text, "refresh-secret-access-value")
      // Read with the wrong key: a typed error, and the file stays.
      const wrong = yield* NodeAccountStore.makeDirectory({
        directory,
        codec: yield* TokenCodec.make(Redacted.make("f".repeat(64)))
      })
      const error = yield* Effect.flip((yield* wrong.tokenStore("alice")).get)
      assert.strictEqual(error.reason, "TokenStore")
      assert.strictEqual(yield* fs.readFileString(NodePath.join(directory, "tokens", "u-alice")), text)
      assert.isTrue(Option.isSome(yield* (yield* accounts.tokenStore("alice")).get))
    }).pipe(Effect.provide(Layer.merge(NodeFileSystem.layer, NodePathLayer.layer))))
})
