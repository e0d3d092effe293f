// A CommonJS TypeScript consumer, type-checked by the smoke test against the installed tarballs
// (module nodenext: TypeScript >= 5.8 knows that Node >= 20.19 can require() ES modules).
import core = require("@partner-oauth/core");
import testing = require("@partner-oauth/core/testing");
import gocardless = require("@partner-oauth/gocardless");
import truelayer = require("@partner-oauth/truelayer");
import square = require("@partner-oauth/square");
import braintree = require("@partner-oauth/braintree");
import opencollective = require("@partner-oauth/opencollective");
import mocks = require("@partner-oauth/mocks");

const store: core.TokenStore = new core.MemoryTokenStore();
const checks: readonly testing.TokenStoreCheck[] = testing.tokenStoreChecks;
const oauth = core.createOAuthClient(
  gocardless.gocardless({
    clientId: "id",
    clientSecret: "secret",
    redirectUri: "https://app.example/cb",
    environment: "sandbox",
  }),
  { store },
);
// @ts-expect-error GoCardless has no refresh capability
oauth.refresh("merchant-42");
const providers = [
  truelayer.truelayer({
    clientId: "id",
    clientSecret: "s",
    redirectUri: "https://app.example/cb",
    environment: "sandbox",
  }),
  square.square({ clientId: "id", environment: "sandbox" }),
  braintree.braintree({
    clientId: "client_id$sandbox$x",
    clientSecret: "client_secret$sandbox$y",
    redirectUri: "https://app.example/cb",
    environment: "sandbox",
  }),
  opencollective.opencollective({
    clientId: "id",
    clientSecret: "s",
    redirectUri: "https://app.example/cb",
    environment: "staging",
  }),
] as const;
const started: Promise<mocks.MockServer> = mocks.startMock("square");
export = { checks, providers, started };
