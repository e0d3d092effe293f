import { once } from "node:events";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// A scripted stand-in for TrueLayer's auth and Data API hosts, for lifecycle rules Prism cannot model
// (expiry, rotation, per-grant answers). It records every request and issues numbered tokens.

export const SECRET = "tl_client_secret_0b1c2d3e";

export interface RecordedRequest {
  method: string;
  path: string;
  form: URLSearchParams;
  authorization: string | undefined;
}

export interface FakeTrueLayer {
  url: string;
  requests: RecordedRequest[];
  /** Requests to the token endpoint with this grant. */
  grants(grantType: string): RecordedRequest[];
  /** Answers the next token request with this status and body instead. */
  answerNextToken(status: number, body: unknown): void;
  close(): Promise<void>;
}

/** Codes the fake accepts: `offline` grants a refresh token (`offline_access`), `online` does not. */
export const CODES = { offline: "code-offline-123", online: "code-online-456" };

export async function startFakeTrueLayer(): Promise<FakeTrueLayer> {
  const requests: RecordedRequest[] = [];
  const liveAccess = new Set<string>();
  const liveRefresh = new Set<string>();
  let issued = 0;
  let scripted: { status: number; body: unknown } | undefined;

  const server = createServer(async (req, res) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const form = new URLSearchParams(text);
    const authorization = req.headers.authorization;
    requests.push({ method: req.method ?? "", path, form, authorization });
    const bearer = authorization?.replace(/^Bearer /, "") ?? "";

    if (req.method === "POST" && path.endsWith("/connect/token")) {
      if (scripted) {
        const { status, body } = scripted;
        scripted = undefined;
        return json(res, status, body);
      }
      if (form.get("client_secret") !== SECRET) return json(res, 401, { error: "invalid_client" });
      const grant = form.get("grant_type");
      const refresh = form.get("refresh_token") ?? "";
      if (grant === "refresh_token" && !liveRefresh.delete(refresh)) {
        return json(res, 400, { error: "invalid_grant", error_details: { reason: "refresh_token_expired" } });
      }
      const code = form.get("code");
      if (grant === "authorization_code" && code !== CODES.offline && code !== CODES.online) {
        return json(res, 400, { error: "invalid_grant" });
      }
      issued += 1;
      const access = `${grant}-access-${issued}`;
      liveAccess.add(access);
      const offline = grant === "refresh_token" || code === CODES.offline;
      const scope =
        grant === "client_credentials"
          ? form.get("scope")
          : `info accounts${offline ? " offline_access" : ""}`;
      const body: Record<string, unknown> = {
        access_token: access,
        expires_in: 3600,
        token_type: "Bearer",
        scope,
      };
      if (offline) {
        body.refresh_token = `refresh-${issued}`;
        liveRefresh.add(`refresh-${issued}`);
      }
      return json(res, 200, body);
    }
    if (req.method === "DELETE" && path.endsWith("/api/delete")) {
      if (!liveAccess.delete(bearer)) return json(res, 401, { error: "unauthorized" });
      liveRefresh.clear();
      res.writeHead(200).end();
      return;
    }
    if (req.method === "GET" && path.endsWith("/data/v1/me")) {
      if (!liveAccess.has(bearer)) return json(res, 401, { error: "unauthorized" });
      return json(res, 200, {
        results: [{ client_id: "sandbox-app", credentials_id: "cred-1", provider: { provider_id: "mock" } }],
        status: "Succeeded",
      });
    }
    json(res, 404, { error: "not_found" });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    grants: (grantType) => requests.filter((r) => r.form.get("grant_type") === grantType),
    answerNextToken(status, body) {
      scripted = { status, body };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
}
