/**
 * Imgur OAuth2 for Effect with many accounts in SQL: an `AccountStore` over
 * any `SqlClient` of `@effect/sql`, SQLite embedded by default, PostgreSQL
 * in production, with a lease per account around every refresh and a
 * version column for fencing.
 *
 * The drivers are optional: `@imgur-auth/sql/Sqlite` (`layerSqlite`, over
 * `@effect/sql-sqlite-node`) and `@imgur-auth/sql/Pg` (`layerPg`, over
 * `@effect/sql-pg`) are imported by path, so an app installs only the one
 * it uses, or neither when it provides its own `SqlClient`.
 *
 * @since 0.2.0
 */

/**
 * @since 0.2.0
 */
export * as SqlAccountStore from "./SqlAccountStore.js"
