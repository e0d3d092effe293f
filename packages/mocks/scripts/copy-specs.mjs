// Ships the provider specs inside the package so startMock("square") works outside this repository.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const from = join(here, "..", "..", "..", "specs");
const to = join(here, "..", "specs");
rmSync(to, { recursive: true, force: true });
mkdirSync(to);
for (const file of readdirSync(from))
  if (file.endsWith(".yaml")) copyFileSync(join(from, file), join(to, file));
