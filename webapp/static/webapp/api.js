// The one way the page talks to the API. Every call carries the Mini App's init data
// (Authorization: tma …), which the server checks against the bot token.

export class ApiError extends Error {
  constructor(status, { detail = "", fields = null, network = false } = {}) {
    super(detail || (network ? "network" : `HTTP ${status}`));
    this.status = status;
    this.detail = detail; // a translated message from the server, or ""
    this.fields = fields; // a 400's {field: ["message", …]}
    this.network = network;
  }
}

export function isAbort(error) {
  return error?.name === "AbortError";
}

export function createApi({ base, initData, language }) {
  async function request(method, path, { body, params, signal } = {}) {
    const headers = {
      Accept: "application/json",
      Authorization: `tma ${initData}`,
      "Accept-Language": language(),
    };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(address(base, path, params), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        credentials: "omit", // the init data is the credential; no cookies, no CSRF
      });
    } catch (error) {
      if (isAbort(error)) throw error;
      throw new ApiError(0, { network: true });
    }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => null);
    if (response.ok) return data;
    throw failure(response.status, data);
  }

  return {
    get: (path, options) => request("GET", path, options),
    post: (path, body = {}, options = {}) => request("POST", path, { ...options, body }),
    patch: (path, body, options = {}) => request("PATCH", path, { ...options, body }),
    delete: (path, options) => request("DELETE", path, options),
  };
}

function address(base, path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== null && value !== "") query.set(key, String(value));
  }
  const suffix = query.toString();
  return `${base}${path}${suffix ? `?${suffix}` : ""}`;
}

function failure(status, data) {
  const detail = typeof data?.detail === "string" ? data.detail : "";
  const onlyDetail = detail && Object.keys(data).length === 1;
  if (status === 400 && data && typeof data === "object" && !onlyDetail) {
    return new ApiError(status, { fields: Array.isArray(data) ? { non_field_errors: data } : data });
  }
  return new ApiError(status, { detail });
}

// Every message in a DRF error value: a string, a list, or nested (list items, objects).
export function messagesOf(value) {
  if (value === null || value === undefined) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(messagesOf);
  if (typeof value === "object") return Object.values(value).flatMap(messagesOf);
  return [String(value)];
}
