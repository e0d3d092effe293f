// Server-rendered HTML. `html` escapes every interpolated value; nested `html` fragments pass as is.
// Tokens never reach a view: rows carry the subject, scopes and expiry only.
import { html } from "hono/html";

const STYLE = html`<style>
  :root { color-scheme: light; font-family: system-ui, "DejaVu Sans", sans-serif; color: #1d2330; }
  body { margin: 0 auto; max-width: 1100px; padding: 24px; background: #f6f7f9; }
  h1 { margin: 0 0 4px; font-size: 1.6rem; }
  h2 { margin: 28px 0 10px; font-size: 1.15rem; }
  p.lead { margin: 0 0 16px; color: #4a5365; }
  .flash { padding: 10px 14px; border-radius: 6px; margin: 12px 0; border: 1px solid; }
  .flash.ok { background: #e8f6ec; border-color: #7cc592; }
  .flash.error { background: #fdecec; border-color: #e08b8b; }
  .providers { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 12px; }
  .card { background: #fff; border: 1px solid #dde1e8; border-radius: 8px; padding: 12px 14px; }
  .card h3 { margin: 0 0 6px; font-size: 1rem; }
  .card p { margin: 0 0 10px; font-size: 0.85rem; color: #4a5365; min-height: 3.4em; }
  .button { display: inline-block; font: inherit; font-size: 0.9rem; padding: 5px 12px; border-radius: 6px;
    border: 1px solid #2f5bd3; background: #2f5bd3; color: #fff; text-decoration: none; cursor: pointer; }
  .button.secondary { background: #fff; color: #2f5bd3; }
  .button.danger { background: #fff; color: #b42318; border-color: #b42318; }
  table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid #dde1e8; }
  th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid #e7e9ee; font-size: 0.9rem;
    vertical-align: top; }
  th { background: #eef0f4; }
  td.actions { white-space: nowrap; }
  td.actions form { display: inline; }
  code { font-size: 0.85rem; white-space: nowrap; }
  .muted { color: #6b7385; font-size: 0.85rem; }
  .consent { max-width: 460px; margin: 60px auto; background: #fff; border: 1px solid #dde1e8;
    border-radius: 10px; padding: 24px; }
  .consent form { display: inline; margin-right: 8px; }
</style>`;

/**
 * @param {{ title: string, body: unknown }} page
 */
