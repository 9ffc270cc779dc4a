/** Finding the zod schema at a key path: for typo hints and for typing environment values. */
import { z } from "zod";

function unwrap(s: z.ZodTypeAny): z.ZodTypeAny {
  for (;;) {
    if (s instanceof z.ZodDefault) s = s._def.innerType;
    else if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap();
    else if (s instanceof z.ZodEffects) s = s._def.schema;
    else return s;
  }
}

export function schemaAt(root: z.ZodTypeAny, path: ReadonlyArray<string | number>): z.ZodTypeAny | undefined {
  let s: z.ZodTypeAny | undefined = root;
  for (const k of path) {
    if (!s) return undefined;
    const u = unwrap(s);
    if (u instanceof z.ZodObject) s = (u.shape as Record<string, z.ZodTypeAny>)[String(k)];
    else if (u instanceof z.ZodArray) s = u.element;
    else if (u instanceof z.ZodRecord) s = u.valueSchema;
    else return undefined;
  }
  return s && unwrap(s);
}

export function keysAt(root: z.ZodTypeAny, path: ReadonlyArray<string | number>): string[] {
  const s = schemaAt(root, path);
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

/** True when the key holds text even if it looks like a number or boolean ("12", "true"). */
export function expectsString(root: z.ZodTypeAny, path: ReadonlyArray<string | number>): boolean {
  const s = schemaAt(root, path);
  if (s instanceof z.ZodString || s instanceof z.ZodEnum) return true;
  if (s instanceof z.ZodUnion) return (s.options as z.ZodTypeAny[]).every((o) => unwrap(o) instanceof z.ZodString);
  return false;
}
