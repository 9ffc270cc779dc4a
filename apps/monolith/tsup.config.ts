import { defineConfig } from "tsup";
import { appBundle } from "../../tsup.shared";

export default defineConfig(appBundle(["src/main.ts", "src/index.ts"]));
