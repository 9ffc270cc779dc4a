import { defineConfig } from "vitest/config";
import { workspaceTestConfig } from "../../vitest.shared";

export default defineConfig(workspaceTestConfig());
