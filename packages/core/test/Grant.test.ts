import { describe, expect, it } from "@effect/vitest"
import { Grant } from "@imgur-auth/core"

describe("Grant", () => {
  it("names the form parameter of each grant as Imgur's token endpoint takes it", () => {
    expect(Grant.grantTypes.map((grantType) => [grantType, Grant.parameter[grantType]])).toEqual([
      ["authorization_code", "code"],
      ["pin", "pin"],
      ["refresh_token", "refresh_token"]
    ])
  })

  it("tells a grant type from any other string", () => {
    expect(Grant.grantTypes.every(Grant.isGrantType)).toBe(true)
    expect(["", "password", "client_credentials", "PIN", "code"].some(Grant.isGrantType)).toBe(false)
  })
})
