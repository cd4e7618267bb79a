import type { ImgurAuthError } from "@imgur-auth/core"
import { ImgurAuth } from "@imgur-auth/http"
import * as Effect from "effect/Effect"

export type NextStep = "ask again" | "sign in again" | "fix the configuration" | "try later" | "report"

/** What to do about a failure, from its reason alone: the switch covers every reason there is. */
export const nextStep = (error: ImgurAuthError.ImgurAuthError): NextStep => {
  switch (error.reason) {
    case "InvalidPin":
      return "ask again"
    case "AccessDenied":
    case "StateMismatch":
    case "InvalidRedirect":
    case "MissingRefreshToken":
    case "ReauthorizationRequired":
      return "sign in again"
    case "MissingClientSecret":
    case "InvalidClient":
    case "InvalidConfiguration":
      return "fix the configuration"
    case "RateLimited":
    case "OverCapacity":
    case "ServerError":
    case "Transport":
    case "Timeout":
      return "try later"
    case "BadResponse":
    case "TokenStore":
    case "Disposed":
      return "report"
  }
}

/** A refresh whose failure says what happened and what to do; no message ever holds a token. */
export const refresh = Effect.flatMap(ImgurAuth, (auth) => auth.regenerateFromRefreshToken()).pipe(
  Effect.tapError((error) => Effect.logWarning(`refresh failed, ${nextStep(error)}: ${error.message}`))
)
