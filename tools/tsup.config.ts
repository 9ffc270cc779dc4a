import { defineConfig } from "tsup";
import { appBundle } from "../tsup.shared";

export default defineConfig(appBundle(["src/generate-config.ts", "src/generate-keys.ts", "src/create-account.ts"]));
