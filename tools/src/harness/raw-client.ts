/**
 * A thin raw-HTTP Matrix client for load generation and benchmarks, where an SDK's own work
 * would blur the figures. Registration uses the same UIA dummy flow as a real client.
 * Requests go through node:http with keep-alive: the load generator shares the machine's two
 * cores with the server, and fetch (undici) cost it about twice the CPU per request.
 */
import http from "node:http";

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One request on the keep-alive agent; the answer's status and text, whatever they are. */
export function httpText(url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * One client-server API request (path under /_matrix/client/v3) as a test sends it: a JSON body
 * or raw text that need not be JSON, an optional access token; the status and the JSON answer
 * (`{}` for an empty one).
 */
export async function clientApiCall(
  baseUrl: string,
  method: string,
  path: string,
  body?: string | object,
  token?: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const text = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  const res = await httpText(`${baseUrl}/_matrix/client/v3${path}`, method, headers, text);
  return { status: res.status, json: res.text ? (JSON.parse(res.text) as Record<string, unknown>) : {} };
}

async function httpJson(url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; json: unknown }> {
  const { status, text } = await httpText(url, method, headers, body);
  return { status, json: JSON.parse(text) };
}

export class RawClient {
  constructor(
    readonly baseUrl: string,
    readonly userId: string,
    readonly accessToken: string,
  ) {}

  static async register(baseUrl: string, username: string, password = `pw-${username}-secret`): Promise<RawClient> {
    const url = `${baseUrl}/_matrix/client/v3/register`;
    const post = (body: object) => httpJson(url, "POST", { "content-type": "application/json" }, JSON.stringify(body));
    const first = (await post({ username, password })).json as { session?: string };
    const res = await post({ username, password, auth: { type: "m.login.dummy", session: first.session } });
    const body = res.json as { user_id: string; access_token: string; errcode?: string };
    if (res.status !== 200) throw new Error(`register ${username}: ${res.status} ${body.errcode}`);
    return new RawClient(baseUrl, body.user_id, body.access_token);
  }

  async request<T = Record<string, unknown>>(method: string, path: string, body?: object): Promise<T> {
    const res = await httpJson(
      `${this.baseUrl}/_matrix/client/v3${path}`,
      method,
      { authorization: `Bearer ${this.accessToken}`, ...(body ? { "content-type": "application/json" } : {}) },
      body ? JSON.stringify(body) : undefined,
    );
    const json = res.json as T & { errcode?: string; error?: string };
    if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path}: ${res.status} ${json.errcode} ${json.error ?? ""}`);
    return json;
  }

  async createRoom(body: object = { preset: "public_chat" }): Promise<string> {
    return (await this.request<{ room_id: string }>("POST", "/createRoom", body)).room_id;
  }

  async join(roomId: string): Promise<void> {
    await this.request("POST", `/join/${encodeURIComponent(roomId)}`, {});
  }

  private txn = 0;
  async send(roomId: string, body: string): Promise<string> {
    const txnId = `t${Date.now()}-${this.txn++}`;
    const path = `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${txnId}`;
    return (await this.request<{ event_id: string }>("PUT", path, { msgtype: "m.text", body })).event_id;
  }

  async sync(params: { since?: string; timeout?: number; filter?: string; fullState?: boolean } = {}): Promise<SyncResponse> {
    const q = new URLSearchParams();
    if (params.since) q.set("since", params.since);
    if (params.timeout !== undefined) q.set("timeout", String(params.timeout));
    if (params.filter) q.set("filter", params.filter);
    if (params.fullState) q.set("full_state", "true");
    return this.request<SyncResponse>("GET", `/sync?${q}`);
  }
}

export interface SyncResponse {
  next_batch: string;
  rooms?: {
    join?: Record<string, { timeline?: { events: { event_id: string; content: Record<string, unknown> }[]; limited?: boolean } }>;
  };
}

/** Every timeline event ID in a sync response, by room. */
export function timelineEventIds(res: SyncResponse): string[] {
  return Object.values(res.rooms?.join ?? {}).flatMap((r) => (r.timeline?.events ?? []).map((e) => e.event_id));
}
