/**
 * A deadline an `HttpClient` keeps itself, so that a timeout costs no fiber.
 *
 * `ImgurApiClient` and `ImgurAuth` fail a request that has not answered
 * within `ImgurConfig.timeout` with `Timeout`. Around any `HttpClient` they
 * race the request, run in a child fiber, against a timer: a fork and a hop
 * back on every request, for a timeout that almost never fires. A client
 * that says it keeps deadlines (`keeps`; `NodeUndiciClient` does) is given
 * one instead, with each request (`attach`), and fails what passes it with
 * an `Exceeded` cause, which they report as `Timeout`: no fiber, no step of
 * its own. Under a `TestClock`, or another clock than the live one, they
 * race as before, so tests move time as usual.
 *
 * @since 0.3.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Data from "effect/Data"
import { globalValue } from "effect/GlobalValue"
import * as Predicate from "effect/Predicate"

/**
 * A request's deadline: the time (Unix milliseconds, as `Date.now()`) by
 * which it must have answered, and whether reading the body of its response
 * must have ended by then too.
 *
 * @since 0.3.0
 * @category models
 */
export interface Deadline {
  readonly at: number
  readonly coversBody: boolean
}

const deadlines = globalValue(
  Symbol.for("@imgur-auth/http/RequestDeadline/deadlines"),
  () => new WeakMap<HttpClientRequest.HttpClientRequest, Deadline>()
)

/**
 * `request`, with `deadline` for a client that keeps deadlines (see
 * `keeps`); any other client sends it as it is. A deadline a timer cannot
 * hold (`at` not a finite time, or weeks away) never passes. The deadline is the
 * request object's: a request made from it (`setHeader`, …) has none, and
 * so has the one `HttpClient.make` hands its client when the platform's
 * tracer adds trace headers. Attach it for a client whose tracer is off for
 * the request (`HttpClient.withTracerDisabledWhen`), as `ImgurApiClient` and
 * `ImgurAuth` do.
 *
 * @since 0.3.0
 * @category combinators
 */
export const attach = <R extends HttpClientRequest.HttpClientRequest>(request: R, deadline: Deadline): R => {
  deadlines.set(request, deadline)
  return request
}

/**
 * The deadline `attach` gave `request`, if any.
 *
 * @since 0.3.0
 * @category getters
 */
export const get = (request: HttpClientRequest.HttpClientRequest): Deadline | undefined => deadlines.get(request)

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
    const at = new Date(this.deadline)
    return Number.isNaN(at.getTime())
      ? "the request did not answer by its deadline"
      : `the request did not answer by its deadline (${at.toISOString()})`
  }
}

/**
 * Whether `u` is an `Exceeded`.
 *
 * @since 0.3.0
 * @category guards
 */
export const isExceeded = (u: unknown): u is Exceeded => Predicate.isTagged(u, "RequestDeadlineExceeded")

/** A mark on objects, kept in one `WeakSet` per program (even with two copies of this module loaded). */
const objectMark = <A extends object>(name: string) => {
  const marked = globalValue(Symbol.for(`@imgur-auth/http/RequestDeadline/${name}`), () => new WeakSet<A>())
  return {
    add: <B extends A>(value: B): B => {
      marked.add(value)
      return value
    },
    has: (value: A): boolean => marked.has(value)
  }
}

const keepers = objectMark<HttpClient.HttpClient>("keepers")

/**
 * Marks `client` as one that keeps deadlines: it fails a request that has
 * not answered by the deadline `attach` gave it, and a body read that has
 * not ended by then when the deadline covers the body, with an `Exceeded`
 * cause. The mark is the client object's: a client made from it
 * (`HttpClient.mapRequest`, `withTracerDisabledWhen`…) is not marked, so
 * `ImgurApiClient` and `ImgurAuth` race requests through it as through any
 * other. (They read the mark of the service's own client, and send through
 * one made from it that keeps the request object as it is.)
 *
 * Mark only a client that does so: it reads `get` for each request and
 * fails with an `Exceeded` cause. A client marked that does not (the
 * platform's own clients do not) is never timed out: `ImgurConfig.timeout`
 * stops applying to the requests sent through it.
 *
 * @since 0.3.0
 * @category combinators
 */
export const keeps = <C extends HttpClient.HttpClient>(client: C): C => keepers.add(client)

/**
 * Whether `client` keeps deadlines (see `keeps`).
 *
 * @since 0.3.0
 * @category predicates
 */
export const isKept = (client: HttpClient.HttpClient): boolean => keepers.has(client)

const untracedRequests = objectMark<HttpClientRequest.HttpClientRequest>("untraced")

/**
 * `request`, marked as traced by its caller: a client that says it keeps
 * this mark (`keepsUntraced`) sends it without a span or trace headers of
 * its own, as the platform's client does for a request
 * `HttpClient.withTracerDisabledWhen` picks, but without a `FiberRef` set
 * around each request. Any other client sends it as it is, so callers that
 * mark their requests turn the tracer off for the requests of any other
 * client themselves. `ImgurApiClient` and `ImgurAuth`, which trace each
 * request as a span of their own, do both. Like a deadline, the mark is the
 * request object's. `NodeUndiciClient` aborts a marked request when the
 * fiber sending it is interrupted, not when a scope of
 * `HttpClient.withScope` closes: mark only requests that scope does not
 * hold.
 *
 * @since 0.3.0
 * @category combinators
 */
export const untraced = <R extends HttpClientRequest.HttpClientRequest>(request: R): R => untracedRequests.add(request)

/**
 * Whether `untraced` marked `request`.
 *
 * @since 0.3.0
 * @category predicates
 */
export const isUntraced = (request: HttpClientRequest.HttpClientRequest): boolean => untracedRequests.has(request)

const untracedKeepers = objectMark<HttpClient.HttpClient>("untracedKeepers")

/**
 * Marks `client` as one that keeps the mark of `untraced`: it sends a
 * marked request with no span and no trace headers of its own
 * (`NodeUndiciClient` does). `ImgurApiClient` and `ImgurAuth` then set no
 * `FiberRef` around their requests to turn its tracer off. Like `keeps`,
 * the mark is the client object's, and says nothing of deadlines: a client
 * may keep either, or both.
 *
 * @since 0.3.0
 * @category combinators
 */
export const keepsUntraced = <C extends HttpClient.HttpClient>(client: C): C => untracedKeepers.add(client)

/**
 * Whether `client` keeps the mark of `untraced` (see `keepsUntraced`).
 *
 * @since 0.3.0
 * @category predicates
 */
export const isUntracedKept = (client: HttpClient.HttpClient): boolean => untracedKeepers.has(client)
