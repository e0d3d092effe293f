// One scenario per provider, each in its own file exporting `{ provider, run({ mockUrl, step }) }`.
const order = ["gocardless", "truelayer", "square", "braintree", "opencollective"];

export const scenarios = [];
for (const provider of order) {
  const url = new URL(`./${provider}.mjs`, import.meta.url);
  try {
    scenarios.push((await import(url.href)).default);
  } catch (error) {
    if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes(`${provider}.mjs`))
      throw error;
  }
}