function layout({ title, body }) {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
    ${STYLE}
  </head>
  <body>
    ${body}
  </body>
</html>`;
}

/**
 * The home page: providers with Connect buttons, then the connected accounts.
 *
 * @param {object} input
 * @param {Array<{ id: string, name: string, note?: string, refresh: boolean, revoke: boolean, available: boolean }>} input.providers
 * @param {Array<import("./app.mjs").Connection & { token: import("@partner-oauth/core").TokenData }>} input.rows
 * @param {{ kind: "ok" | "error", text: string } | undefined} input.message
 * @param {number} input.now
 * @param {Array<{ provider: string, account: string, subject: string, at: number }>} [input.disconnected]
 *   Accounts whose grant the provider revoked (a verified webhook notice removed it).
 */
export function renderPage({ providers, rows, message, now, disconnected = [] }) {
  const byId = Object.fromEntries(providers.map((p) => [p.id, p]));
  const flash = message
    ? html`<div class="flash ${message.kind === "ok" ? "ok" : "error"}" role="status" data-testid="flash"
        data-kind="${message.kind}">${message.text}</div>`
    : "";
  const cards = providers.map(
    (p) => html`<div class="card" data-testid="provider" data-provider="${p.id}">
      <h3>${p.name}</h3>
      <p>${p.note ?? ""}</p>
      ${
        p.available
          ? html`<a class="button" href="/connect/${p.id}" data-testid="connect-${p.id}">Connect</a>`
          : html`<span class="muted">mock not running</span>`
      }
    </div>`,
  );
  const table =
    rows.length === 0
      ? html`<p class="muted" data-testid="no-accounts">No connected accounts yet.</p>`
      : html`<table data-testid="accounts">
          <thead>
            <tr>
              <th>Provider</th><th>Account</th><th>Subject</th><th>Scopes</th><th>Expiry</th><th>Updated</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            ${rows.map((row) => accountRow(row, byId[row.provider], now))}
          </tbody>
        </table>`;
  return layout({
    title: "Connect app: partner-oauth",
    body: html`<h1>Connect app</h1>
      <p class="lead">
        Connect merchant accounts through each provider's OAuth redirect flow (here against Prism mocks of
        the providers), then refresh or revoke them. Tokens stay on the server and are never shown.
      </p>
      ${flash}
      <h2>Providers</h2>
      <div class="providers">${cards}</div>
      <h2>Connected accounts</h2>
      ${table}
      ${
        disconnected.length === 0
          ? ""
          : html`<h2>Disconnected by the provider</h2>
            <ul data-testid="disconnected-list">
              ${disconnected.map(
                (
                  d,
                ) => html`<li data-testid="disconnected" data-provider="${d.provider}" data-account="${d.account}">
                  ${byId[d.provider]?.name ?? d.provider} account <code>${d.account}</code> (${d.subject}):
                  disconnected — the merchant revoked access at ${byId[d.provider]?.name ?? d.provider}
                  (notice received ${clock(d.at)})
                </li>`,
              )}
            </ul>`
      }`,
  });
}

/**
 * @param {import("./app.mjs").Connection & { token: import("@partner-oauth/core").TokenData }} row
 * @param {{ name: string, refresh: boolean, revoke: boolean }} provider
 * @param {number} now
 */
function accountRow(row, provider, now) {
  const { token } = row;
  const base = `/${row.provider}/${encodeURIComponent(row.account)}`;
  const refresh = provider.refresh
    ? html`<form method="post" action="/refresh${base}">
        <button class="button secondary" type="submit" data-testid="refresh">Refresh</button>
      </form>`
    : "";
  const revoke = provider.revoke
    ? html`<form method="post" action="/revoke${base}">
        <button class="button danger" type="submit" data-testid="revoke">Revoke</button>
      </form>`
    : html`<form method="post" action="/revoke${base}">
        <button class="button danger" type="submit" data-testid="disconnect"
          title="No revoke endpoint: only forgets the token in this app">Disconnect</button>
      </form>
      <div class="muted">forgets locally only (no revoke endpoint)</div>`;
  const updated =
    row.refreshes === 0
      ? `connected ${clock(row.connectedAt)}`
      : `refreshed ${row.refreshes}× (last ${clock(/** @type {number} */ (row.refreshedAt))})`;
  return html`<tr data-testid="account" data-provider="${row.provider}" data-account="${row.account}">
    <td>${provider.name}</td>
    <td><code>${row.account}</code></td>
    <td data-testid="subject">${token.subject ?? html`<span class="muted">not reported</span>`}</td>
    <td data-testid="scopes">
      ${token.scopes.length > 0 ? token.scopes.join(" ") : html`<span class="muted">not reported</span>`}
    </td>
    <td data-testid="expiry">${expiry(token.expiresAt, now)}</td>
    <td data-testid="updated">${updated}</td>
    <td class="actions">${refresh} ${revoke}</td>
  </tr>`;
}

/**
 * The consent stand-in: what the provider's authorization page would ask the merchant.
 *
 * @param {{ id: string, name: string, authorize: string }} input
 */
export function renderConsent({ id, name, authorize }) {
  const scopes = (new URL(authorize).searchParams.get("scope") ?? "").split(/[ ,]+/).filter(Boolean);
  return layout({
    title: `Authorize ${name}?`,
    body: html`<div class="consent" data-testid="consent" data-provider="${id}">
      <h1>Authorize ${name}?</h1>
      <p>The connect app asks for access to your ${name} account${scopes.length ? ":" : "."}</p>
      ${scopes.length ? html`<p><code data-testid="consent-scopes">${scopes.join(" ")}</code></p>` : ""}
      <form method="post" action="/consent/${id}">
        <input type="hidden" name="authorize" value="${authorize}" />
        <button class="button" type="submit" name="decision" value="approve" data-testid="approve">Approve</button>
      </form>
      <form method="post" action="/consent/${id}">
        <input type="hidden" name="authorize" value="${authorize}" />
        <button class="button danger" type="submit" name="decision" value="deny" data-testid="deny">Deny</button>
      </form>
      <p class="muted">
        Stand-in for ${name}'s consent page: the mock cannot echo this flow's state, so Approve asks the
        mock for the real authorize URL (checked against ${name}'s spec) and sends its code back to the app.
      </p>
    </div>`,
  });
}

/** "2026-05-02 10:15:30 UTC (in 59 min)", or "never expires". */
function expiry(/** @type {number | undefined} */ expiresAt, /** @type {number} */ now) {
  if (expiresAt === undefined) return "never expires";
  const when = `${new Date(expiresAt).toISOString().slice(0, 19).replace("T", " ")} UTC`;
  const delta = expiresAt - now;
  return delta > 0 ? `${when} (in ${duration(delta)})` : `${when} (expired ${duration(-delta)} ago)`;
}

function duration(/** @type {number} */ ms) {
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} days`;
}

function clock(/** @type {number} */ ms) {
  return `${new Date(ms).toISOString().slice(11, 23)} UTC`;
}
