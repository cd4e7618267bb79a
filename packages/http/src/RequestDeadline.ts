/**
 * A deadline an `HttpClient` keeps itself, so that a timeout costs no fiber.
 *
 * `ImgurApiClient` and `ImgurAuth` fail a request that has not answered
 * within `ImgurConfig.timeout` with `Timeout`. Around any `HttpClient` they
 * race the request against the `Clock` in a fiber of its own: a fork and a
 * hop back, on every request, for a timeout that almost never fires. A client
 * that says it keeps deadlines (`keeps`; `NodeUndiciClient` does) is given
 * one instead, in `current`, and fails what passes it with an `Exceeded`
 * cause, which they report as `Timeout`. Under a `TestClock`, or another
 * clock than the live one, they race as before, so tests move time as usual.
 *
 * @since 0.3.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Data from "effect/Data"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
import * as Predicate from "effect/Predicate"

/**
 * The time (Unix milliseconds, as `Date.now()`) by which the requests sent in
 * this region must have answered: their headers, and the body of any
 * response read in the region too. `undefined`, the default, for none.
 *
 * @since 0.3.0
 * @category fiber refs
 */
export const current: FiberRef.FiberRef<number | undefined> = globalValue(
  Symbol.for("@imgur-auth/http/RequestDeadline/current"),
  () => FiberRef.unsafeMake<number | undefined>(undefined)
)

/**
 * What a client that keeps deadlines fails with (as the `cause` of its
 * `RequestError` or `ResponseError`) when one passes.
 *
 * @since 0.3.0
 * @category errors
 */
export class Exceeded extends Data.TaggedError("RequestDeadlineExceeded")<{ readonly deadline: number }> {
  /**
   * @since 0.3.0
   */
  override get message(): string {
    return `the request did not answer by its deadline (${new Date(this.deadline).toISOString()})`
  }
}

/**
 * Whether `u` is an `Exceeded`.
 *
 * @since 0.3.0
 * @category guards
 */
export const isExceeded = (u: unknown): u is Exceeded => Predicate.isTagged(u, "RequestDeadlineExceeded")

const keepers = globalValue(Symbol.for("@imgur-auth/http/RequestDeadline/keepers"), () => new WeakSet<object>())

/**
 * Marks `client` as one that keeps `current`: it fails a request that has
 * not answered by the deadline, and a body read in the region that has not
 * ended by then, with an `Exceeded` cause. A client made from it
 * (`HttpClient.mapRequest`, `withTracerDisabledWhen`…) is not marked, and is
 * raced as any other.
 *
 * @since 0.3.0
 * @category constructors
 */
export const keeps = <C extends HttpClient.HttpClient>(client: C): C => {
  keepers.add(client)
  return client
}

/**
 * Whether `client` keeps deadlines (see `keeps`).
 *
 * @since 0.3.0
 * @category guards
 */
export const isKept = (client: HttpClient.HttpClient): boolean => keepers.has(client)
