// One scenario per provider, each in its own file exporting `{ provider, run({ mockUrl, step }) }`.
// Imported unconditionally: a scenario that cannot load (an unbuilt package) must fail the demo.
import braintree from "./braintree.mjs";
import gocardless from "./gocardless.mjs";
import oauth2 from "./oauth2.mjs";
import opencollective from "./opencollective.mjs";
import square from "./square.mjs";
import truelayer from "./truelayer.mjs";

export const scenarios = [gocardless, truelayer, square, braintree, opencollective, oauth2];
