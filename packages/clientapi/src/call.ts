/**
 * The 200 body of a contract call. userapi's contract is not declared with strictStatusCodes,
 * so its client types every body as `unknown` beside the 200 one; failures reject (runtime's
 * outcome rule), so anything but 200 here is a contract bug and fails loudly.
 */
export async function ok<R extends { status: number; body: unknown }>(p: Promise<R>): Promise<Extract<R, { status: 200 }>["body"]> {
  const r = await p;
  if (r.status !== 200) throw new Error(`unexpected status ${r.status} from an internal call`);
  return r.body as Extract<R, { status: 200 }>["body"];
}
