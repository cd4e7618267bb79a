/**
 * The grants of Imgur's token endpoint (`POST /oauth2/token`): what
 * `grant_type` each flow sends, and the form parameter that carries its
 * single-use value.
 *
 * ```
 * grant_type=authorization_code&code=CODE
 * grant_type=pin&pin=PIN
 * grant_type=refresh_token&refresh_token=TOKEN
 * ```
 *
 * @since 0.2.0
 */

/**
 * A `grant_type` Imgur's token endpoint takes.
 *
 * @since 0.2.0
 * @category models
 */
export type GrantType = "authorization_code" | "pin" | "refresh_token"

/**
 * Every grant type.
 *
 * @since 0.2.0
 * @category constants
 */
export const grantTypes: ReadonlyArray<GrantType> = ["authorization_code", "pin", "refresh_token"]

/**
 * The form parameter that carries each grant's value.
 *
 * @example
 * ```ts
 * import { Grant } from "@imgur-auth/core"
 *
 * Grant.parameter.authorization_code // "code"
 * ```
 *
 * @since 0.2.0
 * @category constants
 */
export const parameter: { readonly [G in GrantType]: "code" | "pin" | "refresh_token" } = {
  authorization_code: "code",
  pin: "pin",
  refresh_token: "refresh_token"
}

/**
 * Whether `value` is a grant type.
 *
 * @since 0.2.0
 * @category guards
 */
export const isGrantType = (value: string): value is GrantType => grantTypes.some((grantType) => grantType === value)
